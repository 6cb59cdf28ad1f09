// Split-format flag definitions shared by the SDK tests, and the calls the impression tests
// make with them. Imprint imports these (`POST /api/v1/environments/{env}/import`) and serves
// them back to the SDKs; it assigns its own change numbers.

const TT = 'user';

export function matcher(matcherType, { attribute = null, negate = false, ...data } = {}) {
  return { keySelector: { trafficType: TT, attribute }, matcherType, negate, ...data };
}

export function condition(matchers, partitions, label, conditionType = 'ROLLOUT') {
  if (typeof partitions === 'string') partitions = [{ treatment: partitions, size: 100 }];
  return { conditionType, matcherGroup: { combiner: 'AND', matchers }, partitions, label };
}

export const split = (...pairs) => pairs.map(([treatment, size]) => ({ treatment, size }));
export const allKeys = (partitions) => condition([matcher('ALL_KEYS')], partitions, 'default rule');
const list = (whitelist) => ({ whitelistMatcherData: { whitelist } });

export function flag(name, conditions, {
  defaultTreatment = 'off', trafficAllocation = 100, killed = false, configurations = {},
  seed, trafficAllocationSeed, prerequisites,
} = {}) {
  const f = {
    name, trafficTypeName: TT, trafficAllocation,
    trafficAllocationSeed: trafficAllocationSeed ?? stringSeed(`${name}/allocation`),
    seed: seed ?? stringSeed(name),
    status: 'ACTIVE', killed, defaultTreatment, changeNumber: 1,
    algo: 2, configurations, sets: [], impressionsDisabled: false, conditions,
  };
  if (prerequisites) f.prerequisites = prerequisites;
  return f;
}

/** A fixed signed 32-bit seed derived from a string (FNV-1a), so definitions are repeatable. */
function stringSeed(text) {
  let h = 0x811c9dc5;
  for (const c of text) h = Math.imul(h ^ c.codePointAt(0), 0x01000193);
  return h | 0;
}

// ---------------------------------------------------------------------------------------------
// The impression tests: a handful of flags, and calls whose outcome is known in advance.

export const IMPRESSION_SEGMENTS = [{ name: 'beta_testers', keys: ['carol', 'vip-user'] }];

export const IMPRESSION_FLAGS = [
  flag('checkout_v2', [
    condition([matcher('WHITELIST', list(['vip-user']))], 'on', 'whitelisted', 'WHITELIST'),
    condition([matcher('WHITELIST', { attribute: 'plan', ...list(['premium']) })], 'on', 'plan in list [premium]'),
    allKeys(split(['on', 50], ['off', 50])),
  ], { configurations: { on: '{"color":"blue"}' } }),
  flag('beta_gate', [
    condition([matcher('IN_SEGMENT', { userDefinedSegmentMatcherData: { segmentName: 'beta_testers' } })],
      'on', 'in segment beta_testers'),
    allKeys('off'),
  ]),
  flag('age_gate', [
    condition([matcher('GREATER_THAN_OR_EQUAL_TO', {
      attribute: 'age', unaryNumericMatcherData: { dataType: 'NUMBER', value: 18 },
    })], 'adult', 'age >= 18'),
  ], { defaultTreatment: 'minor' }),
  // Killed through the API after the import.
  flag('killed_banner', [allKeys('on')]),
  // Impression tracking turned off through the API after the import.
  flag('silent_flag', [allKeys('on')]),
];

export const KILLED_FLAG = 'killed_banner';
export const UNTRACKED_FLAG = 'silent_flag';

/**
 * What each SDK evaluates, in order. `treatment`/`label` are the expected answer; a null
 * treatment means "either of `oneOf`" (a 50/50 split; the conformance test checks bucketing).
 * `erin` is evaluated only on the untracked flag: her key reaches Imprint through
 * `/v1/keys/ss` alone, so she proves that MTK still counts keys of dropped impressions.
 */
