// Live drafts in real browsers: B sees A typing, A's new segment and the ring arriving, each
// within a second and without reloading; eight tabs on one draft all stay live (one
// WebSocket each, outside the browser's six-connections-per-site limit for HTTP/1.1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, BASE_URL, signUpApi, call } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const WITHIN = { timeout: 1000 };

async function openLive(page, url) {
  await page.goto(url);
  await waitForHydration(page);
  await page.locator('[data-live="live"]').waitFor({ timeout: 5000 });
}

test('B sees A typing, A\'s segment and the ring arriving, each within a second', async () => {
  const a = await newPage(browser);
  const b = await newPage(browser);
  const [ha, hb] = [uniqueHandle('amy'), uniqueHandle('bo')];
  await signUpApi(a.context, ha);
  const bUser = await signUpApi(b.context, hb);
  const draft = (await call(a.context, 'drafts/create', { title: 'Live thread', platform: 'x', first_segment: 'Opening' })).id;
  await call(a.context, 'drafts/add_collaborator', { draft_id: draft, handle: hb, role: 'editor' });

  await openLive(a.page, `/drafts/${draft}`);
  await openLive(b.page, `/drafts/${draft}`);
  await b.page.locator(`#presence [data-handle="${ha}"]`).waitFor(WITHIN);
  await a.page.locator(`#presence [data-handle="${hb}"]`).waitFor(WITHIN);

  // A types: B sees it.
  await a.page.locator('#segment-input').pressSequentially('Hello', { delay: 20 });
  await b.page.locator(`#presence [data-handle="${ha}"][data-typing="true"]`).waitFor(WITHIN);
  await b.page.locator('#waiting-message').getByText(`@${ha} is writing…`).waitFor(WITHIN);

  // A appends: B's timeline grows, no reload.
  await a.page.locator('#segment-input').fill('Hello from A, live');
  await a.page.locator('#append').click();
  await b.page.locator('#timeline').getByText('Hello from A, live').waitFor(WITHIN);
  await b.page.locator(`#presence [data-handle="${ha}"][data-typing="false"]`).waitFor(WITHIN);

  // B starts a draft of their own text while waiting; it survives the ring arriving.
  assert.equal(await b.page.locator('#segment-input').isDisabled(), true);
  await a.page.locator('#pass-to').selectOption(bUser.id);
  await a.page.locator('#pass-ring').click();
  await b.page.locator('#editor-heading').getByText("It's your turn").waitFor(WITHIN);
  assert.equal(await b.page.locator('#segment-input').isDisabled(), false);
  await a.page.locator('#waiting-message').getByText(`Waiting for @${hb} to pass the ring`).waitFor(WITHIN);

  // B writes; A sees it at once.
  await b.page.locator('#segment-input').fill('B takes it from here');
  await b.page.locator('#append').click();
  await a.page.locator('#timeline').getByText('B takes it from here').waitFor(WITHIN);

  for (const who of [a, b]) {
    assert.deepEqual(who.problems, []);
    assert.deepEqual(await cspViolations(who.page), []);
  }
  await a.context.close();
  await b.context.close();
});

test('eight tabs on one draft all stay live', async () => {
  const context = await browser.newContext({ baseURL: BASE_URL });
  const writer = await browser.newContext({ baseURL: BASE_URL });
  const [hr, hw] = [uniqueHandle('tab'), uniqueHandle('wri')];
  await signUpApi(context, hr);
  await signUpApi(writer, hw);
  const draft = (await call(writer, 'drafts/create', { title: 'Many tabs', platform: 'x', first_segment: 'Start' })).id;
  await call(writer, 'drafts/add_collaborator', { draft_id: draft, handle: hr, role: 'viewer' });

  const tabs = [];
  for (let i = 0; i < 8; i += 1) {
    const page = await context.newPage();
    await openLive(page, `/drafts/${draft}`);
    tabs.push(page);
  }
  // Every tab still answers (a stuck seventh tab would time out here).
  await call(writer, 'drafts/append', { draft_id: draft, content: 'Seen by every tab' });
  await Promise.all(tabs.map((page) => page.locator('#timeline').getByText('Seen by every tab').waitFor(WITHIN)));
  const other = await context.newPage();
  const response = await other.goto('/drafts');
  assert.equal(response.status(), 200, 'a ninth page still loads');
  await context.close();
  await writer.close();
});
