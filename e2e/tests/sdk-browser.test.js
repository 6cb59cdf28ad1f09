// The real Split browser SDK (@splitsoftware/splitio-browserjs) in Chromium, on a web page
// whose origin is not Imprint's, with the environment's client-side key: CORS preflights,
// treatments, impressions with labels and properties, track() events, and the beacons the
// SDK sends when the page goes away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { UNTRACKED_FLAG } from '../lib/definitions.js';
import { evaluate, eventually, mapLimit } from '../lib/imprint.js';
import { prepareEnvironment } from '../lib/scenario.js';
import { startBrowserScenario } from '../lib/web_page.js';

const SDK = 'browserjs-1.7.1';
const FLAGS = ['checkout_v2', 'beta_gate', 'age_gate', 'killed_banner', UNTRACKED_FLAG];
const TRACKED = FLAGS.filter((f) => f !== UNTRACKED_FLAG);

// 20 users: a whitelisted one, a segment member, premium and free plans, minors and adults;
// every fourth one's impressions carry properties.
const USERS = Array.from({ length: 20 }, (_, i) => ({
  key: i === 0 ? 'vip-user' : i === 1 ? 'carol' : `shopper-${i}`,
  attributes: { plan: i % 3 === 0 ? 'premium' : 'free', age: 9 + i * 2 },
  properties: i % 4 === 0 ? { page: 'cart', items: i, express: i % 8 === 0 } : undefined,
  value: 10 + i,
}));

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

/**
 * Runs in the page: one factory with a client per user, every flag evaluated, one track()
 * per user. Queues are pushed every `pushRate` seconds.
 */
async function useTheSdk({ base, clientKey, users, flags, pushRate }) {
  const factory = window.SplitFactory({
    core: { authorizationKey: clientKey, key: users[0].key, labelsEnabled: true },
    urls: { sdk: `${base}/api`, events: `${base}/api`, auth: `${base}/api`, telemetry: `${base}/api`, streaming: base },
    streamingEnabled: false,
    sync: { impressionsMode: 'DEBUG' },
    scheduler: { featuresRefreshRate: 60, segmentsRefreshRate: 60, impressionsRefreshRate: pushRate, eventsPushRate: pushRate },
    startup: { readyTimeout: 10 },
  });
  window.factory = factory;
  const treatments = [];
  for (const user of users) {
    const client = factory.client(user.key);
    await client.whenReady();
    for (const flag of flags) {
      const options = user.properties ? { properties: user.properties } : undefined;
      treatments.push({ key: user.key, flag, treatment: client.getTreatment(flag, user.attributes, options) });
    }
    if (!client.track('user', 'purchase', user.value, { sku: `sku-${user.key}` })) throw new Error('track refused');
  }
  return treatments;
}

async function openPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const blocked = [];
  page.on('requestfailed', (r) => blocked.push(`${r.url()}: ${r.failure()?.errorText}`));
  await page.goto(`${web.origin}/`);
  return { context, page, blocked };
}