export const CALLS = [
  { key: 'vip-user', flag: 'checkout_v2', attributes: {}, treatment: 'on', label: 'whitelisted' },
  { key: 'alice', flag: 'checkout_v2', attributes: { plan: 'premium' }, properties: { page: 'cart', items: 3, express: true },
    treatment: 'on', label: 'plan in list [premium]' },
  { key: 'frank', bucketingKey: 'bk-frank', flag: 'checkout_v2', attributes: { plan: 'premium' },
    treatment: 'on', label: 'plan in list [premium]' },
  { key: 'bob', flag: 'checkout_v2', attributes: { plan: 'free' }, treatment: null, oneOf: ['on', 'off'], label: 'default rule' },
  { key: 'bob', flag: 'checkout_v2', attributes: { plan: 'free' }, treatment: null, oneOf: ['on', 'off'], label: 'default rule' },
  { key: 'carol', flag: 'beta_gate', attributes: {}, treatment: 'on', label: 'in segment beta_testers' },
  { key: 'dave', flag: 'beta_gate', attributes: {}, treatment: 'off', label: 'default rule' },
  { key: 'carol', flag: 'age_gate', attributes: { age: 30 }, treatment: 'adult', label: 'age >= 18' },
  { key: 'dave', flag: 'age_gate', attributes: { age: 12 }, properties: { source: 'e2e' }, treatment: 'minor', label: 'default rule' },
  // The same impression without properties: impressions with properties bypass the SDKs'
  // dedupe, so in OPTIMIZED mode this one is still the first of its kind.
  { key: 'dave', flag: 'age_gate', attributes: { age: 12 }, treatment: 'minor', label: 'default rule' },
  { key: 'alice', flag: 'killed_banner', attributes: {}, treatment: 'off', label: 'killed' },
  { key: 'alice', flag: 'killed_banner', attributes: {}, treatment: 'off', label: 'killed' },
  { key: 'erin', flag: 'silent_flag', attributes: {}, treatment: 'on', label: 'default rule' },
  { key: 'alice', flag: 'silent_flag', attributes: {}, treatment: 'on', label: 'default rule' },
  { key: 'erin', flag: 'silent_flag', attributes: {}, treatment: 'on', label: 'default rule' },
];

/**
 * What Imprint should end up with after an SDK in `mode` made CALLS (within one hour) and
 * was destroyed: which calls are stored as impressions, how many evaluations the SDK reports
 * only as counts, and how many distinct keys were seen.
 * DEBUG sends every impression; OPTIMIZED sends the first (key, flag, treatment, label,
 * change number) of the hour and counts the repeats; impressions with properties are always
 * sent and never deduped. The untracked flag's evaluations are only counted, in both modes.
 */
export function expectedOutcome(mode, returned) {
  const seen = new Set();
  const stored = [];
  let counted = 0;
  CALLS.forEach((call, i) => {
    if (call.flag === UNTRACKED_FLAG) {
      counted += 1;
      return;
    }
    if (call.properties) {
      stored.push(i);
      return;
    }
    const id = JSON.stringify([call.key, call.flag, returned[i], call.label]);
    const repeat = seen.has(id);
    seen.add(id);
    if (mode === 'OPTIMIZED' && repeat) counted += 1;
    else stored.push(i);
  });
  return { stored, counted, uniqueKeys: new Set(CALLS.map((c) => c.key)).size };
}

// ---------------------------------------------------------------------------------------------
// The conformance test: flags with splits, partial allocation, segments and attribute matchers.
// Attribute values are well typed (integers, strings, string lists): splitio_client 10.7.0 reads
// floats, numeric strings, DATETIME values and mixed lists differently from the Node SDK (see
// backend/domain/tests/fixtures/split/sdk_evaluations.json), and Imprint follows the Node SDK.

export const CONFORMANCE_SEGMENTS = [
  { name: 'beta', keys: Array.from({ length: 400 }, (_, i) => `user-${i * 25}`) },
  { name: 'employees', keys: ['user-1', 'user-2', 'user-3', 'user-4', 'user-5', 'user-6', 'user-7'] },
];

