// Imprint's own API as the SDK tests use it: environments, import, kill, tracking, export,
// usage and the server-side evaluator.
import assert from 'node:assert/strict';
import { ADMIN } from './server.js';

export class Admin {
  static async signIn(base, { email, password } = ADMIN) {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(res.status, 200, `sign-in as ${email}`);
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const { csrf_token: csrf } = await res.json();
    return new Admin(base, cookie, csrf);
  }

  constructor(base, cookie, csrf) {
    this.base = base;
    this.headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };
  }

  async raw(method, path, body) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: this.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  }

  /** A JSON call that must answer `expected`. */
  async json(method, path, body, expected = 200) {
    const { status, text } = await this.raw(method, path, body);
    assert.equal(status, expected, `${method} ${path}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  /** Creates an environment and returns its name and server-side SDK key. */
  async environment(name) {
    const created = await this.json('POST', '/api/v1/environments', { name, retention_days: 30 }, 201);
    const server = created.sdk_keys.find((k) => k.kind === 'server');
    const client = created.sdk_keys.find((k) => k.kind === 'client');
    return { name, serverKey: server.key, clientKey: client.key };
  }

  /** Imports Split-format flags and segments; every flag must be accepted. */
  async import(env, flags, segments = []) {
    const report = await this.json('POST', `/api/v1/environments/${env}/import`, { ff: { d: flags }, segments });
    assert.deepEqual(report.rejected, [], 'every flag imports');
    assert.equal(report.flags_imported.length, flags.length);
    return report;
  }

  kill(env, flag) {
    return this.json('POST', `/api/v1/environments/${env}/flags/${flag}/kill`, {});
  }

  setTracking(env, flag, enabled) {
    return this.json('PUT', `/api/v1/environments/${env}/flags/${flag}/tracking`, { enabled });
  }

  /** Change number of each flag, as Imprint reports it (and serves it to the SDKs). */
  async changeNumbers(env, flags) {
    const out = {};
    for (const flag of flags) {
      out[flag] = (await this.json('GET', `/api/v1/environments/${env}/flags/${flag}`)).change_number;
    }
    return out;
  }

  /** Stored impressions through the NDJSON export, optionally of one flag. */
  async exported(env, flag = '') {
    const { status, text } = await this.raw('GET',
      `/api/v1/environments/${env}/impressions/export?format=ndjson&flag=${encodeURIComponent(flag)}`);
    assert.equal(status, 200, text);
    return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  }

  usage(env) {
    return this.json('GET', `/api/v1/environments/${env}/usage`);
  }
}

/** Imprint's own evaluator, `POST /api/v1/evaluate`, under an SDK key. */
export async function evaluate(base, sdkKey, body) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}/api/v1/evaluate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // A busy writer answers 503 with Retry-After; the evaluation itself never fails.
    if (res.status === 503 && attempt < 20) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const text = await res.text();
    assert.equal(res.status, 200, `evaluate ${body.key}: ${text}`);
    return JSON.parse(text);
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; results in order. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Polls `check` (which throws while not yet true) until it passes or `ms` elapse. */
export async function eventually(check, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * The SDKs dedupe impressions per clock hour (OPTIMIZED). Calls made across an hour boundary
 * would send a repeat again, so a test that counts them starts well inside an hour.
 */
export async function awayFromHourBoundary(marginMs = 30_000) {
  const intoHour = Date.now() % 3_600_000;
  const wait = intoHour > 3_600_000 - marginMs ? 3_600_000 - intoHour + 1_000 : 0;
  if (wait) await new Promise((r) => setTimeout(r, wait));
}

/** Posts ingestion items under an SDK key and expects them accepted (202). */
export async function postIngestion(base, sdkKey, path, items) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sdkKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`${path} answered ${res.status}: ${text}`);
}
