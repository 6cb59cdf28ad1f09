// Starts a real Imprint server (the binary the Rust build produced) on a free port, with a
// database of its own: a fresh SQLite file, or a new PostgreSQL database when
// IMPRINT_E2E_DB=postgres.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ADMIN = { email: 'admin@example.com', password: 'admin password 123' };

const PG_SERVER = process.env.IMPRINT_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function databaseUrl(dir) {
  if ((process.env.IMPRINT_E2E_DB ?? 'sqlite') !== 'postgres') {
    return `sqlite://${join(dir, 'imprint.db')}`;
  }
  const name = `imprint_e2e_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  execFileSync('psql', [PG_SERVER, '-qc', `CREATE DATABASE "${name}"`]);
  return PG_SERVER.replace(/\/[^/]*$/, `/${name}`);
}

export async function startServer(extraEnv = {}) {
  const bin = process.env.IMPRINT_BIN;
  if (!bin) throw new Error('IMPRINT_BIN must point at the imprint binary (scripts/e2e.sh sets it)');
  const dir = mkdtempSync(join(tmpdir(), 'imprint-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = openSync(join(dir, 'server.log'), 'a');
  const child = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      IMPRINT_DATABASE_URL: databaseUrl(dir),
      IMPRINT_BIND: `127.0.0.1:${port}`,
      IMPRINT_ADMIN_EMAIL: ADMIN.email,
      IMPRINT_ADMIN_PASSWORD: ADMIN.password,
      RUST_LOG: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`imprint exited early; see ${join(dir, 'server.log')}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('imprint did not become healthy within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    dir,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Signs in through the API and returns a fetch wrapper carrying the session and CSRF token. */
export async function apiSession(base, { email, password } = ADMIN) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${email} failed: ${res.status}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const { csrf_token: csrf } = await res.json();
  return async (method, path, body) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}
