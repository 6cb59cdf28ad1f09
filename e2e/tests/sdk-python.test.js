// The unmodified Python SDK (splitio_client, run from the venv of scripts/bootstrap.sh) against
// Imprint, in DEBUG and OPTIMIZED mode: the same calls and checks as the Node SDK test.
// OPTIMIZED mode flushes impressions every 60 s at the earliest; destroy() flushes them.
import { test, before, after } from 'node:test';
import { startServer } from '../lib/server.js';
import { Admin, awayFromHourBoundary } from '../lib/imprint.js';
import { CALLS } from '../lib/definitions.js';
import { prepareEnvironment, assertImpressions } from '../lib/scenario.js';
import { runPython } from '../lib/split.js';

let server;
let admin;

before(async () => {
  server = await startServer();
  admin = await Admin.signIn(server.base);
});

after(async () => {
  await server?.stop();
});

for (const mode of ['DEBUG', 'OPTIMIZED']) {
  test(`Python SDK in ${mode} mode: impressions, counts and unique keys reach Imprint`, async () => {
    const env = await prepareEnvironment(admin, `python-${mode.toLowerCase()}`);
    await awayFromHourBoundary(60_000);
    const calls = CALLS.map(({ key, bucketingKey, flag, attributes, properties }) =>
      ({ key, bucketingKey, flag, attributes, properties }));
    const out = await runPython('run_calls.py', { base: server.base, sdk_key: env.serverKey, mode, calls });
    await assertImpressions(admin, env, mode, {
      treatments: out.treatments, sdk: 'python-10.7.0', startedMs: out.started_ms, finishedMs: out.finished_ms,
    });
  });
}
