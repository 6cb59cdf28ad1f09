// `imprint serve --demo` in Chromium: the overview says the demo traffic runs, an admin stops
// it and starts it again with the notice's button, and a viewer sees the notice without one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiSession, ADMIN } from '../lib/server.js';
import { launch, screenshot, watchPageErrors } from '../lib/browser.js';

const VIEWER = { email: 'viewer@example.com', password: 'viewer password 1' };

let server;
let browser;

before(async () => {
  server = await startServer({ IMPRINT_DEMO: 'true', IMPRINT_DEMO_VISITS_PER_SECOND: '20' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signIn(page, { email, password }) {
  await page.goto(`${server.base}/login`);
  await page.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.base}/`);
  await page.getByTestId('signed-in-user').waitFor();
}

/** Polls the API until `done(status)` holds (60 s at most). */
async function demoStatus(api, done) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { body } = await api('GET', '/api/v1/demo');
    if (done(body)) return body;
    assert.ok(Date.now() < deadline, `the demo status never became as expected: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('an admin stops the demo traffic from the overview and starts it again', async () => {
  const api = await apiSession(server.base, ADMIN);
  await demoStatus(api, (s) => s.running && s.impressions_sent > 0);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  const errors = watchPageErrors(page);
  await signIn(page, ADMIN);

  const notice = page.locator('.demo-notice');
  await notice.getByText('Demo traffic is running').waitFor();
  await page.locator('.env-tile').getByRole('link', { name: 'demo', exact: true }).waitFor();
  await screenshot(page, 'demo-overview-running-1280');

  await notice.getByRole('button', { name: 'Stop' }).click();
  await notice.getByText('Demo traffic is stopped').waitFor();
  const stopped = await demoStatus(api, (s) => !s.running);
  assert.equal(stopped.available, true);
  // Nothing more is accepted once stopped: the simulator's count stays where it ended.
  const again = await demoStatus(api, () => true);
  assert.equal(again.impressions_sent, stopped.impressions_sent);
  await screenshot(page, 'demo-overview-stopped-1280');

  await notice.getByRole('button', { name: 'Start' }).click();
  await notice.getByText('Demo traffic is running').waitFor();
  await demoStatus(api, (s) => s.running && s.impressions_sent > stopped.impressions_sent);

  // The demo environment's usage panel shows the month's volume estimate beside the actual.
  await page.goto(`${server.base}/environments`);
  const volume = page.locator('article.env-card[data-environment="demo"] .usage-volume');
  await volume.getByText('Estimate (M × E × P)').waitFor();
  await volume.getByText('Projected this month').waitFor();
  assert.match(await volume.innerText(), /M [\d,]+ keys × E 3 flags × P [\d.]+ impressions per key per flag/);
  await screenshot(page, 'demo-environments-usage-1280');
  assert.deepEqual(errors, []);
});

test('a viewer sees whether demo traffic runs but has no button', async () => {
  const api = await apiSession(server.base, ADMIN);
  const created = await api('POST', '/api/v1/users', { ...VIEWER, role: 'viewer' });
  assert.equal(created.status, 201);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signIn(page, VIEWER);
  const notice = page.locator('.demo-notice');
  await notice.getByText('Demo traffic is running').waitFor();
  assert.equal(await notice.getByRole('button').count(), 0);
});
