// A server restart while a draft is open: the page shows "Reconnecting…", comes back on its
// own, and gets what it missed while away, without a reload. This test starts (and kills)
// its own server on a SQLite file, so it needs the built binary (ONERING_BIN, default
// target/debug/onering) and runs from end2end/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, waitForHydration, uniqueHandle, PASSWORD, startServer as startHelper } from './helpers.mjs';

const PORT = Number(process.env.RECONNECT_PORT ?? 3109);
const BASE = `http://127.0.0.1:${PORT}`;
const dir = mkdtempSync(join(tmpdir(), 'onering-reconnect-'));

let browser;
let server;
before(async () => { browser = await launch(); });
after(async () => {
  server?.kill('SIGKILL');
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startServer() {
  server = await startHelper(PORT, { DATABASE_URL: `sqlite://${dir}/reconnect.db` });
}

async function crashServer() {
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGKILL');
  await exited;
}

async function api(context, endpoint, form) {
  const r = await context.request.post(`${BASE}/api/${endpoint}`, { form });
  assert.equal(r.status(), 200, await r.text());
  return r.json();
}

test('a page resumes after the server restarts and gets what it missed', async () => {
  await startServer();
  const writer = await browser.newContext();
  const reader = await browser.newContext();
  const [hw, hr] = [uniqueHandle('wri'), uniqueHandle('rea')];
  await api(writer, 'auth/sign_up', { handle: hw, email: `${hw}@example.com`, password: PASSWORD });
  await api(reader, 'auth/sign_up', { handle: hr, email: `${hr}@example.com`, password: PASSWORD });
  const { id: draft } = await api(writer, 'drafts/create', {
    title: 'Restart-proof', platform: 'x', first_segment: 'Before the restart', idempotency_key: crypto.randomUUID(),
  });
  await api(writer, 'drafts/add_collaborator', {
    draft_id: draft, handle: hr, role: 'viewer', idempotency_key: crypto.randomUUID(),
  });

  const page = await reader.newPage();
  await page.goto(`${BASE}/drafts/${draft}`);
  await waitForHydration(page);
  await page.locator('[data-live="live"]').waitFor({ timeout: 5000 });

  await crashServer();
  await page.locator('#reconnecting').getByText('Reconnecting…').waitFor({ timeout: 5000 });

  // Back up; two posts land, likely before the page's next attempt.
  await startServer();
  for (const content of ['Written while you were away', 'And one more']) {
    await api(writer, 'drafts/append', { draft_id: draft, content, idempotency_key: crypto.randomUUID() });
  }
  await page.locator('[data-live="live"]').waitFor({ timeout: 10000 });
  await page.locator('#timeline').getByText('Written while you were away').waitFor({ timeout: 2000 });
  await page.locator('#timeline').getByText('And one more').waitFor({ timeout: 2000 });
  assert.equal(await page.locator('#reconnecting').count(), 0);
  assert.equal(await page.locator('#timeline li').count(), 3, 'each post once');

  // Live again: the next one arrives at once.
  await api(writer, 'drafts/append', { draft_id: draft, content: 'Live again', idempotency_key: crypto.randomUUID() });
  await page.locator('#timeline').getByText('Live again').waitFor({ timeout: 1000 });
  await writer.close();
  await reader.close();
});
