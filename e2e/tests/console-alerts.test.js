// Alerts in the browser: an editor creates an alert policy through the form (its webhook
// secret shown once), a treatment that is clearly worse fires an alert when the policy is
// evaluated, the Alerts page lists it as firing and the flag page shows its banner; the policy
// is then disabled and deleted. A viewer reads alerts and policies without write controls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.js';
import { launch, screenshot, signIn as signInAs, watchPageErrors } from '../lib/browser.js';
import { Admin, eventually, postIngestion } from '../lib/imprint.js';

const ENV = 'watch';
const FLAG = 'new_checkout';
const EDITOR = { email: 'editor@example.com', password: 'editor password 123' };
const VIEWER = { email: 'viewer@example.com', password: 'viewer password 123' };
const USERS_PER_TREATMENT = 300;

let server;
let browser;
let admin;
let serverKey;

const ingest = (path, items) => postIngestion(server.base, serverKey, path, items);

async function stored(kind) {
  return (await admin.json('GET', `/api/v1/environments/${ENV}/${kind}/count`)).count;
}

const signIn = (page, user) => signInAs(page, server.base, user);

const policyRow = (page) => page.locator('tr[data-testid="alert-policy"][data-metric="Checkout rate"]');

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
  await admin.json('POST', `/api/v1/environments/${ENV}/metrics`,
    { name: 'Checkout rate', event_type: 'checkout', aggregation: 'conversion', direction: 'increase' }, 201);

  // `on` is clearly worse: 10% of its users check out, against 50% with `off`.
  const now = Date.now();
  const users = Array.from({ length: 2 * USERS_PER_TREATMENT }, (_, i) => ({
    key: `user-${i}`,
    treatment: i % 2 === 0 ? 'on' : 'off',
    index: Math.floor(i / 2),
  }));
  await ingest('/api/v1/impressions', users.map((u) => ({
    flag: FLAG, key: u.key, treatment: u.treatment, label: 'default rule', timestamp: now - 600_000,
  })));
  const checkouts = users
    .filter((u) => (u.treatment === 'on' ? u.index % 10 === 0 : u.index % 2 === 0))
    .map((u) => ({ event_type: 'checkout', key: u.key, traffic_type: 'user', timestamp: now - 300_000 }));
  await ingest('/api/v1/events', checkouts);
  await eventually(async () => {
    assert.equal(await stored('impressions'), 2 * USERS_PER_TREATMENT);
    assert.equal(await stored('events'), checkouts.length);
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a policy created in the form fires on a worse treatment, listed and shown on the flag', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, EDITOR);
  await page.goto(`${server.base}/e/${ENV}`);
  await page.getByRole('link', { name: 'Alerts', exact: true }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/alerts`);
  await page.getByText('No policies yet: nothing is watched.', { exact: false }).waitFor();
  await page.getByText('Nothing is firing.').waitFor();

  // A threshold that is not a percentage is refused before anything is sent.
  await page.getByRole('button', { name: 'New policy' }).click();
  const form = page.getByTestId('policy-form');
  await form.getByLabel('Metric').selectOption({ label: 'Checkout rate' });
  await form.getByLabel('Flag (optional)').fill(FLAG);
  await form.getByLabel('Threshold (%)').fill('lots');
  await form.getByRole('button', { name: 'Create policy' }).click();
  await form.getByRole('alert').filter({ hasText: /^The threshold is a percentage/ }).waitFor();
  await form.getByLabel('Threshold (%)').fill('5 %');
  await form.getByLabel('Minimum users per treatment (optional)').fill('50');
  await form.getByLabel('Webhook URL (optional)').fill('http://127.0.0.1:9/alerts');
  await screenshot(page, 'alerts-form');
  await form.getByRole('button', { name: 'Create policy' }).click();

  // The webhook's secret, once.
  const secret = page.getByTestId('policy-secret');
  await secret.waitFor();
  assert.match(await secret.innerText(), /\S{16,}/);
  await page.getByRole('button', { name: "I've copied the secret" }).click();
  assert.equal(await page.getByTestId('policy-secret').count(), 0);
  await policyRow(page).waitFor();
  assert.match(await policyRow(page).innerText(),
    new RegExp(`Checkout rate\\s+${FLAG}\\s+5%\\s+50 users per treatment\\s+http://127\\.0\\.0\\.1:9/alerts\\s+Enabled`));

  // Evaluating now fires the alert.
  await policyRow(page).getByRole('button', { name: /^Evaluate .* now$/ }).click();
  await page.getByTestId('evaluate-result').filter({ hasText: 'Evaluated: 1 alert firing.' }).waitFor();
  const alert = page.locator(`li[data-testid="alert"][data-status="firing"][data-flag="${FLAG}"]`);
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, /Firing/);
  assert.match(text, /Checkout rate is \d+(\.\d)?% lower with on than with off/);
  assert.match(text, /Compared\s+on vs off/);
  assert.match(text, /lift −\d+\.\d%, p (=|<) /);
  assert.match(text, /Firing since .* · .*always valid/i);
  await screenshot(page, 'alerts-page');

  // The flag page shows the alert above its tabs, linking back.
  await alert.getByRole('link', { name: FLAG }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/flags/${FLAG}/impact`);
  const banner = page.getByTestId('flag-alert-banner');
  await banner.waitFor();
  assert.match(await banner.innerText(), /^Alert: Checkout rate is \d+(\.\d)?% lower with on than with off/);
  await screenshot(page, 'flag-alert-banner');
  await banner.getByRole('link', { name: 'See the Alerts page' }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/alerts`);

  // Disabled, then deleted after a confirmation.
  await policyRow(page).getByRole('button', { name: 'Disable' }).click();
  await eventually(async () => assert.match(await policyRow(page).innerText(), /Disabled/));
  await policyRow(page).getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete the policy on Checkout rate?' })
    .getByRole('button', { name: 'Delete policy' }).click();
  await eventually(async () => assert.equal(await policyRow(page).count(), 0));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a viewer reads alerts and policies without write controls', async () => {
  const metric = (await admin.json('GET', `/api/v1/environments/${ENV}/metrics`))
    .find((m) => m.name === 'Checkout rate');
  await admin.json('POST', `/api/v1/environments/${ENV}/alert-policies`,
    { metric_id: metric.id, threshold: 0.1 }, 201);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, VIEWER);
  await page.goto(`${server.base}/e/${ENV}/alerts`);
  await policyRow(page).waitFor();
  assert.match(await policyRow(page).innerText(), /every flag\s+10%/);
  assert.equal(await page.getByRole('button', { name: 'New policy' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /^(Disable|Enable|Delete)$/ }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});
