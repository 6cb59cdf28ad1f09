import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN } from '../lib/server.js';
import { launch, screenshot, watchPageErrors } from '../lib/browser.js';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an admin signs in through the form, uses the hydrated console and signs out', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);

  await page.goto(`${server.base}/`);
  assert.match(page.url(), /\/login$/, 'signed-out visitors land on the login page');
  await page.getByRole('heading', { name: 'Sign in to your console' }).waitFor();

  // The submit button is disabled in the server's HTML and enabled by the client: hydration.
  const submit = page.getByRole('button', { name: 'Sign in' });
  await assert.doesNotReject(submit.waitFor({ state: 'visible' }));
  await page.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);

  // "Show" only works client-side: it flips the password field's type.
  await page.getByLabel('Password', { exact: true }).fill('not the password');
  await page.getByRole('button', { name: 'Show' }).click();
  assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('type'), 'text');

  await page.getByLabel('Email').fill(ADMIN.email);
  await submit.click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /email or password is wrong/);
  await screenshot(page, 'login-error');

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await submit.click();
  await page.waitForURL(`${server.base}/`);
  const user = page.getByTestId('signed-in-user');
  await user.waitFor();
  assert.match(await user.innerText(), new RegExp(ADMIN.email));
  assert.match(await user.innerText(), /admin/i);
  await page.getByRole('heading', { name: /Welcome/ }).waitFor();
  await screenshot(page, 'shell-overview');

  // Client-side navigation, then a write through the API with the CSRF token.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
  await page.getByRole('heading', { name: 'Account' }).waitFor();
  await page.getByLabel('Token name').fill('browser test');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = page.getByTestId('new-token');
  await token.waitFor();
  assert.match(await token.innerText(), /^imp_pat_/);
  await page.getByRole('cell', { name: 'browser test', exact: true }).waitFor();
  await screenshot(page, 'account-token');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login$/);
  await page.goto(`${server.base}/account`);
  assert.match(page.url(), /\/login$/, 'the session ended');

  assert.deepEqual(errors, [], 'the page logged no errors');
  await context.close();
});

test('the console works at phone width with the navigation in a drawer', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await page.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.base}/`);
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.isVisible(), false, 'the drawer starts closed');
  await page.getByRole('button', { name: 'Toggle navigation' }).click();
  await nav.waitFor({ state: 'visible' });
  await screenshot(page, 'shell-mobile');
  await context.close();
});
