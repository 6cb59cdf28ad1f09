// The real Split browser SDK (@splitsoftware/splitio-browserjs) in Chromium feeds a metric:
// 60 shoppers get a treatment of a 50/50 experiment and each track() a purchase, those on `on`
// spending 10 more; the metric's impact, read back through the API, shows the difference.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../lib/imprint.js';
import { startBrowserScenario } from '../lib/web_page.js';

const ENV = 'browser-metrics';
const FLAG = 'checkout_v2';
const EXTRA_SPEND_ON = 10;
// Base spends of 40 to 44, so the two groups' means differ by about the extra spend alone;
// the exact difference is computed from what each shopper got.
const SHOPPERS = Array.from({ length: 60 }, (_, i) => ({ key: `shopper-${i}`, baseSpend: 40 + (i % 5) }));

let scenario;

before(async () => {
  scenario = await startBrowserScenario();
});

after(async () => {
  await scenario?.stop();
});

/**
 * Runs in the page: a client per shopper, the experiment's treatment, one purchase tracked
 * with the spend its treatment leads to; then destroy() flushes the queues.
 */
async function shop({ base, clientKey, shoppers, flag, extraSpendOn }) {
  const factory = window.SplitFactory({
    core: { authorizationKey: clientKey, key: shoppers[0].key },
    urls: { sdk: `${base}/api`, events: `${base}/api`, auth: `${base}/api`, telemetry: `${base}/api`, streaming: base },
    streamingEnabled: false,
    startup: { readyTimeout: 10 },
  });
  const purchases = [];
  for (const shopper of shoppers) {
    const client = factory.client(shopper.key);
    await client.whenReady();
    const treatment = client.getTreatment(flag);
    const value = shopper.baseSpend + (treatment === 'on' ? extraSpendOn : 0);
    if (!client.track('user', 'purchase', value)) throw new Error('track refused');
    purchases.push({ key: shopper.key, treatment, value });
  }
  await factory.destroy();
  return purchases;
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

test('purchases tracked by the browser SDK show the treatment that spends more in the metric impact', async () => {
  const { server, admin, web, browser } = scenario;
  const env = await admin.environment(ENV);
  await admin.json('PUT', `/api/v1/environments/${ENV}/flags/${FLAG}/definition`, {
    name: FLAG, traffic_type: 'user', treatments: [{ name: 'on' }, { name: 'off' }], default_treatment: 'off',
    default_rule: { split: [{ treatment: 'on', size: 50 }, { treatment: 'off', size: 50 }] },
  });

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${web.origin}/`);
  const purchases = await page.evaluate(shop, {
    base: server.base, clientKey: env.clientKey, shoppers: SHOPPERS, flag: FLAG, extraSpendOn: EXTRA_SPEND_ON,
  });
  await context.close();
  const spends = (t) => purchases.filter((p) => p.treatment === t).map((p) => p.value);
  assert.ok(spends('on').length > 0 && spends('off').length > 0, JSON.stringify(purchases));
  assert.equal(spends('on').length + spends('off').length, SHOPPERS.length, 'every shopper got on or off');
  await eventually(async () => {
    const usage = await admin.usage(ENV);
    assert.equal(usage.impressions_stored, SHOPPERS.length, JSON.stringify(usage));
    assert.equal(usage.events_stored, SHOPPERS.length, JSON.stringify(usage));
  }, 20_000);

  const metric = await admin.json('POST', `/api/v1/environments/${ENV}/metrics`, {
    name: 'Revenue per user', event_type: 'purchase', aggregation: 'sum', direction: 'increase',
  }, 201);
  const impact = await admin.json('GET', `/api/v1/environments/${ENV}/flags/${FLAG}/impact?metric=${metric.id}&refresh=true`);
  const shown = JSON.stringify(impact);
  const of = (t) => impact.treatments.find((x) => x.treatment === t);
  assert.equal(impact.excluded_users, 0, shown);
  assert.equal(of('on').users + of('off').users, SHOPPERS.length - impact.excluded_users, shown);
  for (const t of ['on', 'off']) {
    assert.equal(of(t).users, spends(t).length, `${t}: ${shown}`);
    assert.ok(Math.abs(of(t).mean - mean(spends(t))) < 1e-6, `${t}'s mean: ${shown}`);
  }

  const [comparison] = impact.comparisons;
  assert.equal(impact.baseline, 'off', shown);
  assert.equal(comparison.treatment, 'on', shown);
  const lift = mean(spends('on')) - mean(spends('off'));
  assert.ok(Math.abs(comparison.lift - lift) < 1e-6, `lift ${lift}: ${shown}`);
  assert.ok(Math.abs(comparison.lift - EXTRA_SPEND_ON) <= 2, `about +${EXTRA_SPEND_ON}: ${shown}`);
  assert.ok(comparison.ci_low > 0, `the interval excludes zero: ${shown}`);
  assert.equal(comparison.significant, true, shown);
  assert.equal(comparison.better, true, shown);
});
