// Shared set-up for the browser tests: Debian's chromium driven by playwright-core.
import { execFileSync, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A fresh browser context whose CSP violations and page errors are recorded. */
export async function newPage(browser) {
  const context = await browser.newContext({ baseURL: BASE_URL });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    // Expected error answers (a wrong password's 401, a 404 page) are logged by the browser
    // as failed loads; they are checked where they happen, not counted as problems.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window.__cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return { context, page, problems };
}

/** Waits until the app has hydrated, lazy routes included (the body gets data-hydrated). */
export async function waitForHydration(page) {
  await page.waitForSelector('[data-hydrated="true"]', { timeout: 15000 });
}

export async function cspViolations(page) {
  return page.evaluate(() => window.__cspViolations ?? []);
}

export function uniqueHandle(prefix) {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`.slice(0, 30);
}

export const PASSWORD = 'correct horse battery staple';

/** Moves someone to a plan through the server's own command line (the tests' database). */
export function setPlan(handle, plan) {
  execFileSync(process.env.ONERING_BIN ?? '../target/debug/onering', ['plans', 'set', handle, plan, 'browser test'], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    cwd: '..',
  });
}

/** Gives `handle` the admin role through the server's own command line (audited as `cli`). */
export function grantAdmin(handle) {
  execFileSync(process.env.ONERING_BIN ?? '../target/debug/onering', ['admin', 'grant', handle], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    cwd: '..',
  });
}

/** Signs `handle` up through the API in this page's context (its cookie jar); the user. */
export async function signUpApi(page, handle) {
  const reply = await page.request.post('/api/auth/sign_up', {
    form: { handle, email: `${handle}@example.com`, password: PASSWORD },
  });
  if (reply.status() !== 200) throw new Error(`sign-up of ${handle}: ${reply.status()} ${await reply.text()}`);
  return (await reply.json()).user;
}

/** Calls a mutating server function with a fresh idempotency key; its JSON answer. */
export async function call(page, endpoint, form) {
  const reply = await page.request.post(`/api/${endpoint}`, {
    form: { ...form, idempotency_key: crypto.randomUUID() },
  });
  if (reply.status() !== 200) throw new Error(`${endpoint}: ${reply.status()} ${await reply.text()}`);
  return reply.json();
}

export const ROOT = resolve(process.cwd(), '..');
export const BIN = process.env.ONERING_BIN ?? join(ROOT, 'target/debug/onering');

/** Starts an app server of the test's own on `port` with `env` added; resolves once healthy. */
export async function startServer(port, env) {
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(BIN, [], {
    cwd: ROOT,
    env: { ...process.env, LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, PUBLIC_ORIGIN: base, LEPTOS_ENV: 'PROD', RUST_LOG: 'warn', ...env },
    stdio: 'ignore',
  });
  for (let i = 0; i < 150; i += 1) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return server;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill('SIGKILL');
  throw new Error(`the server on ${port} did not start`);
}
