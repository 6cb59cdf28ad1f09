// The console's administration pages in Chromium: environments and their SDK keys, users,
// the audit log and the account page; then the same pages as a viewer, and at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN } from '../lib/server.js';
import { launch, screenshot as save, watchPageErrors } from '../lib/browser.js';

const VIEWER = { email: 'viewer@example.com', password: 'viewer password 1' };
const NEW_ADMIN_PASSWORD = 'a brand new admin password';

let server;
let browser;
// The admin's password once the first test changed it.
let adminPassword = ADMIN.password;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A screenshot once dialogs have finished opening. */
async function screenshot(page, name) {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
  await save(page, name);
}

async function signIn(page, { email, password }) {
  await page.goto(`${server.base}/login`);
  await page.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.base}/`);
  await page.getByTestId('signed-in-user').waitFor();
}

function nav(page, name) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

/** The environment's card on the Environments page. */
function card(page, name) {
  return page.locator(`article.env-card[data-environment="${name}"]`);
}

test('an admin creates an environment, manages its keys and users, reads the audit log and changes their password', async () => {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, ADMIN);

  // A fresh Imprint has no environment: the overview says so and offers to create one.
  await page.getByRole('heading', { name: 'No environments yet' }).waitFor();
  await screenshot(page, 'admin-overview-empty-1280');
  await page.getByRole('link', { name: 'Create your first environment' }).click();
  await page.waitForURL(/\/environments\?new/);
  await page.getByRole('heading', { name: 'New environment' }).waitFor();

  // Mistakes are explained before anything is sent.
  const createForm = page.locator('.create-env');
  await createForm.getByLabel('Name').fill('bad name');
  await page.getByRole('button', { name: 'Create environment' }).click();
  assert.match(await page.getByRole('alert').innerText(), /letters, digits/);

  await createForm.getByLabel('Name').fill('staging');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await page.getByRole('heading', { name: 'Environment staging is ready' }).waitFor();
  const serverKey = (await page.getByTestId('secret-server').innerText()).trim();
  assert.match(serverKey, /^imp_srv_/);
  assert.match(await page.getByTestId('secret-client').innerText(), /^imp_cli_/);
  assert.match(await page.locator('.created-env').innerText(), /won't be shown again/);

  await page.getByRole('button', { name: 'Copy server key' }).click();
  await page.getByRole('button', { name: 'Copy server key' }).filter({ hasText: 'Copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(copied.startsWith('imp_srv_'), `the clipboard holds the server key, not ${copied}`);
  assert.equal(copied, serverKey);

  // The shell's environment picker knows the new environment without a reload.
  await page.getByRole('combobox', { name: 'Environment' })
    .locator('option', { hasText: 'staging' }).waitFor({ state: 'attached' });
  await screenshot(page, 'admin-environment-created-1280');

  await page.getByRole('button', { name: "I've copied the keys" }).click();
  const staging = card(page, 'staging');
  await staging.waitFor();
  assert.match(await staging.getByTestId('retention').innerText(), /90 days/);
  await staging.getByText('Unique keys (MTK)').waitFor();
  await staging.locator('.usage-value').first().filter({ hasText: '0' }).waitFor();

  // A second environment with the same name is refused, in words.
  await page.getByRole('button', { name: 'New environment' }).click();
  await createForm.getByLabel('Name').fill('staging');
  await page.getByRole('button', { name: 'Create environment' }).click();
  assert.match(await page.locator('.create-env').getByRole('alert').innerText(), /already exists/);
  await createForm.getByRole('button', { name: 'Cancel' }).click();

  // Retention.
  await staging.getByRole('button', { name: 'Settings of staging' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings of staging' });
  await settings.waitFor();
  assert.match(await settings.innerText(), /older than this are deleted/);
  await settings.getByLabel('Retention (days)').fill('5000');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  assert.match(await settings.getByRole('alert').innerText(), /1 to 3650/);
  await settings.getByLabel('Retention (days)').fill('30');
  await screenshot(page, 'admin-environment-settings-1280');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await settings.waitFor({ state: 'hidden' });
  await staging.getByTestId('retention').filter({ hasText: '30 days' }).waitFor();
  assert.match(await staging.locator('.notice').innerText(), /30 days/);

  // Web origins: a bad one is refused with the server's reason, then a list is saved.
  assert.match(await staging.getByTestId('origins').innerText(), /any web page/);
  await staging.getByRole('button', { name: 'Settings of staging' }).click();
  await settings.getByLabel('Allowed web origins').fill('shop.example.com');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  assert.match(await settings.getByRole('alert').innerText(), /not a web origin/);
  await settings.getByLabel('Allowed web origins').fill('https://shop.example.com\nhttp://localhost:3000');
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await settings.waitFor({ state: 'hidden' });
  await staging.getByTestId('origins').filter({ hasText: 'only from https://shop.example.com, http://localhost:3000' }).waitFor();

  // A new key, shown once with its copy button, then revoked after a confirmation.
  await staging.getByRole('button', { name: 'Add client key' }).click();
  const newKey = staging.getByTestId('secret-client');
  await newKey.waitFor();
  const clientKey = (await newKey.innerText()).trim();
  assert.match(clientKey, /^imp_cli_/);
  await staging.getByRole('button', { name: 'Copy client key' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), clientKey);
  await staging.locator('.keys-table tbody tr').nth(2).waitFor();
  assert.equal(await staging.locator('.keys-table tbody tr').count(), 3);
  await screenshot(page, 'admin-environment-new-key-1280');
  await staging.getByRole('button', { name: "I've copied it" }).click();

  const hint = clientKey.slice(-4);
  await staging.getByRole('button', { name: `Revoke client key imp_cli_…${hint}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Revoke the client key?' });
  await confirm.waitFor();
  assert.match(await confirm.innerText(), /refused from their next request/);
  await screenshot(page, 'admin-revoke-dialog-1280');
  // Escape cancels: nothing is revoked.
  await page.keyboard.press('Escape');
  await confirm.waitFor({ state: 'hidden' });
  assert.equal(await staging.locator('.keys-table tbody tr').count(), 3);
  await staging.getByRole('button', { name: `Revoke client key imp_cli_…${hint}` }).click();
  await confirm.getByRole('button', { name: 'Revoke key' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await staging.getByText(`imp_cli_…${hint} is revoked`).waitFor();
  // The notice comes with the API's answer; the table follows once the environment is re-read.
  await staging.locator('.keys-table tbody tr').nth(2).waitFor({ state: 'detached' });
  assert.equal(await staging.locator('.keys-table tbody tr').count(), 2);
  await screenshot(page, 'admin-environments-1280');

  // A second environment, renamed: its card and the shell's picker follow.
  await page.getByRole('button', { name: 'New environment' }).click();
  await createForm.getByLabel('Name').fill('sandbox');
  await createForm.getByLabel('Retention (days)').fill('7');
  await page.getByRole('button', { name: 'Create environment' }).click();
  await page.getByRole('heading', { name: 'Environment sandbox is ready' }).waitFor();
  await page.getByRole('button', { name: "I've copied the keys" }).click();
  await card(page, 'sandbox').getByRole('button', { name: 'Settings of sandbox' }).click();
  const sandboxSettings = page.getByRole('dialog', { name: 'Settings of sandbox' });
  await sandboxSettings.getByLabel('Name').fill('qa');
  await sandboxSettings.getByRole('button', { name: 'Save changes' }).click();
  await sandboxSettings.waitFor({ state: 'hidden' });
  const qa = card(page, 'qa');
  await qa.getByText('Renamed sandbox to qa.').waitFor();
  assert.match(await qa.getByTestId('retention').innerText(), /7 days/);
  const picker = page.getByRole('combobox', { name: 'Environment' });
  await picker.locator('option', { hasText: /^qa$/ }).waitFor({ state: 'attached' });
  assert.equal(await picker.locator('option', { hasText: 'sandbox' }).count(), 0);

  // Users: add one, change their role, deactivate and reactivate them.
  await nav(page, 'Users').click();
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  await page.getByRole('button', { name: 'New user' }).click();
  const addUser = page.locator('#add-user');
  await addUser.getByLabel('Email').fill(VIEWER.email);
  await addUser.getByLabel('First password').fill('short');
  await addUser.getByLabel('Role').selectOption('editor');
  await addUser.getByRole('button', { name: 'Add user' }).click();
  assert.match(await addUser.getByRole('alert').innerText(), /at least 10 characters/);
  await addUser.getByLabel('First password').fill(VIEWER.password);
  await addUser.getByRole('button', { name: 'Add user' }).click();
  await page.getByRole('status').filter({ hasText: `${VIEWER.email} can now sign in as editor` }).waitFor();
  const row = page.locator(`tr[data-user="${VIEWER.email}"]`);
  await row.locator('.role-badge', { hasText: 'editor' }).waitFor();

  await row.getByRole('button', { name: `Change role of ${VIEWER.email}` }).click();
  const roleDialog = page.getByRole('dialog', { name: `Change the role of ${VIEWER.email}` });
  await roleDialog.waitFor();
  await roleDialog.getByRole('radio', { name: /Viewer/ }).check();
  await screenshot(page, 'admin-role-dialog-1280');
  await roleDialog.getByRole('button', { name: 'Save role' }).click();
  await roleDialog.waitFor({ state: 'hidden' });
  await row.locator('.role-badge', { hasText: 'viewer' }).waitFor();
  await page.getByRole('status').filter({ hasText: `${VIEWER.email} is now a viewer.` }).waitFor();

  await row.getByRole('button', { name: `Deactivate ${VIEWER.email}` }).click();
  const deactivate = page.getByRole('dialog', { name: `Deactivate ${VIEWER.email}?` });
  await deactivate.getByRole('button', { name: 'Deactivate' }).click();
  await deactivate.waitFor({ state: 'hidden' });
  await row.getByText('Deactivated').waitFor();
  await row.getByRole('button', { name: `Reactivate ${VIEWER.email}` }).click();
  await row.getByText('Active', { exact: true }).waitFor();
  // Admins do not demote or deactivate themselves here.
  const me = page.locator(`tr[data-user="${ADMIN.email}"]`);
  assert.equal(await me.getByRole('button').count(), 0);
  await screenshot(page, 'admin-users-1280');

  // The audit log lists those changes, with old and new values, and filters them.
  await nav(page, 'Audit log').click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  const rows = page.locator('.audit-table tbody tr');
  await rows.first().waitFor();
  const log = await page.locator('.audit-table').innerText();
  for (const words of ['Environment created', 'Environment changed', 'SDK key added', 'SDK key revoked', 'User changed']) {
    assert.match(log, new RegExp(words), `the audit log shows “${words}”`);
  }
  const retention = page.locator('tr[data-action="environment.update"]', { hasText: 'retention days' });
  assert.match(await retention.innerText(), /retention days\s*90\s*→\s*30/);
  await screenshot(page, 'admin-audit-1280');

  const filters = page.getByRole('search', { name: 'Filter the audit log' });
  await filters.getByLabel('Action').selectOption('sdk_key.');
  await page.waitForURL(/action=sdk_key\./);
  await page.getByText('2 changes, newest first.').waitFor();
  const actions = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
  assert.deepEqual(actions, ['sdk_key.revoke', 'sdk_key.create']);
  await filters.getByLabel('Actor').fill('nobody@');
  await filters.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('No change matches these filters.').waitFor();
  await filters.getByLabel('Actor').fill('admin@');
  await filters.getByLabel('Actor').press('Enter');
  await page.waitForURL(/actor=admin/);
  await filters.getByLabel('Environment').selectOption('staging');
  await page.waitForURL(/environment=staging/);
  await page.getByText('2 changes, newest first.').waitFor();
  await screenshot(page, 'admin-audit-filtered-1280');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.waitForURL(`${server.base}/audit`);

  // The overview now lists the environment as a way into its flags.
  await nav(page, 'Overview').click();
  await page.getByRole('link', { name: 'staging' }).waitFor();
  await screenshot(page, 'admin-overview-1280');

  // Account: a wrong current password is refused in words, then the password changes.
  await nav(page, 'Account').click();
  await page.getByRole('heading', { name: 'Account' }).waitFor();
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_ADMIN_PASSWORD);
  await page.getByLabel('Repeat the new password').fill(NEW_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  assert.match(await page.getByRole('alert').innerText(), /current password is wrong/i);
  await page.getByLabel('Current password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
  adminPassword = NEW_ADMIN_PASSWORD;
  await screenshot(page, 'admin-account-1280');

  // Still signed in here; the new password works for the next sign-in.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login$/);
  await signIn(page, { email: ADMIN.email, password: NEW_ADMIN_PASSWORD });

  assert.deepEqual(errors, [], 'the pages logged no errors');
  await context.close();
});

test('a viewer sees environments, keys and the audit log but no control that changes them', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, VIEWER);

  assert.equal(await nav(page, 'Users').count(), 0, 'the navigation hides Users from viewers');
  await page.getByRole('link', { name: 'staging' }).waitFor();

  await nav(page, 'Environments').click();
  const staging = card(page, 'staging');
  await staging.locator('.keys-table tbody tr').first().waitFor();
  await page.getByTestId('read-only-notice').waitFor();
  assert.equal(await page.getByRole('button', { name: 'New environment' }).count(), 0);
  assert.equal(await staging.getByRole('button', { name: /Settings/ }).count(), 0);
  assert.equal(await staging.getByRole('button', { name: /Revoke|Add .* key/ }).count(), 0);
  assert.match(await staging.innerText(), /imp_srv_…/);
  await screenshot(page, 'viewer-environments-1280');

  await page.goto(`${server.base}/users`);
  await page.getByRole('heading', { name: 'Admins only' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'New user' }).count(), 0);
  await screenshot(page, 'viewer-users-1280');

  await nav(page, 'Audit log').click();
  await page.locator('.audit-table tbody tr').first().waitFor();

  assert.deepEqual(errors, [], 'the pages logged no errors');
  await context.close();
});

