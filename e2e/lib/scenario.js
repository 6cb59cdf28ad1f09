// The impression scenario shared by the Node and Python SDK tests: an environment with
// IMPRESSION_FLAGS (one killed, one with tracking off), CALLS made by a real SDK, then every
// impression read back through the export API and the usage counters checked.
import assert from 'node:assert/strict';
import {
  CALLS, IMPRESSION_FLAGS, IMPRESSION_SEGMENTS, KILLED_FLAG, UNTRACKED_FLAG, expectedOutcome,
} from './definitions.js';
import { eventually } from './imprint.js';

export async function prepareEnvironment(admin, name) {
  const env = await admin.environment(name);
  await admin.import(name, IMPRESSION_FLAGS, IMPRESSION_SEGMENTS);
  await admin.kill(name, KILLED_FLAG);
  await admin.setTracking(name, UNTRACKED_FLAG, false);
  env.changeNumbers = await admin.changeNumbers(name, IMPRESSION_FLAGS.map((f) => f.name));
  return env;
}

/**
 * `run` is what the SDK did: `treatments` it returned for CALLS (in order), the `sdk` name
 * it reports (`nodejs-11.11.2`), and the time span of the calls.
 */
export async function assertImpressions(admin, env, mode, run) {
  const { treatments, sdk, startedMs, finishedMs } = run;
  CALLS.forEach((call, i) => {
    const what = `${call.key} ${call.flag} (call ${i})`;
    if (call.treatment === null) assert.ok(call.oneOf.includes(treatments[i]), `${what}: ${treatments[i]}`);
    else assert.equal(treatments[i], call.treatment, what);
  });

  const expected = expectedOutcome(mode, treatments);
  // Every evaluation reaches Imprint as a stored impression, a count or both; destroy()
  // flushed them, but the counters are read until they settle for a slow machine.
  const usage = await eventually(async () => {
    const u = await admin.usage(env.name);
    assert.equal(u.impressions_stored, expected.stored.length, `impressions stored: ${JSON.stringify(u)}`);
    assert.equal(u.impressions_counted_by_sdk, expected.counted, `counted by the SDK: ${JSON.stringify(u)}`);
    assert.equal(u.unique_keys_this_month, expected.uniqueKeys, `MTK: ${JSON.stringify(u)}`);
    return u;
  });
  // The SDKs honour `impressionsDisabled`, so Imprint had nothing to drop.
  assert.equal(usage.impressions_dropped_tracking_off, 0);

  const rows = await admin.exported(env.name);
  assert.equal(rows.length, expected.stored.length, 'one stored impression per expected one');
  assert.equal((await admin.exported(env.name, UNTRACKED_FLAG)).length, 0, 'tracking off: nothing stored');
  assert.ok(rows.every((r) => r.flag !== UNTRACKED_FLAG));

  // Match each expected impression to a distinct row (rows come back in storage order).
  const unmatched = [...rows];
  for (const i of expected.stored) {
    const call = CALLS[i];
    const want = {
      flag: call.flag,
      key: call.key,
      bucketing_key: call.bucketingKey ?? null,
      treatment: treatments[i],
      label: call.label,
      change_number: env.changeNumbers[call.flag],
      properties: call.properties ?? null,
      sdk,
    };
    const at = unmatched.findIndex((r) => Object.entries(want).every(([k, v]) => isDeepEqual(r[k], v)));
    assert.notEqual(at, -1, `impression of call ${i} is stored: ${JSON.stringify(want)}\namong ${JSON.stringify(unmatched, null, 1)}`);
    const [row] = unmatched.splice(at, 1);
    assert.ok(row.timestamp >= startedMs - 1000 && row.timestamp <= finishedMs + 1000,
      `timestamp ${row.timestamp} within the run [${startedMs}, ${finishedMs}]`);
    assert.ok(row.received_at >= row.timestamp - 1000, 'received after evaluated');
    assert.equal(typeof row.machine_name, 'string', 'the SDK machine name header is kept');
    assert.equal(typeof row.machine_ip, 'string', 'the SDK machine IP header is kept');
  }
  assert.deepEqual(unmatched, [], 'no unexpected impressions');
}

function isDeepEqual(a, b) {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
