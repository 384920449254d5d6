// Publishing in a real browser against fake networks (target/debug/examples/fake_networks,
// the publishing tests' fakes as a process): connect a Bluesky account with an app password,
// publish a three-segment draft from its page, and see each post's link and the thread's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, signUpApi, call, ROOT } from './helpers.mjs';

const FAKE = join(ROOT, 'target/debug/examples/fake_networks');
const FAKE_PORT = Number(process.env.FAKE_NETWORKS_PORT ?? 3112);
const FAKE_URL = `http://127.0.0.1:${FAKE_PORT}`;

let browser;
let fake;
before(async () => {
  browser = await launch();
  fake = spawn(FAKE, [String(FAKE_PORT)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    try { await fetch(`${FAKE_URL}/xrpc/com.atproto.identity.resolveHandle?handle=x`); break; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(async () => {
  fake?.kill('SIGKILL');
  await browser?.close();
});

test('connect Bluesky, publish a three-segment draft, see the links', async () => {
  const { context, page, problems } = await newPage(browser);
  await signUpApi(page, uniqueHandle('pub'));
  const { id } = await call(page, 'drafts/create', { title: 'Ship it', platform: 'bluesky', first_segment: 'One: we made a thing.' });
  await call(page, 'drafts/append', { draft_id: id, content: 'Two: it posts threads for you.' });
  await call(page, 'drafts/append', { draft_id: id, content: 'Three: and never twice.' });

  await page.goto('/account/connections');
  await waitForHydration(page);
  const form = page.locator('#bluesky-form');
  await form.getByLabel('Handle').fill('ada.test');
  await form.getByLabel('App password').fill('app-password');
  await form.getByText('My account is on another server').click();
  await form.getByLabel('Server (PDS)').fill(FAKE_URL);
  await form.getByRole('button', { name: 'Connect Bluesky' }).click();
  await page.locator('#connections').getByText('@ada.test').waitFor();

  await page.goto(`/drafts/${id}`);
  await waitForHydration(page);
  const panel = page.locator('#publish-panel');
  await panel.getByText('Preview the 3 posts').click();
  await panel.locator('#publish-preview li').nth(2).getByText('Three: and never twice.').waitFor();
  await panel.getByRole('button', { name: 'Publish' }).click();
  const thread = panel.locator('#thread-link');
  await thread.waitFor({ timeout: 20000 });
  assert.match(await thread.getAttribute('href'), /^https:\/\/bsky\.app\/profile\/ada\.test\/post\/[a-z2-7]{13}$/);
  assert.equal(await panel.locator('[data-state="posted"] a').count(), 3);
  await page.locator('header p', { hasText: '· published' }).waitFor();

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
