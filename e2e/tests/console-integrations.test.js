// The Integrations page in Chromium, against real webhook receivers running in this process:
// an admin creates a webhook sink (its signing secret shown once), impressions posted through
// the Split bulk API are delivered and counted on the page without a reload; a receiver
// answering 500 makes a sink "failing" with its answer shown; Send test, pause and resume,
// replay, a 400's dead letter and its retry; a viewer reads the health but gets no controls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startServer, ADMIN } from '../lib/server.js';
import { launch, screenshot, watchPageErrors } from '../lib/browser.js';
import { Admin } from '../lib/imprint.js';

const VIEWER = { email: 'viewer@example.com', password: 'viewer password 1' };

let server;
let browser;
let admin;
const receivers = [];

/**
 * A webhook receiver on a free local port. `reply(request)` decides each answer
 * ({ status, body }); every request is kept with its headers and its (decompressed) body.
 */
async function startReceiver(reply = () => ({ status: 200, body: 'ok' })) {
  const receiver = { requests: [], reply };
  const http = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const request = { headers: req.headers, text: body.toString('utf8') };
      const answer = receiver.reply(request);
      receiver.requests.push({ ...request, status: answer.status });
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.body);
    });
  });
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${http.address().port}/hook`;
  receiver.close = () => new Promise((resolve) => { http.closeAllConnections(); http.close(resolve); });
  receivers.push(receiver);
  return receiver;
}

/** Impression keys in the Split-format bodies the receiver accepted. */
function deliveredKeys(receiver) {
  return receiver.requests
    .filter((r) => r.status === 200)
    .flatMap((r) => JSON.parse(r.text))
    .filter((row) => row.split !== 'imprint_test_flag')
    .map((row) => row.key);
}

/** Standard Webhooks: v1,base64(HMAC-SHA256(secret bytes, "id.timestamp.body")). */
function signatureIsValid(request, secret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.text}`;
  const expected = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  return request.headers['webhook-signature'].split(' ').includes(expected);
}

let sequence = 0;

/** Posts impressions of `flag` through Split's bulk endpoint with the SDK key. */
async function postImpressions(serverKey, flag, n) {
  const now = Date.now();
  const keys = Array.from({ length: n }, () => `user-${++sequence}`);
  const res = await fetch(`${server.base}/api/testImpressions/bulk`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${serverKey}`,
      'content-type': 'application/json',
      SplitSDKVersion: 'nodejs-11.11.2',
    },
    body: JSON.stringify([{ f: flag, i: keys.map((k, i) => ({ k, t: 'on', m: now - i, r: 'default rule', c: 42 })) }]),
  });
  assert.equal(res.status, 200, await res.text());
  return keys;
}

async function signIn(page, { email, password } = ADMIN) {
  await page.goto(`${server.base}/login`);
  await page.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.base}/`);
}

