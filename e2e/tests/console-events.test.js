// The Events page and the Data hub's events tail in the browser: track() events posted through
// the public ingestion API appear as event types with their counts, keys and properties, and
// a new event streams into the Data hub's events tail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN } from '../lib/server.js';
import { launch, screenshot, signIn as signInAs, watchPageErrors } from '../lib/browser.js';
import { Admin, eventually } from '../lib/imprint.js';

const ENV = 'events';

let server;
let browser;
let serverKey;

async function postEvents(items) {
  const res = await fetch(`${server.base}/api/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serverKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  const text = await res.text();
  assert.equal(res.status, 202, text);
}

const signIn = (page) => signInAs(page, server.base, ADMIN);

const eventType = (page, name) => page.locator(`li[data-testid="event-type"][data-event-type="${name}"]`);

before(async () => {
  server = await startServer();
  browser = await launch();
  const admin = await Admin.signIn(server.base);
  ({ serverKey } = await admin.environment(ENV));
  const now = Date.now();
  await postEvents([
    { event_type: 'checkout', key: 'user-1', timestamp: now - 60_000, traffic_type: 'user', value: 42.5, properties: { plan: 'pro', items: 3 } },
    { event_type: 'checkout', key: 'user-2', timestamp: now - 30_000, traffic_type: 'user', value: 12, properties: { plan: 'free' } },
    { event_type: 'checkout', key: 'user-2', timestamp: now - 10_000, traffic_type: 'user', value: 7 },
    { event_type: 'page_view', key: 'user-3', timestamp: now - 5_000, traffic_type: 'user' },
  ]);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the Events page lists each event type with its counts and properties', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page);
  await page.goto(`${server.base}/e/${ENV}`);
  await page.getByRole('link', { name: 'Events', exact: true }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/events`);
  await page.getByRole('heading', { name: 'Events', exact: true }).waitFor();

  // The types arrive as the writer stores the events.
  await eventually(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await eventType(page, 'checkout').waitFor({ timeout: 1_000 });
  });
  await eventType(page, 'page_view').waitFor();
  assert.match(await eventType(page, 'checkout').innerText(), /3 events from 2 keys/);
  assert.match(await eventType(page, 'page_view').innerText(), /1 event from 1 key/);
  assert.match(await eventType(page, 'page_view').innerText(), /No properties in its recent events\./);

  const plan = eventType(page, 'checkout').locator('[data-testid="event-property"][data-property="plan"]');
  assert.match(await plan.innerText(), /plan\s+string\s+2 of 2/);
  const items = eventType(page, 'checkout').locator('[data-testid="event-property"][data-property="items"]');
  assert.match(await items.innerText(), /items\s+number\s+1 of 2/);
  assert.equal(
    await eventType(page, 'checkout').getByRole('img', { name: /^Events per hour, peak [1-3]$/ }).count(),
    1,
  );
  await screenshot(page, 'events-page');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the Data hub tails track() events as they arrive', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page);
  await page.goto(`${server.base}/e/${ENV}/live`);
  await page.getByRole('heading', { name: 'Data hub' }).waitFor();
  const events = page.getByRole('group', { name: 'What to tail' }).getByRole('button', { name: 'Events' });
  await events.click();
  assert.equal(await events.getAttribute('aria-pressed'), 'true');
  await page.getByTestId('link-state').filter({ hasText: /^Live$/ }).waitFor();

  // Posted until the events stream (a new connection after the switch) shows it.
  const row = page.locator('table.live-table[data-kind="events"] tbody.live-row', { hasText: 'tail-user-7' });
  await eventually(async () => {
    await postEvents([
      { event_type: 'signup', key: 'tail-user-7', timestamp: Date.now(), traffic_type: 'user', value: 1, properties: { source: 'ad' } },
    ]);
    await row.first().waitFor({ timeout: 2_000 });
  }, 20_000);
  const first = row.first();
  assert.match(await first.innerText(), /signup/);
  assert.match(await first.innerText(), /"source":"ad"/);
  await screenshot(page, 'events-tail');
  assert.deepEqual(errors, []);
  await context.close();
});
