// The flags list and the flag page in the browser: tracking indicator, definition, editor with
// inline validation errors, kill switch, tracking toggle, monitoring chart, viewer rights,
// phone width, and the empty environment's SDK snippets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, ADMIN } from '../lib/server.js';
import { launch, screenshot, watchPageErrors } from '../lib/browser.js';
import { Admin, eventually } from '../lib/imprint.js';

const ENV = 'shop';
const FLAG = 'checkout_redesign';
const VIEWER = { email: 'viewer@example.com', password: 'viewer password 123' };
const HOUR = 3_600_000;

let server;
let browser;
let admin;
let serverKey;

const definition = {
  name: FLAG,
  traffic_type: 'user',
  treatments: [{ name: 'on', config: { color: 'blue', steps: 3 } }, { name: 'off' }],
  default_treatment: 'off',
  traffic_allocation: 100,
  sets: ['checkout', 'web'],
  description: 'The one-page checkout, rolled out plan by plan.',
  rules: [
    { kind: 'whitelist', matchers: [{ condition: { type: 'in_list', values: ['qa-1', 'qa-2'] } }], serve: { treatment: 'on' } },
    { matchers: [{ condition: { type: 'in_segment', segment: 'employees' } }], serve: { treatment: 'on' } },
    {
      matchers: [
        { attribute: 'plan', condition: { type: 'in_list', values: ['premium', 'gold'] } },
        { attribute: 'age', condition: { type: 'greater_than_or_equal_to', value: 18 } },
      ],
      serve: { split: [{ treatment: 'on', size: 80 }, { treatment: 'off', size: 20 }] },
    },
    // A kind the structured editor does not edit: it must survive a save unchanged.
    {
      matchers: [{ condition: { type: 'in_flag_treatment', flag: 'new_banner', treatments: ['on'] } }],
      serve: { treatment: 'on' },
      label: 'banner users',
    },
  ],
  default_rule: { split: [{ treatment: 'on', size: 50 }, { treatment: 'off', size: 50 }] },
};

async function postImpressions(items) {
  const res = await fetch(`${server.base}/api/v1/impressions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serverKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  const text = await res.text();
  assert.equal(res.status, 202, text);
  return JSON.parse(text);
}

function impressions(flag, n, { spreadMs = 0, offset = 0 } = {}) {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    flag,
    key: `user-${offset + i}`,
    treatment: i % 3 === 0 ? 'off' : 'on',
    label: i % 4 === 0 ? 'whitelisted' : 'default rule',
    timestamp: now - Math.floor((i * spreadMs) / Math.max(n, 1)),
  }));
}

async function signIn(page, { email, password } = ADMIN) {
  await page.goto(`${server.base}/login`);
  await page.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${server.base}/`);
}

const card = (page, flag) => page.locator(`li.flag-card[data-flag="${flag}"]`);
const chartTotal = async (page) => Number(await page.locator('figure.chart').getAttribute('data-total'));

