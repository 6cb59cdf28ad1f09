// The real Split SDKs pointed at an Imprint server: the Node SDK in-process, the Python SDK
// through the scripts in e2e/python/ run with the venv that scripts/bootstrap.sh makes.
import { SplitFactory } from '@splitsoftware/splitio';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PYTHON_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'python');

/**
 * A Node SDK factory (`@splitsoftware/splitio`) talking only to `base`, polling (no
 * streaming), with short refresh rates so a test never waits on the SDK's schedules.
 */
export function nodeFactory(base, sdkKey, { impressionsMode = 'DEBUG', impressionListener } = {}) {
  return SplitFactory({
    core: { authorizationKey: sdkKey, labelsEnabled: true },
    urls: { sdk: `${base}/api`, events: `${base}/api`, auth: `${base}/api`, telemetry: `${base}/api`, streaming: base },
    streamingEnabled: false,
    sync: { impressionsMode },
    scheduler: { featuresRefreshRate: 5, segmentsRefreshRate: 5, impressionsRefreshRate: 1, eventsPushRate: 1 },
    startup: { readyTimeout: 10 },
    impressionListener,
    debug: false,
  });
}

/** The Node SDK's key argument: a plain key, or matching and bucketing keys. */
export function splitKey(key, bucketingKey) {
  return bucketingKey ? { matchingKey: key, bucketingKey } : key;
}

export function pythonBin() {
  const venv = process.env.IMPRINT_VENV ?? join(process.env.IMPRINT_CACHE ?? join(homedir(), '.cache', 'imprint'), 'venv');
  return join(venv, 'bin', 'python');
}

/**
 * Runs e2e/python/`script` with `input` as JSON on stdin and returns the JSON it prints.
 * The Python SDK logs to stderr, which is kept for the error message.
 */
export function runPython(script, input, { timeoutMs = 120_000 } = {}) {
  if (!existsSync(pythonBin())) {
    return Promise.reject(new Error(`no Python venv at ${pythonBin()}: run scripts/bootstrap.sh`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(pythonBin(), [join(PYTHON_DIR, script)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString();
      if (code !== 0) {
        reject(new Error(`python ${script} exited with ${code ?? signal}:\n${stderr.slice(-4000)}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString()));
      } catch (e) {
        reject(new Error(`python ${script} printed no JSON (${e.message}):\n${stderr.slice(-4000)}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
