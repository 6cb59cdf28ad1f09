// Metrics and the flag page's Metrics impact tab in the browser: an editor creates a metric
// through the form (and meets the API's refusal of a duplicate), edits and deletes one; a flag
// whose `on` treatment converts clearly better shows a significant lift in plain words; a
// viewer reads metrics but gets no form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.js';
import { launch, screenshot, signIn as signInAs, watchPageErrors } from '../lib/browser.js';
import { Admin, eventually, postIngestion } from '../lib/imprint.js';

const ENV = 'lab';
const FLAG = 'new_onboarding';
const EDITOR = { email: 'editor@example.com', password: 'editor password 123' };
const VIEWER = { email: 'viewer@example.com', password: 'viewer password 123' };
const USERS_PER_TREATMENT = 200;

let server;
let browser;
let admin;
let serverKey;

const ingest = (path, items) => postIngestion(server.base, serverKey, path, items);

async function stored(kind) {
  return (await admin.json('GET', `/api/v1/environments/${ENV}/${kind}/count`)).count;
}

const signIn = (page, user) => signInAs(page, server.base, user);

const metricRow = (page, name) => page.locator(`tr[data-testid="metric"][data-metric="${name}"]`);

before(async () => {
  server = await startServer();
  browser = await launch();
  admin = await Admin.signIn(server.base);
  ({ serverKey } = await admin.environment(ENV));
  await admin.json('POST', '/api/v1/users', { ...EDITOR, role: 'editor' }, 201);
  await admin.json('POST', '/api/v1/users', { ...VIEWER, role: 'viewer' }, 201);
  await admin.json('PUT', `/api/v1/environments/${ENV}/flags/${FLAG}/definition`, {
    name: FLAG, traffic_type: 'user', treatments: [{ name: 'on' }, { name: 'off' }], default_treatment: 'off',
    default_rule: { split: [{ treatment: 'on', size: 50 }, { treatment: 'off', size: 50 }] },
  });

  // 200 users per treatment, exposed ten minutes ago; 60% of `on` sign up, 20% of `off`.
  const now = Date.now();
  const users = Array.from({ length: 2 * USERS_PER_TREATMENT }, (_, i) => ({
    key: `user-${i}`,
    treatment: i % 2 === 0 ? 'on' : 'off',
    index: Math.floor(i / 2),
  }));
  await ingest('/api/v1/impressions', users.map((u) => ({
    flag: FLAG, key: u.key, treatment: u.treatment, label: 'default rule', timestamp: now - 600_000,
  })));
  const converts = (u) => (u.treatment === 'on' ? u.index % 5 < 3 : u.index % 5 === 0);
  const signups = users.filter(converts).map((u) => ({
    event_type: 'signup', key: u.key, traffic_type: 'user', timestamp: now - 300_000, properties: { plan: 'free' },
  }));
  await ingest('/api/v1/events', signups);
  await eventually(async () => {
    assert.equal(await stored('impressions'), 2 * USERS_PER_TREATMENT);
    assert.equal(await stored('events'), signups.length);
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an editor creates a metric and the flag shows its significant lift', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, EDITOR);

  // Before any metric, the tab says where to create one.
  await page.goto(`${server.base}/e/${ENV}/flags/${FLAG}/impact`);
  await page.getByRole('heading', { name: 'No metrics yet' }).waitFor();
  await page.getByRole('link', { name: 'Create a metric on the Metrics page' }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/metrics`);

  await page.getByRole('button', { name: 'New metric' }).click();
  const form = page.getByTestId('metric-form');
  await form.getByLabel('Name').fill('Sign up rate');
  await form.getByLabel('Event type').fill('signup');
  // The event types the environment has seen are offered.
  await eventually(async () => assert.deepEqual(
    await form.locator('datalist option').evaluateAll((os) => os.map((o) => o.value)), ['signup']));
  await form.getByLabel('Per user').selectOption('conversion');
  assert.equal(await form.getByLabel('Numeric property').count(), 0, 'no property field but for a property mean');
  await form.getByLabel('Per user').selectOption('property_mean');
  await form.getByLabel('Numeric property').waitFor();
  await form.getByLabel('Per user').selectOption('conversion');
  await form.getByLabel('Better when it').selectOption('increase');
  await form.getByRole('button', { name: '+ Add a filter' }).click();
  await form.getByLabel('Filter 1 property').fill('plan');
  await form.getByLabel('Filter 1 value').fill('free');
  await screenshot(page, 'metrics-form');
  await form.getByRole('button', { name: 'Create metric' }).click();

  await metricRow(page, 'Sign up rate').waitFor();
  assert.match(await metricRow(page, 'Sign up rate').innerText(),
    /Sign up rate\s+signup\s+Share of users with at least one signup event\s+Only where plan = free\s+Higher is better/);

  // The API's refusal shows in the form, in its words.
  await page.getByRole('button', { name: 'New metric' }).click();
  await form.getByLabel('Name').fill('Sign up rate');
  await form.getByLabel('Event type').fill('signup');
  await form.getByRole('button', { name: 'Create metric' }).click();
  await form.getByRole('alert').filter({
    hasText: 'The metric was not created. The environment already has a metric named `Sign up rate`.',
  }).waitFor();

  // Another metric, edited and then deleted after a confirmation.
  await form.getByLabel('Name').fill('Sign ups per user');
  await form.getByLabel('Per user').selectOption('count');
  await form.getByRole('button', { name: 'Create metric' }).click();
  await metricRow(page, 'Sign ups per user').waitFor();
  await page.getByRole('button', { name: 'Edit Sign ups per user' }).click();
  await form.getByLabel('Better when it').selectOption('decrease');
  await form.getByRole('button', { name: 'Save metric' }).click();
  await eventually(async () => assert.match(await metricRow(page, 'Sign ups per user').innerText(), /Lower is better/));
  await screenshot(page, 'metrics-page');
  await page.getByRole('button', { name: 'Delete Sign ups per user' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Sign ups per user?' });
  await dialog.getByRole('button', { name: 'Delete metric' }).click();
  await eventually(async () => assert.equal(await metricRow(page, 'Sign ups per user').count(), 0));

  // The flag's Metrics impact tab: one card, `on` clearly better than `off`.
  await page.goto(`${server.base}/e/${ENV}/flags/${FLAG}`);
  await page.getByRole('link', { name: 'Metrics impact' }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/flags/${FLAG}/impact`);
  const card = page.locator('li[data-testid="impact-card"][data-metric="Sign up rate"]');
  const comparison = card.locator('[data-testid="impact-comparison"][data-treatment="on"]');
  await comparison.waitFor();
  assert.equal(await comparison.getAttribute('data-significant'), 'true');
  assert.match(await comparison.locator('.verdict').innerText(),
    /^Sign up rate is 200% higher with on than with off, 95% interval \+\d+(\.\d)?% to \+\d+(\.\d)?%$/);
  assert.match(await comparison.getAttribute('class'), /\bbetter\b/);
  assert.match(await card.locator('[data-testid="impact-treatment"][data-treatment="on"]').innerText(),
    /on\s+200\s+60\.0%\s+\d+\.\d% to \d+\.\d%/);
  assert.match(await card.locator('[data-testid="impact-treatment"][data-treatment="off"]').innerText(),
    /off baseline\s+200\s+20\.0%/);
  assert.match(await card.innerText(), /Welch/);
  assert.equal(await card.getByTestId('impact-srm').count(), 0, 'a 50/50 split met: no SRM warning');
  await card.getByRole('img', { name: /^Lift \+200%, 95% interval \+\d+(\.\d)?% to \+\d+(\.\d)?%, p < 0\.001$/ }).waitFor();
  await screenshot(page, 'impact-tab');

  // Against `on` instead, `off` is the one that is worse; Refresh computes again.
  await page.getByLabel('Compared with').selectOption('on');
  const reverse = card.locator('[data-testid="impact-comparison"][data-treatment="off"]');
  await reverse.waitFor();
  assert.match(await reverse.locator('.verdict').innerText(), /^Sign up rate is 66\.7% lower with off than with on/);
  assert.match(await reverse.getAttribute('class'), /\bworse\b/);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await reverse.waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a viewer reads the metrics and their impact but gets no form', async () => {
  await admin.json('POST', `/api/v1/environments/${ENV}/metrics`,
    { name: 'Checkout count', event_type: 'checkout', aggregation: 'count', direction: 'increase' }, 201);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, VIEWER);
  await page.goto(`${server.base}/e/${ENV}`);
  await page.getByRole('link', { name: 'Metrics', exact: true }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/metrics`);
  await metricRow(page, 'Checkout count').waitFor();
  assert.equal(await page.getByRole('button', { name: 'New metric' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /^(Edit|Delete) / }).count(), 0);
  assert.equal(await page.getByTestId('metric-form').count(), 0);

  // No checkout events at all: no significant difference, in words.
  await page.goto(`${server.base}/e/${ENV}/flags/${FLAG}/impact`);
  const card = page.locator('li[data-testid="impact-card"][data-metric="Checkout count"]');
  await card.locator('[data-testid="impact-comparison"]').waitFor();
  assert.match(await card.locator('.verdict').innerText(), /^(No significant difference yet between on and off|Not enough data yet to compare on with off)/);
  assert.deepEqual(errors, []);
  await context.close();
});