export const CONFORMANCE_FLAGS = [
  flag('rollout_50', [allKeys(split(['on', 50], ['off', 50]))],
    { configurations: { on: '{"color":"blue"}', off: '{"color":"grey"}' } }),
  flag('three_way', [allKeys(split(['a', 33], ['b', 33], ['c', 34]))], { defaultTreatment: 'a' }),
  flag('partial_alloc', [
    condition([matcher('WHITELIST', list(['user-3', 'user-77', 'user-1000']))], 'on', 'whitelisted', 'WHITELIST'),
    allKeys(split(['on', 50], ['off', 50])),
  ], { trafficAllocation: 37 }),
  flag('segment_then_attr', [
    condition([matcher('IN_SEGMENT', { userDefinedSegmentMatcherData: { segmentName: 'beta' } })],
      split(['on', 100], ['off', 0]), 'in segment beta'),
    condition([matcher('WHITELIST', { attribute: 'plan', ...list(['premium', 'gold']) })], 'on', 'plan in list'),
    condition([matcher('ENDS_WITH', { attribute: 'email', negate: true, ...list(['@example.com']) })], 'v2', 'email not example'),
    allKeys(split(['on', 20], ['off', 80])),
  ], { trafficAllocation: 90 }),
  flag('numbers', [
    condition([matcher('GREATER_THAN_OR_EQUAL_TO', { attribute: 'age', unaryNumericMatcherData: { dataType: 'NUMBER', value: 65 } })],
      'senior', 'age >= 65'),
    condition([matcher('BETWEEN', { attribute: 'score', betweenMatcherData: { dataType: 'NUMBER', start: 40, end: 60 } })],
      split(['mid_a', 50], ['mid_b', 50]), 'score between 40 and 60'),
    condition([matcher('EQUAL_TO', { attribute: 'level', unaryNumericMatcherData: { dataType: 'NUMBER', value: 3 } })],
      'three', 'level 3'),
    condition([matcher('LESS_THAN_OR_EQUAL_TO', { attribute: 'age', unaryNumericMatcherData: { dataType: 'NUMBER', value: 17 } })],
      'minor', 'age <= 17'),
    allKeys('off'),
  ]),
  flag('multi', [
    condition([
      matcher('WHITELIST', { attribute: 'country', ...list(['AR', 'FR']) }),
      matcher('GREATER_THAN_OR_EQUAL_TO', { attribute: 'age', unaryNumericMatcherData: { dataType: 'NUMBER', value: 21 } }),
    ], split(['on', 70], ['off', 30]), 'AR/FR adults'),
    allKeys('off'),
  ], { trafficAllocation: 60 }),
  flag('sets_and_strings', [
    condition([matcher('CONTAINS_ALL_OF_SET', { attribute: 'tags', ...list(['a', 'c']) })], 'all', 'tags all a c'),
    condition([matcher('PART_OF_SET', { attribute: 'tags', ...list(['x', 'y']) })], 'part', 'tags part of x y'),
    condition([matcher('CONTAINS_ANY_OF_SET', { attribute: 'tags', ...list(['b']) })], 'any', 'tags any b'),
    condition([matcher('STARTS_WITH', { attribute: 'name', ...list(['ab', 'zz']) })], 'sw', 'name starts'),
    condition([matcher('MATCHES_STRING', { attribute: 'email', stringMatcherData: '^[a-c]\\w*@host\\.com$' })], 're', 'email regex'),
    condition([matcher('CONTAINS_STRING', { attribute: 'name', ...list(['12']) })], 'cs', 'name contains 12'),
    allKeys(split(['off', 90], ['rare', 10])),
  ]),
  flag('booleans_semver', [
    condition([matcher('EQUAL_TO_BOOLEAN', { attribute: 'beta', booleanMatcherData: true })], 'beta_on', 'beta true'),
    condition([matcher('GREATER_THAN_OR_EQUAL_TO_SEMVER', { attribute: 'version', stringMatcherData: '3.0.0' })], 'new', 'v >= 3'),
    condition([matcher('BETWEEN_SEMVER', { attribute: 'version', betweenStringMatcherData: { start: '1.5.0', end: '1.9.9' } })],
      'mid', 'v between'),
    condition([matcher('IN_LIST_SEMVER', { attribute: 'version', ...list(['2.1.0', '2.2.0']) })], 'listed', 'v listed'),
    allKeys('off'),
  ]),
  flag('negations', [
    condition([
      matcher('IN_SEGMENT', { negate: true, userDefinedSegmentMatcherData: { segmentName: 'employees' } }),
      matcher('WHITELIST', { attribute: 'country', negate: true, ...list(['US']) }),
    ], split(['neither', 60], ['off', 40]), 'not employee and not US'),
    allKeys('off'),
  ]),
  flag('dependent', [
    condition([matcher('IN_SPLIT_TREATMENT', { dependencyMatcherData: { split: 'rollout_50', treatments: ['on'] } })],
      'on', 'rollout_50 is on'),
    allKeys('off'),
  ]),
  flag('with_prereq', [allKeys(split(['on', 80], ['off', 20]))], {
    prerequisites: [{ n: 'rollout_50', ts: ['on'] }, { n: 'three_way', ts: ['a', 'b'] }],
  }),
  flag('whitelist_only', [
    condition([matcher('WHITELIST', list(['user-2', 'user-4']))], 'on', 'whitelisted', 'WHITELIST'),
  ], { trafficAllocation: 50 }),
  flag('killed_one', [allKeys('on')], { killed: true, configurations: { off: '{"k":1}' } }),
];