/** Opens the environment's Integrations page through the navigation. */
async function openIntegrations(page, env) {
  await page.goto(`${server.base}/e/${env}`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Integrations' }).click();
  await page.waitForURL(`${server.base}/e/${env}/integrations`);
  await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
}

const card = (page, name) => page.locator(`li[data-testid=sink][data-sink="${name}"]`);

/** Waits until the card's `testid` field reads `text` (the page refreshes by itself). */
async function waitForField(page, name, testid, text) {
  await card(page, name).getByTestId(testid).filter({ hasText: text }).waitFor({ timeout: 20_000 });
}

/** Creates a webhook sink through the form; returns the secret the page showed. */
async function createWebhook(page, name, url, { flushMs = '100' } = {}) {
  await page.getByRole('button', { name: 'New integration' }).click();
  const form = page.locator('form.sink-form');
  await form.getByLabel('Kind').selectOption('webhook');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('URL', { exact: true }).fill(url);
  await form.getByLabel('Wait for a full batch (ms) (optional)').fill(flushMs);
  await form.getByRole('button', { name: 'Create integration' }).click();
  await page.getByRole('heading', { name: `Signing secret of ${name}` }).waitFor();
  const secret = (await page.getByTestId('sink-secret').innerText()).trim();
  await page.getByRole('button', { name: "I've copied the secret" }).click();
  await page.getByTestId('sink-secret').waitFor({ state: 'detached' });
  await card(page, name).waitFor();
  return secret;
}

before(async () => {
  server = await startServer({
    IMPRINT_SINK_RETRY_BASE_MS: '20',
    IMPRINT_SINK_RETRY_MAX_MS: '200',
    IMPRINT_SINK_MAX_ATTEMPTS: '4',
  });
  browser = await launch();
  admin = await Admin.signIn(server.base);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

test('an admin creates a webhook integration, sees deliveries counted, tests, pauses, resumes and replays it', async () => {
  const { serverKey } = await admin.environment('hooks');
  const receiver = await startReceiver();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = watchPageErrors(page);
  await signIn(page);
  await openIntegrations(page, 'hooks');
  await page.getByRole('heading', { name: 'No integrations yet' }).waitFor();

  // The form explains what is missing before anything is sent.
  await page.getByRole('button', { name: 'New integration' }).click();
  await page.locator('form.sink-form').getByLabel('Name').fill('Warehouse');
  await page.getByRole('button', { name: 'Create integration' }).click();
  assert.match(await page.locator('form.sink-form').getByRole('alert').innerText(), /URL is required/);
  await page.locator('form.sink-form').getByRole('button', { name: 'Cancel' }).click();

  const secret = await createWebhook(page, 'Warehouse', receiver.url);
  assert.match(secret, /^whsec_/);
  const warehouse = card(page, 'Warehouse');
  assert.equal(await warehouse.getByTestId('sink-status').innerText(), 'Active');
  await waitForField(page, 'Warehouse', 'sink-delivered', /^0$/);

  // Impressions sent by an SDK reach the receiver, and the count moves on the open page.
  const keys = await postImpressions(serverKey, 'checkout', 25);
  await waitForField(page, 'Warehouse', 'sink-delivered', /^25$/);
  await waitForField(page, 'Warehouse', 'sink-lag', 'Up to date');
  assert.deepEqual(deliveredKeys(receiver).sort(), [...keys].sort());
  assert.ok(receiver.requests.every((r) => signatureIsValid(r, secret)), 'signed with the secret shown once');
  assert.notEqual(await warehouse.getByTestId('sink-last-success').innerText(), 'Never yet');
  await screenshot(page, 'integrations-delivered-1280');

  // Send test: the receiver's answer is shown.
  await warehouse.getByRole('button', { name: 'Send test' }).click();
  const tested = warehouse.getByTestId('sink-test-result');
  await tested.waitFor();
  assert.match(await tested.innerText(), /accepted[\s\S]*HTTP 200: ok/);
  assert.ok(receiver.requests.some((r) => r.text.includes('imprint_test_flag')));

  // Paused, it holds new impressions back (they show as lag); resumed, it delivers them.
  await warehouse.getByRole('button', { name: 'Pause' }).click();
  await waitForField(page, 'Warehouse', 'sink-status', 'Paused');
  assert.match(await warehouse.getByTestId('sink-paused-reason').innerText(), /Paused by admin@example\.com/);
  const held = await postImpressions(serverKey, 'checkout', 5);
  await waitForField(page, 'Warehouse', 'sink-lag', /^5 rows/);
  assert.equal(await warehouse.getByTestId('sink-delivered').innerText(), '25');
  await warehouse.getByRole('button', { name: 'Resume' }).click();
  await waitForField(page, 'Warehouse', 'sink-status', 'Active');
  await waitForField(page, 'Warehouse', 'sink-delivered', /^30$/);
  assert.deepEqual(deliveredKeys(receiver).sort(), [...keys, ...held].sort());

  // Replay from an hour ago: every row again, all of them duplicates, said before it runs.
  await warehouse.getByRole('button', { name: 'Replay…' }).click();
  const hourAgo = new Date(Date.now() - 3600_000);
  const local = new Date(hourAgo.getTime() - hourAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await warehouse.getByLabel('Replay from').fill(local);
  await warehouse.getByRole('button', { name: 'Replay', exact: true }).click();
  assert.match(await warehouse.getByTestId('sink-replay-result').innerText(),
    /30 rows to deliver again; 30 of them were delivered before/);
  await waitForField(page, 'Warehouse', 'sink-delivered', /^60$/);
  assert.equal(deliveredKeys(receiver).length, 60);

  assert.deepEqual(errors, [], 'no errors in the page');
});

test('a receiver answering 500 makes its integration failing with the answer shown; deleting it asks first', async () => {
  const { serverKey } = await admin.environment('broken');
  const receiver = await startReceiver(() => ({ status: 500, body: 'receiver down for maintenance' }));
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = watchPageErrors(page);
  await signIn(page);
  await openIntegrations(page, 'broken');

  await createWebhook(page, 'Flaky', receiver.url);
  await postImpressions(serverKey, 'search', 3);
  await waitForField(page, 'Flaky', 'sink-status', 'Failing');
  const flaky = card(page, 'Flaky');
  await flaky.getByTestId('sink-last-error').filter({ hasText: 'HTTP 500: receiver down for maintenance' }).waitFor();
  assert.notEqual(await flaky.getByTestId('sink-failed').innerText(), '0');
  await screenshot(page, 'integrations-failing-1280');

  await flaky.getByRole('button', { name: 'Send test' }).click();
  const tested = flaky.getByTestId('sink-test-result');
  await tested.waitFor();
  assert.equal(await tested.getAttribute('data-ok'), 'false');
  assert.match(await tested.innerText(), /refused[\s\S]*HTTP 500: receiver down for maintenance/);

  // A kind the server refuses (a folder outside the sinks' root, or a kind it does not
  // have yet) comes back as the server's own words.
  await page.getByRole('button', { name: 'New integration' }).click();
  const form = page.locator('form.sink-form');
  await form.getByLabel('Kind').selectOption('file');
  await form.getByLabel('Name').fill('Escaping files');
  await form.getByLabel('Folder', { exact: true }).fill('../outside');
  await form.getByRole('button', { name: 'Create integration' }).click();
  assert.match(await form.getByRole('alert').innerText(), /^The integration was not created\. .+/);
  await form.getByRole('button', { name: 'Cancel' }).click();

  await flaky.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Flaky?' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Delete integration' }).click();
  await flaky.waitFor({ state: 'detached' });
  await page.getByRole('heading', { name: 'No integrations yet' }).waitFor();
  const left = await admin.json('GET', '/api/v1/environments/broken/sinks');
  assert.deepEqual(left, []);

  assert.deepEqual(errors, [], 'no errors in the page');
});

test('a refused batch becomes a dead letter with the receiver\'s answer, and Retry delivers it', async () => {
  const { serverKey } = await admin.environment('picky');
  let refusing = true;
  const receiver = await startReceiver(() => (refusing
    ? { status: 400, body: '{"error":"unknown field splitVersionNumber"}' }
    : { status: 200, body: 'ok' }));
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = watchPageErrors(page);
  await signIn(page);
  await openIntegrations(page, 'picky');

  await createWebhook(page, 'Picky', receiver.url);
  const keys = await postImpressions(serverKey, 'pricing', 4);
  await waitForField(page, 'Picky', 'sink-dead-lettered', /^4$/);
  const picky = card(page, 'Picky');
  await picky.getByRole('button', { name: /Show dead letters/ }).click();
  const letter = picky.getByTestId('dead-letter');
  await letter.first().waitFor();
  assert.match(await letter.first().innerText(), /4 impressions[\s\S]*HTTP 400: \{"error":"unknown field splitVersionNumber"\}/);
  await screenshot(page, 'integrations-dead-letters-1280');

  refusing = false;
  await picky.getByRole('button', { name: 'Retry dead letters' }).click();
  assert.match(await picky.getByTestId('dead-letter-retry-result').innerText(), /Retried 1: 1 delivered, 0 still failing/);
  await picky.getByTestId('dead-letters-empty').waitFor();
  await waitForField(page, 'Picky', 'sink-dead-lettered', /^0$/);
  assert.deepEqual(deliveredKeys(receiver).sort(), [...keys].sort());

  assert.deepEqual(errors, [], 'no errors in the page');
});

test('a viewer reads the integrations\' health but gets no forms or actions', async () => {
  await admin.json('POST', '/api/v1/users', { ...VIEWER, role: 'viewer' }, 201);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = watchPageErrors(page);
  await signIn(page, VIEWER);
  await openIntegrations(page, 'hooks');
  const warehouse = card(page, 'Warehouse');
  await waitForField(page, 'Warehouse', 'sink-delivered', /^60$/);
  assert.equal(await page.getByRole('button', { name: 'New integration' }).count(), 0);
  for (const name of ['Send test', 'Pause', 'Replay…', 'Delete']) {
    assert.equal(await warehouse.getByRole('button', { name, exact: true }).count(), 0, name);
  }
  await warehouse.getByRole('button', { name: /Show dead letters/ }).click();
  await warehouse.getByTestId('dead-letters-empty').waitFor();
  assert.equal(await warehouse.getByRole('button', { name: 'Retry dead letters' }).count(), 0);
  assert.deepEqual(errors, [], 'no errors in the page');
});
