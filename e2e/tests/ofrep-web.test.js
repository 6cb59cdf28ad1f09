// The OpenFeature web SDK with the OFREP web provider (@openfeature/ofrep-web-provider) in
// Chromium, on a page whose origin is not Imprint's, with the client-side key: bulk
// evaluation, polling with If-None-Match (304 while nothing changed), and a change picked up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/imprint.js';
import { prepareEnvironment } from '../lib/scenario.js';
import { startBrowserScenario } from '../lib/web_page.js';

let scenario;
let server;
let admin;
let web;
let browser;

before(async () => {
  scenario = await startBrowserScenario();
  ({ server, admin, web, browser } = scenario);
});

after(async () => {
  await scenario?.stop();
});

test('the OFREP web provider evaluates from another origin and follows changes by ETag', async () => {
  const env = await prepareEnvironment(admin, 'ofrep-web');
  const context = await browser.newContext();
  const page = await context.newPage();
  const answers = [];
  page.on('response', (r) => {
    if (r.url().includes('/ofrep/v1/evaluate/flags')) answers.push({ status: r.status(), etag: r.headers().etag });
  });
  await page.goto(`${web.origin}/`);

  const first = await page.evaluate(async ({ base, clientKey }) => {
    const provider = new window.OFREPWebProvider({
      baseUrl: base, headers: [['Authorization', `Bearer ${clientKey}`]], pollInterval: 300, cacheMode: 'disabled',
    });
    await window.OpenFeature.setContext({ targetingKey: 'alice', plan: 'premium', age: 40 });
    await window.OpenFeature.setProviderAndWait(provider);
    const client = window.OpenFeature.getClient();
    window.ofClient = client;
    const premium = client.getStringDetails('checkout_v2', 'fallback');
    return {
      checkout: [premium.value, premium.reason, premium.flagMetadata.label],
      age: client.getStringValue('age_gate', 'fallback'),
      beta: client.getStringValue('beta_gate', 'fallback'),
      missing: client.getStringDetails('no_such_flag', 'fallback').errorCode,
    };
  }, { base: server.base, clientKey: env.clientKey });
  assert.deepEqual(first.checkout, ['on', 'TARGETING_MATCH', 'plan in list [premium]']);
  assert.equal(first.age, 'adult');
  assert.equal(first.beta, 'off');
  assert.equal(first.missing, 'FLAG_NOT_FOUND');

  // Polling re-sends the ETag; nothing changed, so Imprint answers 304.
  await eventually(() => assert.ok(answers.some((a) => a.status === 304), JSON.stringify(answers)));
  assert.equal(answers[0].status, 200);
  assert.ok(answers[0].etag, 'the page can read the ETag');

  // A kill changes the answer: the next poll gets 200 with a new ETag and the page sees it.
  await admin.kill(env.name, 'checkout_v2');
  await eventually(async () => {
    const killed = await page.evaluate(() => window.ofClient.getStringDetails('checkout_v2', 'fallback'));
    assert.equal(killed.value, 'off');
    assert.equal(killed.reason, 'DISABLED');
  });
  const etags = new Set(answers.filter((a) => a.status === 200).map((a) => a.etag));
  assert.ok(etags.size >= 2, `a new ETag after the change: ${JSON.stringify(answers)}`);
  await context.close();
});