async function exportedRows(env, kind) {
  const { status, text } = await admin.raw('GET', `/api/v1/environments/${env}/${kind}/export?format=ndjson`);
  assert.equal(status, 200, text);
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** Every treatment the page got equals Imprint's own evaluator; returns its labels. */
async function assertSameAsEvaluator(env, treatments) {
  assert.equal(treatments.length, USERS.length * FLAGS.length);
  assert.ok(treatments.every((t) => t.treatment !== 'control'), 'the SDK became ready');
  const answers = await mapLimit(USERS, 4, (user) =>
    evaluate(server.base, env.clientKey, { key: user.key, flags: FLAGS, attributes: user.attributes }));
  const labels = new Map();
  USERS.forEach((user, i) => {
    for (const flag of FLAGS) {
      const ours = answers[i].treatments[flag];
      const theirs = treatments.find((t) => t.key === user.key && t.flag === flag);
      assert.equal(theirs.treatment, ours.treatment, `${user.key} ${flag}`);
      labels.set(`${user.key}/${flag}`, ours.label);
    }
  });
  return labels;
}

/** Every tracked evaluation is stored once with its label and properties; every event too. */
function assertStored(impressions, events, treatments, labels) {
  const fromPage = impressions.filter((r) => r.sdk === SDK);
  assert.equal(fromPage.length, USERS.length * TRACKED.length, 'one stored impression per tracked evaluation');
  assert.ok(fromPage.every((r) => r.flag !== UNTRACKED_FLAG), 'tracking off: nothing stored');
  for (const user of USERS) {
    for (const flag of TRACKED) {
      const row = fromPage.find((r) => r.key === user.key && r.flag === flag);
      assert.ok(row, `impression of ${user.key} ${flag}`);
      const sent = treatments.find((t) => t.key === user.key && t.flag === flag);
      assert.equal(row.treatment, sent.treatment);
      assert.equal(row.label, labels.get(`${user.key}/${flag}`), `${user.key} ${flag} label`);
      assert.deepEqual(row.properties, user.properties ?? null, `${user.key} ${flag} properties`);
    }
  }
  assert.equal(events.length, USERS.length, 'one stored event per track()');
  for (const user of USERS) {
    const event = events.find((e) => e.key === user.key);
    assert.ok(event, `event of ${user.key}`);
    assert.equal(event.event_type, 'purchase');
    assert.equal(event.value, user.value);
    assert.deepEqual(event.properties, { sku: `sku-${user.key}` });
  }
}

test('the browser SDK on another origin gets its treatments and stores every impression and event', async () => {
  const env = await prepareEnvironment(admin, 'browser-live');
  const { context, page, blocked } = await openPage();
  const treatments = await page.evaluate(useTheSdk, {
    base: server.base, clientKey: env.clientKey, users: USERS, flags: FLAGS, pushRate: 1,
  });
  assert.deepEqual(blocked, [], 'no request was blocked');
  await eventually(async () => {
    const usage = await admin.usage(env.name);
    assert.equal(usage.impressions_stored, USERS.length * TRACKED.length, JSON.stringify(usage));
    assert.equal(usage.events_stored, USERS.length, JSON.stringify(usage));
  }, 20_000);
  // Read before the evaluator below records its own impressions of every flag.
  assert.equal((await admin.usage(env.name)).impressions_dropped_tracking_off, 0, 'the SDK sent nothing of the untracked flag');
  const stored = await exportedRows(env.name, 'impressions');
  const events = await exportedRows(env.name, 'events');
  assertStored(stored, events, treatments, await assertSameAsEvaluator(env, treatments));
  await page.evaluate(() => window.factory.destroy());
  await context.close();
});

test('a page that is hidden and left delivers its queues by beacon', async () => {
  const env = await prepareEnvironment(admin, 'browser-beacon');
  const { context, page, blocked } = await openPage();
  // The page notes each beacon it queues in sessionStorage, which outlives the navigation.
  await page.evaluate(() => {
    const send = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, body) => {
      const queued = send(url, body);
      const sent = JSON.parse(sessionStorage.getItem('beacons') ?? '[]');
      sessionStorage.setItem('beacons', JSON.stringify([...sent, `${new URL(url).pathname} ${queued}`]));
      return queued;
    };
  });
  // Nothing would be pushed for an hour: only leaving the page sends the queues.
  const treatments = await page.evaluate(useTheSdk, {
    base: server.base, clientKey: env.clientKey, users: USERS, flags: FLAGS, pushRate: 3600,
  });
  assert.equal((await admin.usage(env.name)).impressions_stored, 0, 'nothing sent before the page goes away');
  await page.goto(`${web.origin}/next`);
  await eventually(async () => {
    const usage = await admin.usage(env.name);
    assert.equal(usage.impressions_stored, USERS.length * TRACKED.length, JSON.stringify(usage));
    assert.equal(usage.events_stored, USERS.length, JSON.stringify(usage));
    // The untracked flag's evaluations arrive as counts, and every user as a unique key.
    assert.equal(usage.impressions_counted_by_sdk, USERS.length, JSON.stringify(usage));
    assert.equal(usage.unique_keys_this_month, USERS.length, JSON.stringify(usage));
  }, 20_000);
  assert.deepEqual(blocked, [], 'no request was blocked');
  const beacons = await page.evaluate(() => JSON.parse(sessionStorage.getItem('beacons') ?? '[]'));
  for (const path of ['/api/testImpressions/beacon', '/api/events/beacon', '/api/testImpressions/count/beacon', '/api/v1/keys/cs/beacon']) {
    assert.ok(beacons.includes(`${path} true`), `${path} was queued as a beacon: ${beacons}`);
  }
  const stored = await exportedRows(env.name, 'impressions');
  const events = await exportedRows(env.name, 'events');
  assertStored(stored, events, treatments, await assertSameAsEvaluator(env, treatments));
  await context.close();
});

test('impressions of an untracked flag are dropped even when a page sends them', async () => {
  const env = await prepareEnvironment(admin, 'browser-untracked');
  const { context, page } = await openPage();
  const sent = await page.evaluate(({ base, clientKey, flag }) => navigator.sendBeacon(
    `${base}/api/testImpressions/beacon`,
    JSON.stringify({
      entries: [{ f: flag, i: [{ k: 'mallory', t: 'on', m: Date.now(), c: 1, r: 'default rule' }] }],
      token: clientKey, sdk: 'browserjs-1.7.1', sim: 'DEBUG',
    }),
  ), { base: server.base, clientKey: env.clientKey, flag: UNTRACKED_FLAG });
  assert.equal(sent, true);
  await eventually(async () => {
    assert.equal((await admin.usage(env.name)).impressions_dropped_tracking_off, 1);
  });
  assert.equal((await admin.usage(env.name)).impressions_stored, 0);
  await context.close();
});

test('the console API refuses pages of other origins', async () => {
  const { context, page } = await openPage();
  // The admin is signed in within this browser context, on Imprint's own origin.
  const signIn = await context.request.post(`${server.base}/api/v1/auth/login`, {
    data: { email: 'admin@example.com', password: 'admin password 123' },
  });
  assert.equal(signIn.status(), 200);
  const outcomes = await page.evaluate(async (base) => {
    const attempt = async (path, init) => {
      try {
        const res = await fetch(`${base}${path}`, { credentials: 'include', ...init });
        return `read ${res.status}`;
      } catch (e) {
        return `blocked: ${e.name}`;
      }
    };
    return {
      me: await attempt('/api/v1/me'),
      users: await attempt('/api/v1/users'),
      create: await attempt('/api/v1/environments', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'evil' }),
      }),
      sdkFeed: await attempt('/api/splitChanges?s=1.3&since=-1&rbSince=-1', { credentials: 'omit', headers: { authorization: 'Bearer unknown' } }),
    };
  }, server.base);
  assert.equal(outcomes.me, 'blocked: TypeError');
  assert.equal(outcomes.users, 'blocked: TypeError');
  assert.equal(outcomes.create, 'blocked: TypeError');
  assert.equal(outcomes.sdkFeed, 'read 401', 'SDK endpoints are readable cross-origin, errors included');
  const environments = await admin.json('GET', '/api/v1/environments');
  assert.ok(environments.every((e) => e.name !== 'evil'), 'the cross-origin POST created nothing');
  await context.close();
});
