// An OpenFeature client (@openfeature/server-sdk with the OFREP provider from npm) evaluating
// Imprint's flags over OFREP, authenticated with an SDK key as a Bearer token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { startServer } from '../lib/server.js';
import { Admin } from '../lib/imprint.js';
import { prepareEnvironment } from '../lib/scenario.js';

let server;
let admin;
let env;
let client;

before(async () => {
  server = await startServer();
  admin = await Admin.signIn(server.base);
  env = await prepareEnvironment(admin, 'ofrep');
  const provider = new OFREPProvider({ baseUrl: server.base, headers: { Authorization: `Bearer ${env.serverKey}` } });
  await OpenFeature.setProviderAndWait('imprint', provider);
  client = OpenFeature.getClient('imprint');
});

after(async () => {
  await OpenFeature.close();
  await server?.stop();
});

test('string flags resolve with Imprint treatment, reason, label and change number', async () => {
  const premium = await client.getStringDetails('checkout_v2', 'fallback', { targetingKey: 'alice', plan: 'premium' });
  assert.equal(premium.value, 'on');
  assert.equal(premium.variant, 'on');
  assert.equal(premium.reason, 'TARGETING_MATCH');
  assert.equal(premium.errorCode, undefined);
  assert.equal(premium.flagMetadata.label, 'plan in list [premium]');
  assert.equal(premium.flagMetadata.changeNumber, env.changeNumbers.checkout_v2);
  assert.equal(premium.flagMetadata.config, '{"color":"blue"}');

  assert.equal(await client.getStringValue('beta_gate', 'fallback', { targetingKey: 'carol' }), 'on', 'segment member');
  assert.equal(await client.getStringValue('beta_gate', 'fallback', { targetingKey: 'dave' }), 'off');

  const minor = await client.getStringDetails('age_gate', 'fallback', { targetingKey: 'dave', age: 12 });
  assert.equal(minor.value, 'minor');
  assert.equal(minor.reason, 'DEFAULT');
  assert.equal((await client.getStringDetails('age_gate', 'fallback', { targetingKey: 'dave', age: 40 })).value, 'adult');

  const killed = await client.getStringDetails('killed_banner', 'fallback', { targetingKey: 'alice' });
  assert.equal(killed.value, 'off');
  assert.equal(killed.reason, 'DISABLED');
  assert.equal(killed.flagMetadata.label, 'killed');
});

test('errors come back as OpenFeature error codes with the default value', async () => {
  const missing = await client.getStringDetails('no_such_flag', 'fallback', { targetingKey: 'alice' });
  assert.equal(missing.value, 'fallback');
  assert.equal(missing.reason, 'ERROR');
  assert.equal(missing.errorCode, 'FLAG_NOT_FOUND');

  const noKey = await client.getStringDetails('checkout_v2', 'fallback', { plan: 'premium' });
  assert.equal(noKey.value, 'fallback');
  assert.equal(noKey.errorCode, 'TARGETING_KEY_MISSING');

  const typed = await client.getBooleanDetails('checkout_v2', false, { targetingKey: 'alice' });
  assert.equal(typed.value, false);
  assert.equal(typed.errorCode, 'TYPE_MISMATCH', 'treatments are strings');
});

test('a wrong SDK key is refused', async () => {
  const provider = new OFREPProvider({ baseUrl: server.base, headers: { Authorization: 'Bearer not-a-key' } });
  await OpenFeature.setProviderAndWait('stranger', provider);
  const details = await OpenFeature.getClient('stranger').getStringDetails('checkout_v2', 'fallback', { targetingKey: 'alice' });
  assert.equal(details.value, 'fallback');
  assert.equal(details.reason, 'ERROR');
});

test('OFREP evaluations are recorded as impressions, except of flags with tracking off', async () => {
  await client.getStringValue('silent_flag', 'fallback', { targetingKey: 'erin' });
  const rows = await admin.exported('ofrep');
  assert.ok(rows.length >= 6, `${rows.length} impressions`);
  assert.ok(rows.every((r) => r.sdk === 'ofrep'));
  const alice = rows.find((r) => r.flag === 'checkout_v2' && r.key === 'alice');
  assert.equal(alice.treatment, 'on');
  assert.equal(alice.label, 'plan in list [premium]');
  assert.equal(alice.change_number, env.changeNumbers.checkout_v2);
  assert.ok(rows.every((r) => r.flag !== 'silent_flag' && r.flag !== 'no_such_flag'));
  const usage = await admin.usage('ofrep');
  assert.equal(usage.impressions_dropped_tracking_off, 1, 'the silent flag was evaluated and not stored');
});
