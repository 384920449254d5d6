// An upgrade end to end, with a fake Stripe (target/debug/examples/fake_stripe, the billing
// tests' fake as a process): "Upgrade to Creator" → the fake's checkout page → Pay → the
// fake delivers signed events to the webhook → back on /account/plan the page shows Creator
// without a reload, and the creator limits apply. This test starts its own app server with
// billing on: on the PostgreSQL run against the run's database, otherwise on a SQLite file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, waitForHydration, cspViolations, uniqueHandle, PASSWORD, startServer, ROOT } from './helpers.mjs';

const FAKE = join(ROOT, 'target/debug/examples/fake_stripe');
const PORT = Number(process.env.BILLING_PORT ?? 3110);
const FAKE_PORT = Number(process.env.FAKE_STRIPE_PORT ?? 3111);
const BASE = `http://127.0.0.1:${PORT}`;
const dir = mkdtempSync(join(tmpdir(), 'onering-billing-'));
const shared = process.env.E2E_DATABASE_URL ?? '';
const DATABASE_URL = shared.startsWith('postgres') ? shared : `sqlite://${dir}/billing.db`;

let browser;
let server;
let fake;
before(async () => {
  browser = await launch();
  fake = spawn(FAKE, [String(FAKE_PORT), `${BASE}/api/billing/webhook`], { stdio: 'ignore' });
  server = await startServer(PORT, {
    DATABASE_URL,
    STRIPE_SECRET_KEY: 'sk_test_onering_fake',
    STRIPE_WEBHOOK_SECRET: 'whsec_onering_fake',
    STRIPE_PRICE_CREATOR: 'price_onering_creator',
    STRIPE_PRICE_TEAM: 'price_onering_team',
    STRIPE_API_BASE: `http://127.0.0.1:${FAKE_PORT}`,
  });
});
after(async () => {
  server?.kill('SIGKILL');
  fake?.kill('SIGKILL');
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api(context, endpoint, form) {
  return context.request.post(`${BASE}/api/${endpoint}`, { form });
}

test('upgrade through checkout: the webhook changes the plan and the limits rise', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const handle = uniqueHandle('upg');
  const signed = await api(context, 'auth/sign_up', { handle, email: `${handle}@example.com`, password: PASSWORD });
  assert.equal(signed.status(), 200, await signed.text());
  for (const title of ['One', 'Two', 'Three']) {
    const made = await api(context, 'drafts/create', { title, platform: 'x', first_segment: 'Hi', idempotency_key: crypto.randomUUID() });
    assert.equal(made.status(), 200);
  }
  const fourth = { title: 'Four', platform: 'x', first_segment: 'Hi' };
  const refused = await api(context, 'drafts/create', { ...fourth, idempotency_key: crypto.randomUUID() });
  assert.equal(refused.status(), 403, 'three drafts is the most on Free');

  await page.goto(`${BASE}/account/plan`);
  await waitForHydration(page);
  assert.match(await page.locator('#plan-heading').innerText(), /Free/);
  await page.locator('#upgrade-creator').click();
  await page.waitForURL(`http://127.0.0.1:${FAKE_PORT}/pay/**`);
  await page.locator('#pay').click();
  await page.waitForURL(`${BASE}/account/plan?checkout=done`);
  await waitForHydration(page);
  // The webhook may land before or after the page: either way it ends on Creator.
  await page.locator('#plan-heading', { hasText: 'Creator' }).waitFor({ timeout: 15000 });
  assert.match(await page.locator('#usage').innerText(), /Active drafts\s+3 of 50/);
  assert.match(await page.locator('#plan-history').innerText(), /free → creator \(billing\)/);
  await page.locator('#manage-billing').waitFor();
  assert.deepEqual(await cspViolations(page), []);

  const allowed = await api(context, 'drafts/create', { ...fourth, idempotency_key: crypto.randomUUID() });
  assert.equal(allowed.status(), 200, 'the creator limits apply');
  await context.close();
});

test('before hydration the upgrade form still reaches checkout', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const handle = uniqueHandle('nojs');
  const signed = await api(context, 'auth/sign_up', { handle, email: `${handle}@example.com`, password: PASSWORD });
  assert.equal(signed.status(), 200);
  await page.goto(`${BASE}/account/plan`);
  await page.locator('#upgrade-team').click();
  await page.waitForURL(`http://127.0.0.1:${FAKE_PORT}/pay/**`);
  await page.locator('#pay').click();
  await page.waitForURL(`${BASE}/account/plan?checkout=done`);
  // Without scripts the page cannot poll; a reload shows the plan once the webhook landed.
  for (let i = 0; i < 50; i += 1) {
    await page.reload();
    if (/Team/.test(await page.locator('#plan-heading').innerText())) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.match(await page.locator('#plan-heading').innerText(), /Team/);
  await context.close();
});
