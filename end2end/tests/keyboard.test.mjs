// Keyboard and small screens: a dialog takes the focus and gives it back; the draft page's
// controls come in a sensible order; the editor's Add button stays in sight with a phone's
// keyboard open; the ring's hand-over is announced to screen readers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, waitForHydration, uniqueHandle, call, signUpApi } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Presses Tab until `id` has the focus (at most `limit` times); the ids passed on the way. */
async function tabTo(page, id, limit = 60) {
  const seen = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const active = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    seen.push(active);
    if (active === id) return seen;
  }
  throw new Error(`Tab never reached #${id}: ${seen.join(' ')}`);
}

test('the create dialog takes the focus and gives it back; the draft page reads in order', async () => {
  const context = await browser.newContext({ baseURL: BASE_URL });
  const page = await context.newPage();
  const handle = uniqueHandle('keys');
  await signUpApi(page, handle);
  const friend = await browser.newContext({ baseURL: BASE_URL });
  const friendHandle = uniqueHandle('kpal');
  await signUpApi(await friend.newPage(), friendHandle);

  await page.goto('/drafts');
  await waitForHydration(page);
  await tabTo(page, 'new-draft');
  await page.keyboard.press('Enter');
  await page.locator('#create-dialog').waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'draft-title');
  await page.keyboard.type('Typed with keys');
  await page.keyboard.press('Escape');
  await page.locator('#create-dialog').waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.id === 'new-draft');

  const { id } = await call(page, 'drafts/create', { title: 'Keys', platform: 'x', first_segment: 'One' });
  await call(page, 'drafts/add_collaborator', { draft_id: id, handle: friendHandle, role: 'editor' });
  await page.goto(`/drafts/${id}`);
  await waitForHydration(page);
  const order = await tabTo(page, 'pass-ring');
  const at = (name) => order.indexOf(name);
  assert.ok(at('segment-input') >= 0 && at('segment-input') < at('append'), order.join(' '));
  assert.ok(at('append') < at('pass-to') && at('pass-to') < at('pass-ring'), order.join(' '));
  assert.equal(await page.locator('#editor-heading').getAttribute('aria-live'), 'polite', 'the ring arriving is announced');
  await friend.close();
  await context.close();
});

test("with a phone's keyboard open the Add button stays in sight", async () => {
  // 360 × 360: a 360 × 740 phone with its on-screen keyboard taking the lower half.
  const context = await browser.newContext({
    baseURL: BASE_URL, viewport: { width: 360, height: 360 }, isMobile: true, hasTouch: true,
  });
  const page = await context.newPage();
  await signUpApi(page, uniqueHandle('thumb'));
  const { id } = await call(page, 'drafts/create', { title: 'On the train', platform: 'x', first_segment: 'Typed with thumbs.' });
  for (let i = 0; i < 6; i += 1) await call(page, 'drafts/append', { draft_id: id, content: `Post ${i} of a thread long enough to scroll.` });
  await page.goto(`/drafts/${id}`);
  await waitForHydration(page);
  await page.locator('#segment-input').tap();
  await page.keyboard.type('A new post written on a phone');
  const box = await page.locator('#append').boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= 360, `Add is at ${JSON.stringify(box)}`);
  await page.locator('#append').tap();
  await page.locator('#timeline').getByText('A new post written on a phone').waitFor();
  await context.close();
});
