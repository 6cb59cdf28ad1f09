// Debian's Chromium driven by playwright-core; nothing is downloaded.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'output');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot under e2e/output, named by database and step. */
export async function screenshot(page, name) {
  mkdirSync(OUTPUT, { recursive: true });
  const db = process.env.IMPRINT_E2E_DB ?? 'sqlite';
  await page.screenshot({ path: join(OUTPUT, `${name}-${db}.png`), fullPage: true });
}

/**
 * Collects uncaught errors and console errors in the page, such as a failed hydration.
 * HTTP error answers the test provokes on purpose (a wrong password's 401) are not errors.
 */
export function watchPageErrors(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return errors;
}

/** Signs in through the console's login form and waits for the overview. */
export async function signIn(page, base, { email, password }) {
  await page.goto(`${base}/login`);
  // The button is enabled once the page has hydrated.
  await page.waitForFunction(() => !document.querySelector('button[type=submit]').disabled);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}
