// Conformance: for 10,000 keys with attributes (and some bucketing keys), the real Node SDK,
// the real Python SDK and Imprint's own evaluator (`POST /api/v1/evaluate`) give the same
// treatment, label, change number and config for every flag, against the same definitions
// served by Imprint (splits, allocation below 100, segments, attribute matchers, dependencies,
// prerequisites, a killed flag).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.js';
import { Admin, evaluate, mapLimit } from '../lib/imprint.js';
import {
  CONFORMANCE_FLAGS, CONFORMANCE_FLAG_NAMES, CONFORMANCE_SEGMENTS, conformanceCases,
} from '../lib/definitions.js';
import { nodeFactory, runPython, splitKey } from '../lib/split.js';

const KEYS = Number(process.env.IMPRINT_E2E_CONFORMANCE_KEYS ?? 10_000);

let server;
let admin;

before(async () => {
  server = await startServer();
  admin = await Admin.signIn(server.base);
});

after(async () => {
  await server?.stop();
});

/** The Node SDK in-process; labels and change numbers through its impression listener. */
async function nodeAnswers(env, cases) {
  const seen = new Map();
  const factory = nodeFactory(server.base, env.serverKey, {
    impressionsMode: 'NONE',
    impressionListener: {
      logImpression({ impression: i }) {
        seen.set(`${i.keyName}\u0000${i.feature}`, [i.label, i.changeNumber]);
      },
    },
  });
  const client = factory.client();
  await client.whenReady();
  const answers = cases.map((c) =>
    client.getTreatmentsWithConfig(splitKey(c.key, c.bucketingKey), CONFORMANCE_FLAG_NAMES, c.attributes));
  // The listener runs on timers after each evaluation.
  await new Promise((r) => setTimeout(r, 50));
  await client.destroy();
  return cases.map((c, i) => Object.fromEntries(CONFORMANCE_FLAG_NAMES.map((flag) => {
    const { treatment, config } = answers[i][flag];
    const [label, changeNumber] = seen.get(`${c.key}\u0000${flag}`) ?? [undefined, undefined];
    return [flag, [treatment, label, changeNumber, config]];
  })));
}

async function imprintAnswers(env, cases) {
  return mapLimit(cases, 8, async (c) => {
    const body = { key: c.key, flags: CONFORMANCE_FLAG_NAMES, attributes: c.attributes };
    if (c.bucketingKey) body.bucketing_key = c.bucketingKey;
    const { treatments } = await evaluate(server.base, env.serverKey, body);
    return Object.fromEntries(CONFORMANCE_FLAG_NAMES.map((flag) => {
      const t = treatments[flag];
      return [flag, [t.treatment, t.label, t.change_number, t.config]];
    }));
  });
}

function compare(name, theirs, ours, cases) {
  const mismatches = [];
  cases.forEach((c, i) => {
    for (const flag of CONFORMANCE_FLAG_NAMES) {
      if (JSON.stringify(theirs[i][flag]) !== JSON.stringify(ours[i][flag])) {
        mismatches.push({ flag, ...c, [name]: theirs[i][flag], imprint: ours[i][flag] });
      }
    }
  });
  assert.equal(mismatches.length, 0,
    `${mismatches.length} of ${cases.length * CONFORMANCE_FLAG_NAMES.length} evaluations differ between ${name} and Imprint; first ones:\n`
    + mismatches.slice(0, 15).map((m) => JSON.stringify(m)).join('\n'));
}

test(`the Node and Python SDKs and Imprint's evaluator agree on ${KEYS} keys`, async (t) => {
  const env = await admin.environment('conformance');
  await admin.import('conformance', CONFORMANCE_FLAGS, CONFORMANCE_SEGMENTS);
  const cases = conformanceCases(KEYS);

  // Python runs in its own process meanwhile.
  const timed = async (label, p) => {
    const start = Date.now();
    const value = await p;
    t.diagnostic(`${label}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return value;
  };
  const python = timed('Python SDK', runPython('evaluate_keys.py', {
    base: server.base, sdk_key: env.serverKey, flags: CONFORMANCE_FLAG_NAMES, cases,
  }, { timeoutMs: 240_000 }));
  python.catch(() => {}); // awaited below; keep an early failure from being unhandled
  const node = await timed('Node SDK', nodeAnswers(env, cases));
  const ours = await timed('Imprint /api/v1/evaluate', imprintAnswers(env, cases));
  const { results: py } = await python;

  // The answers are not trivial: every flag yields more than one treatment or label.
  for (const flag of CONFORMANCE_FLAG_NAMES.filter((f) => f !== 'killed_one')) {
    const distinct = new Set(ours.map((r) => `${r[flag][0]}/${r[flag][1]}`));
    assert.ok(distinct.size > 1, `${flag} varies over the keys: ${[...distinct]}`);
  }
  const labels = new Set(ours.flatMap((r) => Object.values(r).map((a) => a[1])));
  for (const label of ['not in split', 'in segment beta', 'whitelisted', 'killed', 'prerequisites not met',
    'rollout_50 is on', 'AR/FR adults', 'score between 40 and 60', 'tags all a c', 'email regex', 'v between',
    'not employee and not US', 'default rule']) {
    assert.ok(labels.has(label), `some evaluation ends with the label \`${label}\``);
  }
  assert.equal(node.length, cases.length);
  assert.equal(py.length, cases.length);
  compare('node', node, ours, cases);
  compare('python', py, ours, cases);
});