before(async () => {
  server = await startServer();
  browser = await launch();
  admin = await Admin.signIn(server.base);
  ({ serverKey } = await admin.environment(ENV));
  await admin.json('PUT', `/api/v1/environments/${ENV}/segments/employees`, { keys: ['e-1', 'e-2'] });
  await admin.json('PUT', `/api/v1/environments/${ENV}/flags/new_banner/definition`, {
    name: 'new_banner', traffic_type: 'user', treatments: [{ name: 'on' }, { name: 'off' }], default_treatment: 'off',
    default_rule: { treatment: 'on' }, sets: ['web'],
  });
  await admin.json('PUT', `/api/v1/environments/${ENV}/flags/${FLAG}/definition`, definition);
  await postImpressions(impressions(FLAG, 40, { spreadMs: 10 * HOUR }));
  await postImpressions(impressions('new_banner', 3));
  await postImpressions(impressions('legacy_search', 5)); // observed only
  await postImpressions(impressions('search_v2', 2)); // observed, then defined in the console
  await admin.json('POST', '/api/v1/users', { ...VIEWER, role: 'viewer' }, 201);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an editor reads, edits, kills and monitors a flag and turns its tracking off', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page);

  // The list: every flag, defined or observed, with its tracking indicator.
  await page.goto(`${server.base}/e/${ENV}`);
  await card(page, FLAG).getByRole('img', { name: 'Impression tracking on' }).waitFor();
  await card(page, 'legacy_search').getByText('Observed only').waitFor();
  assert.match(await card(page, FLAG).innerText(), /40\s+impressions · 24 h/);
  await screenshot(page, 'flags-list');

  await page.getByLabel('Search flags').fill('legacy');
  await eventually(async () => assert.equal(await page.locator('li.flag-card').count(), 1));
  await page.getByLabel('Search flags').fill('');
  await page.getByLabel('Filter by flag set').selectOption('checkout');
  await eventually(async () => assert.equal(await page.locator('li.flag-card').count(), 1));
  await page.getByLabel('Filter by flag set').selectOption('');

  // The definition, as the SDKs will see it.
  await card(page, FLAG).getByRole('link', { name: FLAG }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/flags/${FLAG}`);
  await page.getByRole('heading', { name: 'Targeting' }).waitFor();
  const targeting = page.locator('section.targeting');
  for (const label of ['whitelisted', 'in segment employees', 'banner users', 'default rule']) {
    await targeting.locator('.label-chip', { hasText: label }).first().waitFor();
  }
  await targeting.getByText('user.plan in list ["premium", "gold"] and user.age greater than or equal to 18').waitFor();
  await page.getByText('"color": "blue"').waitFor();
  await screenshot(page, 'flag-definition');

  // Editing: a split that does not add up is refused, and the error sits by the split.
  await page.getByRole('button', { name: 'Edit definition' }).click();
  const defaultRule = page.locator('.rule-card.default-rule');
  await defaultRule.getByLabel('Partition 2 percentage').fill('30');
  await page.getByLabel('Description').fill('The one-page checkout, now for everyone.');
  await page.getByRole('button', { name: 'Save definition' }).first().click();
  await defaultRule.locator('.field-errors', { hasText: 'sizes add up to 80, not 100' }).waitFor();
  assert.match(await page.getByRole('alert').first().innerText(), /Default rule › partition: sizes add up to 80, not 100/);
  await screenshot(page, 'flag-editor-error');
  await defaultRule.getByLabel('Partition 2 percentage').fill('50');
  await page.getByRole('button', { name: 'Save definition' }).first().click();
  await page.getByText('The one-page checkout, now for everyone.').waitFor();
  const saved = (await admin.json('GET', `/api/v1/environments/${ENV}/flags/${FLAG}`)).definition;
  assert.deepEqual(saved.default_rule, { split: [{ treatment: 'on', size: 50 }, { treatment: 'off', size: 50 }] });
  assert.deepEqual(saved.rules[3].matchers[0].condition, definition.rules[3].matchers[0].condition,
    'a matcher kind the editor does not know is saved unchanged');
  assert.deepEqual(saved.rules.map((r) => r.label), ['whitelisted', 'in segment employees',
    'user.plan in list ["premium", "gold"] and user.age greater than or equal to 18', 'banner users']);
  assert.deepEqual(saved.treatments, definition.treatments);

  // Kill switch, confirmed.
  await page.getByRole('button', { name: 'Kill', exact: true }).click();
  await page.getByRole('dialog', { name: `Kill ${FLAG}?` }).getByRole('button', { name: 'Kill flag' }).click();
  await page.locator('.flag-meta .badge', { hasText: 'Killed' }).waitFor();
  await page.getByRole('button', { name: 'Restore', exact: true }).click();
  await page.getByRole('dialog', { name: `Restore ${FLAG}?` }).getByRole('button', { name: 'Restore flag' }).click();
  await page.locator('.flag-meta .badge', { hasText: 'Active' }).waitFor();

  // Monitoring: the chart counts what arrives.
  await page.getByRole('link', { name: 'Monitoring' }).click();
  await page.waitForURL(`${server.base}/e/${ENV}/flags/${FLAG}/monitoring`);
  await page.locator('figure.chart').waitFor();
  assert.equal(await chartTotal(page), 40);
  await page.locator('.legend-item[data-treatment="on"]').waitFor();
  await page.getByRole('heading', { name: 'Unique keys per treatment' }).waitFor();
  await page.locator('.breakdown code', { hasText: 'whitelisted' }).waitFor();
  await page.locator('.plot').hover({ position: { x: 900, y: 120 } });
  await page.locator('.chart-tooltip').waitFor();
  await screenshot(page, 'flag-monitoring');
  await postImpressions(impressions(FLAG, 6, { offset: 100 }));
  await page.getByRole('button', { name: 'Refresh' }).click();
  await eventually(async () => assert.equal(await chartTotal(page), 46));
  // The keyboard reads the chart too.
  await page.locator('.plot').focus();
  await page.keyboard.press('End');
  await page.locator('.chart-tooltip', { hasText: 'Total' }).waitFor();

  // Tracking off, through the menu and a confirmation.
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: /Track impressions/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Impression tracking' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Traffic chart[\s\S]*Metric impact[\s\S]*Alerting[\s\S]*Live tail[\s\S]*Export[\s\S]*Integrations[\s\S]*MTK/);
  await dialog.getByRole('switch', { name: 'Track impressions' }).uncheck();
  await page.waitForTimeout(300); // the switch's transition
  await screenshot(page, 'flag-tracking-dialog');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('tracking-off-note').getByText('Impression tracking off').waitFor();
  assert.equal((await admin.json('GET', `/api/v1/environments/${ENV}/flags/${FLAG}`)).tracking_enabled, false);
  const dropped = await postImpressions(impressions(FLAG, 4, { offset: 200 }));
  assert.equal(dropped.dropped_tracking_off, 4);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.locator('.plot .off-band').first().waitFor({ state: 'attached' });
  await page.locator('.chart-note', { hasText: /Impression tracking has been off since/ }).waitFor();
  assert.equal(await chartTotal(page), 46, 'impressions sent while tracking was off are not stored');
  await screenshot(page, 'flag-tracking-off');

  // Back on the list, the card's arrows are greyed out.
  await page.getByRole('link', { name: 'Flags', exact: true }).first().click();
  const off = card(page, FLAG).getByRole('img', { name: 'Impression tracking off' });
  await off.waitFor();
  assert.equal(await off.getAttribute('title'), 'Impression tracking off');
  await page.getByLabel('Filter by impression tracking').selectOption('off');
  await eventually(async () => assert.equal(await page.locator('li.flag-card').count(), 1));
  await screenshot(page, 'flags-list-tracking-off');

  // An observed flag gets its first definition from the console.
  await page.getByLabel('Filter by impression tracking').selectOption('');
  await card(page, 'search_v2').getByRole('link', { name: 'search_v2' }).click();
  await page.getByRole('heading', { name: 'Observed only' }).waitFor();
  await page.getByRole('button', { name: 'Create definition' }).click();
  await page.getByRole('heading', { name: 'Create definition' }).waitFor();
  await page.getByRole('button', { name: 'Save definition' }).first().click();
  await page.getByRole('button', { name: 'Edit definition' }).waitFor();
  const created = await admin.json('GET', `/api/v1/environments/${ENV}/flags/search_v2`);
  assert.equal(created.defined, true);
  assert.deepEqual(created.definition.treatments.map((t) => t.name), ['on', 'off']);
  assert.deepEqual(created.definition.default_rule, { treatment: 'off' });

  assert.deepEqual(errors, [], 'the pages logged no errors');
  await context.close();
});

test('a viewer reads a flag but cannot change its tracking, definition or kill switch', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page, VIEWER);
  await page.goto(`${server.base}/e/${ENV}/flags/${FLAG}`);
  await page.getByRole('heading', { name: 'Targeting' }).waitFor();
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('menuitem', { name: /Export impressions/ }).waitFor();
  assert.equal(await page.getByRole('menuitem', { name: /Track impressions/ }).count(), 0);
  // Keyboard: Escape closes the menu and gives focus back to its button.
  await page.keyboard.press('Escape');
  // isVisible() does not wait: the menu closes on the next render.
  await page.getByRole('menu').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'More actions');
  assert.equal(await page.getByRole('button', { name: 'Edit definition' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /^(Kill|Restore)$/ }).count(), 0);

  // An observed flag says so, without offering viewers to define it.
  await page.goto(`${server.base}/e/${ENV}/flags/legacy_search`);
  await page.getByRole('heading', { name: 'Observed only' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create definition' }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('at phone width the flag pages fit, and an empty environment shows how to connect an SDK', async () => {
  await admin.environment('empty-env');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await signIn(page);

  await page.goto(`${server.base}/e/${ENV}`);
  await card(page, FLAG).waitFor();
  await screenshot(page, 'flags-list-mobile');
  await page.goto(`${server.base}/e/${ENV}/flags/${FLAG}`);
  await page.getByRole('heading', { name: 'Targeting' }).waitFor();
  await screenshot(page, 'flag-definition-mobile');
  const [inner, outer] = await page.evaluate(() => {
    const el = document.querySelector('.flag-page');
    return [el.scrollWidth, el.clientWidth];
  });
  assert.ok(inner <= outer, `the flag page's content fits its width (${inner}px in ${outer}px)`);
  await page.getByRole('button', { name: 'Edit definition' }).click();
  await page.getByRole('heading', { name: 'Edit definition' }).waitFor();
  await screenshot(page, 'flag-editor-mobile');
  const [editorInner, editorOuter] = await page.evaluate(() => {
    const el = document.querySelector('.flag-page');
    return [el.scrollWidth, el.clientWidth];
  });
  assert.ok(editorInner <= editorOuter, `the editor fits its width (${editorInner}px in ${editorOuter}px)`);
  await page.getByRole('button', { name: 'Cancel' }).first().click();
  await page.goto(`${server.base}/e/${ENV}/flags/${FLAG}/monitoring`);
  await page.locator('figure.chart').waitFor();
  await screenshot(page, 'flag-monitoring-mobile');

  await page.goto(`${server.base}/e/empty-env`);
  await page.getByRole('heading', { name: 'Send the first impressions to empty-env' }).waitFor();
  const code = page.locator('pre.code');
  assert.match(await code.innerText(), new RegExp(`IMPRINT = '${server.base}/api'`));
  assert.match(await code.innerText(), /authorizationKey: '<SERVER-SIDE SDK KEY>'/);
  await page.getByRole('button', { name: 'Python SDK' }).click();
  assert.match(await code.innerText(), /sdk_api_base_url=IMPRINT/);
  await page.getByRole('button', { name: 'Browser SDK' }).click();
  assert.match(await code.innerText(), /authorizationKey: '<CLIENT-SIDE SDK KEY>', key: 'user-42'/);
  await page.getByText("Use the environment's client-side SDK key.").waitFor();
  await page.getByRole('button', { name: 'curl (native API)' }).click();
  assert.match(await code.innerText(), /Authorization: Bearer <SERVER-SIDE SDK KEY>/);
  await page.getByRole('button', { name: 'Node.js SDK' }).click();
  await screenshot(page, 'flags-empty-mobile');
  assert.deepEqual(errors, []);
  await context.close();
});