test('the administration pages work at phone width', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, { email: ADMIN.email, password: adminPassword });
  await page.getByRole('link', { name: 'staging' }).waitFor();
  await screenshot(page, 'admin-overview-390');

  await page.goto(`${server.base}/environments`);
  const staging = card(page, 'staging');
  await staging.locator('.keys-table tbody tr').first().waitFor();
  await staging.locator('.usage-value').first().filter({ hasText: '0' }).waitFor();
  await screenshot(page, 'admin-environments-390');
  await staging.getByRole('button', { name: 'Settings of staging' }).click();
  await page.getByRole('dialog', { name: 'Settings of staging' }).waitFor();
  await screenshot(page, 'admin-environment-settings-390');
  await page.keyboard.press('Escape');

  await page.goto(`${server.base}/users`);
  await page.locator(`tr[data-user="${VIEWER.email}"]`).waitFor();
  await screenshot(page, 'admin-users-390');

  await page.goto(`${server.base}/audit`);
  await page.locator('.audit-table tbody tr').first().waitFor();
  await screenshot(page, 'admin-audit-390');

  await page.goto(`${server.base}/account`);
  await page.getByRole('heading', { name: 'Password' }).waitFor();
  await screenshot(page, 'admin-account-390');

  // Nothing in these pages is wider than the page's column (tables become stacked cards).
  for (const path of ['/environments', '/users', '/audit', '/account', '/']) {
    await page.goto(`${server.base}${path}`);
    await page.waitForLoadState('networkidle');
    const wide = await page.evaluate(() => {
      const main = document.querySelector('main.content');
      const edge = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
      return [...main.querySelectorAll('*')]
        .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > edge + 1)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    });
    assert.deepEqual(wide, [], `${path} has content wider than its column at 390 px`);
    // The top bar fits too: nothing scrolls sideways, and sign out stays on screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow} px at 390 px`);
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
    assert.ok(signOut.x + signOut.width <= 390, `${path}: Sign out ends at ${signOut.x + signOut.width} px`);
  }

  assert.deepEqual(errors, [], 'the pages logged no errors');
  await context.close();
});
