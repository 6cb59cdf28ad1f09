// A web page on an origin of its own, for the browser SDK tests: a small static server (a
// different port from Imprint's is a different origin) serving an empty page and the npm
// packages under test, bundled for the browser with esbuild. Nothing is fetched at run time.
import { build } from 'esbuild';
import { launch } from './browser.js';
import { Admin } from './imprint.js';
import { startServer } from './server.js';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const E2E_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Each bundle exposes the packages' exports on `window`. */
const BUNDLES = {
  '/split.js': `import { SplitFactory } from '@splitsoftware/splitio-browserjs';
    window.SplitFactory = SplitFactory;`,
  '/openfeature.js': `import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
    import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
    Object.assign(window, { OpenFeature, ProviderEvents, OFREPWebProvider });`,
};

async function bundle(source) {
  const result = await build({
    stdin: { contents: source, resolveDir: E2E_DIR, loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0].text;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script src="/split.js"></script><script src="/openfeature.js"></script></head>
<body><h1>A shop on another origin</h1></body></html>`;

/** Starts the page's server on a free port: another port is another origin than Imprint's. */
export async function startWebPage() {
  const files = { '/': PAGE, '/next': '<!doctype html><title>Next page</title>' };
  for (const [path, source] of Object.entries(BUNDLES)) files[path] = await bundle(source);
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    const body = files[path];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const type = path.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * What the browser SDK tests share: an Imprint server with its admin, the foreign page and
 * Chromium. `stop()` closes them in reverse order.
 */
export async function startBrowserScenario() {
  const server = await startServer();
  const admin = await Admin.signIn(server.base);
  const web = await startWebPage();
  const browser = await launch();
  return {
    server, admin, web, browser,
    async stop() {
      await browser.close();
      await web.close();
      await server.stop();
    },
  };
}
