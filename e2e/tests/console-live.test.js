// The Data hub's live tail, a flag's Live tail tab and the Data export page in the browser:
// rows stream in, filters reconnect, pause buffers and counts, the diagnostic explains an
// empty tail, rows expand to their JSON; the export previews, downloads a CSV and runs a job.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, ADMIN } from '../lib/server.js';
import { launch, screenshot, watchPageErrors } from '../lib/browser.js';
import { Admin, eventually } from '../lib/imprint.js';

const ENV = 'hub';

let server;
let browser;
let admin;
let serverKey;
let sequence = 0;

async function postImpressions(flag, n, extra = {}) {
  const now = Date.now();
  const items = Array.from({ length: n }, (_, i) => ({
    flag,
    key: `user-${++sequence}`,
    treatment: i % 2 ? 'off' : 'on',
    label: i % 3 === 0 ? null : 'default rule',
    change_number: 1_700_000_000_000,
    timestamp: now - i,
    sdk: 'nodejs-11.2.0',
    machine_name: 'web-1',
    properties: { plan: 'pro', region: 'eu' },
    ...extra,
  }));
  const res = await fetch(`${server.base}/api/v1/impressions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serverKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  assert.equal(res.status, 202, await res.text());
}

async function signIn(page) {
  await page.goto(`${server.base}/login`);
  await page.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.base}/`);
}

const rows = (page) => page.locator('tbody.live-row');
const live = (page) => page.getByTestId('link-state').filter({ hasText: /^Live$/ }).waitFor();

before(async () => {
  // Job files go to a temporary directory, not the working tree (data/exports by default).
  server = await startServer({ IMPRINT_EXPORT_DIR: await mkdtemp(join(tmpdir(), 'imprint-exports-')) });
  browser = await launch();
  admin = await Admin.signIn(server.base);
  ({ serverKey } = await admin.environment(ENV));
  // A flag seen once, then with tracking off: its impressions are no longer stored.
  await postImpressions('quiet_flag', 1);
  await admin.setTracking(ENV, 'quiet_flag', false);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the Data hub streams, filters, pauses, explains and expands impressions', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page);
  await page.goto(`${server.base}/e/${ENV}`);
  await page.getByRole('link', { name: 'Data hub' }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/live`);
  await page.getByRole('heading', { name: 'Data hub' }).waitFor();
  await live(page);

  await postImpressions('checkout', 3);
  await postImpressions('banner', 2);
  await eventually(async () => assert.equal(await rows(page).count(), 5));
  const first = rows(page).first();
  assert.match(await page.locator('table.live-table thead').innerText(), /Time\s+Flag\s+Key\s+Treatment\s+Label\s+Change number\s+SDK\s+Machine\s+Received/i);
  await page.locator('tbody.live-row', { hasText: 'not available' }).first().waitFor();
  assert.match(await first.innerText(), /nodejs-11\.2\.0/);
  await eventually(async () => assert.match(await page.getByTestId('live-rate').innerText(), /rows\/s/));
  await screenshot(page, 'live-hub');

  // Filtering by flag reconnects with the new query and starts over.
  await page.getByLabel('Flag', { exact: true }).fill('banner');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await eventually(async () => assert.equal(await rows(page).count(), 0));
  await live(page);
  await postImpressions('checkout', 2);
  await postImpressions('banner', 2);
  await eventually(async () => assert.equal(await rows(page).count(), 2));
  for (const flag of await rows(page).evaluateAll((els) => els.map((e) => e.dataset.flag))) assert.equal(flag, 'banner');

  // Paused rows are held and counted; resuming shows them.
  await page.getByRole('button', { name: 'Pause' }).click();
  await postImpressions('banner', 3);
  await eventually(async () => assert.equal(await page.getByTestId('held-count').innerText(), '3 new rows while paused'));
  assert.equal(await rows(page).count(), 2);
  await screenshot(page, 'live-paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await eventually(async () => assert.equal(await rows(page).count(), 5));

  // A row opens to its raw JSON, properties included.
  const toggle = rows(page).first().getByRole('button', { name: /Show the JSON of banner/ });
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const json = await rows(page).first().locator('pre.json').innerText();
  assert.match(json, /"flag": "banner"/);
  assert.match(json, /"plan": "pro"/);
  await screenshot(page, 'live-expanded');

  // Clear empties the table.
  await page.getByRole('button', { name: 'Clear rows' }).click();
  await eventually(async () => assert.equal(await rows(page).count(), 0));

  // A flag with tracking off: the tail says why nothing arrives.
  await page.getByLabel('Flag', { exact: true }).fill('quiet_flag');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await eventually(async () => assert.match(await page.getByTestId('diagnostic').innerText(), /Tracking is off for quiet_flag/));
  await screenshot(page, 'live-diagnostic');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a flag has its own Live tail tab, and the tail fits a phone', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page);
  await page.goto(`${server.base}/e/${ENV}/flags/checkout/live`);
  await page.getByRole('link', { name: 'Live tail' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Live tail' }).getAttribute('aria-current'), 'page');
  await page.getByLabel('Replay').selectOption('5');
  await eventually(async () => assert.equal(await rows(page).count(), 5), 15_000);
  await live(page);
  await postImpressions('banner', 1);
  await postImpressions('checkout', 1);
  await eventually(async () => assert.equal(await rows(page).count(), 6));
  for (const flag of await rows(page).evaluateAll((els) => els.map((e) => e.dataset.flag))) assert.equal(flag, 'checkout');
  await page.locator('tbody.live-row.replayed').first().waitFor();
  await screenshot(page, 'live-flag-phone');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the export page previews, downloads a CSV and runs a job', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page);
  await page.goto(`${server.base}/e/${ENV}/export`);
  await page.getByRole('heading', { name: 'Data export' }).waitFor();
  await page.getByText('Exports contain only what Imprint stored.').waitFor();
  await page.waitForFunction(() => document.querySelector('#export-flag') && !document.querySelector('button[type=submit]').disabled);
  await page.getByLabel('Flags').fill('checkout');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByTestId('preview-table').waitFor();
  assert.equal(await page.locator('[data-testid=preview-table] tbody tr').count(), 6);
  assert.match(await page.getByTestId('preview-summary').innerText(), /All 6 matching rows/);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('download-export').click(),
  ]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.trim().split('\n');
  assert.match(lines[0], /^flag,key,/);
  assert.equal(lines.length, 7);

  await page.getByRole('button', { name: 'Create job' }).click();
  const job = page.getByTestId('export-job').first();
  await eventually(async () => assert.equal(await job.getAttribute('data-status'), 'done'), 20_000);
  await job.getByRole('link', { name: /Download Export #/ }).waitFor();
  assert.match(await job.innerText(), /6 rows/);
  await page.getByRole('heading', { name: 'Retention' }).waitFor();
  // An admin purges now: nothing here is older than the retention, and the last run shows it.
  await page.getByRole('button', { name: 'Run purge now' }).click();
  await page.getByText(/^Purge finished: 0 impressions, 0 events and \d+ hourly counts deleted\.$/).waitFor();
  await page.getByText('Last purge').waitFor();
  assert.match(await page.locator('.retention-facts').innerText(), /run by admin@example\.com/);
  await screenshot(page, 'export');
  assert.deepEqual(errors, []);
  await context.close();
});
