// The unmodified Node SDK (@splitsoftware/splitio) against Imprint, in DEBUG and OPTIMIZED
// mode: definitions, segments, attributes, impression properties, a killed flag and a flag with
// tracking off; every impression read back through the export API.
import { test, before, after } from 'node:test';
import { startServer } from '../lib/server.js';
import { Admin, awayFromHourBoundary } from '../lib/imprint.js';
import { CALLS } from '../lib/definitions.js';
import { prepareEnvironment, assertImpressions } from '../lib/scenario.js';
import { nodeFactory, splitKey } from '../lib/split.js';

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
  test(`Node SDK in ${mode} mode: impressions, counts and unique keys reach Imprint`, async () => {
    const env = await prepareEnvironment(admin, `node-${mode.toLowerCase()}`);
    const factory = nodeFactory(server.base, env.serverKey, { impressionsMode: mode });
    const client = factory.client();
    await client.whenReady();
    await awayFromHourBoundary();
    const startedMs = Date.now();
    const treatments = CALLS.map((c) =>
      client.getTreatment(splitKey(c.key, c.bucketingKey), c.flag, c.attributes,
        c.properties ? { properties: c.properties } : undefined));
    const finishedMs = Date.now();
    // destroy() flushes impressions, counts and unique keys before it resolves.
    await client.destroy();
    await assertImpressions(admin, env, mode, { treatments, sdk: 'nodejs-11.11.2', startedMs, finishedMs });
  });
}