export const CONFORMANCE_FLAG_NAMES = CONFORMANCE_FLAGS.map((f) => f.name);

/** A small seeded PRNG (mulberry32), so every run evaluates the same keys and attributes. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOLS = {
  plan: ['premium', 'gold', 'free', 'basic'],
  email: ['a@example.com', 'b@other.org', 'c_d@host.com', 'x@example.com.ar', 'bob@host.com', 'zed@host.com'],
  age: [12, 17, 18, 21, 30, 45, 64, 65, 90],
  score: [0, 39, 40, 50, 60, 61, 100],
  level: [1, 2, 3, 4],
  country: ['US', 'AR', 'FR', 'DE', 'us'],
  tags: [['a', 'b'], ['a', 'c'], ['c', 'a', 'b'], ['x'], ['x', 'y'], ['b'], [], ['z']],
  name: ['abc', 'zz top', 'a12b', 'xyz', 'ab12'],
  beta: [true, false],
  version: ['1.2.3', '1.5.0', '1.9.9', '1.9.10', '2.1.0', '2.2.0', '3.0.0', '3.0.0-alpha', '10.0.0'],
};

/**
 * `count` keys, each with attributes (every attribute present half of the time) and, for one
 * key in seven, a bucketing key. Keys are mostly `user-N` (so whitelists and segments hit) with
 * some non-ASCII and email-like keys for the hash.
 */
export function conformanceCases(count = 10_000) {
  const rnd = prng(20240611);
  const pick = (values) => values[Math.floor(rnd() * values.length)];
  const cases = [];
  for (let i = 0; i < count; i++) {
    const variant = i % 10;
    const key = variant === 8 ? `ключ-${i}` : variant === 9 ? `u${i}@mail.com` : `user-${i}`;
    const attributes = {};
    for (const [name, pool] of Object.entries(POOLS)) {
      if (rnd() < 0.5) attributes[name] = pick(pool);
    }
    const c = { key, attributes };
    if (i % 7 === 6) c.bucketingKey = `bk-${Math.floor(rnd() * 5000)}`;
    cases.push(c);
  }
  return cases;
}
