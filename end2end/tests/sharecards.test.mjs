// The owner opens the share-card modal, turns the public link on and copies it; a
// signed-out visitor opens the link, sees the card and its link-preview tags, and the
// image answers as a PNG.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, PASSWORD } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a card is shared from the modal and opens for a stranger', async () => {
  const owner = await newPage(browser);
  await owner.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const handle = uniqueHandle('kit');
  await owner.page.request.post('/api/auth/sign_up', { form: { handle, email: `${handle}@example.com`, password: PASSWORD } });
  const created = await owner.page.request.post('/api/drafts/create', {
    form: { title: 'Card day 🎉', platform: 'x', first_segment: 'A thread to share', idempotency_key: `e2e-${Date.now()}` },
  });
  const { id } = await created.json();

  await owner.page.goto(`/drafts/${id}`);
  await waitForHydration(owner.page);
  await owner.page.locator('#open-share-card').click();
  const dialog = owner.page.locator('#share-card-dialog');
  await dialog.waitFor();
  assert.equal(await owner.page.evaluate(() => document.activeElement?.id), 'share-card-dialog-title', 'focus moves into the dialog');
  await dialog.locator('#share-card-image').waitFor();
  assert.equal(await dialog.locator('#share-card-image').evaluate((img) => img.decode().then(() => img.naturalWidth)), 1200);
  await dialog.locator('#sharing-on').check();
  const link = dialog.locator('#public-link');
  await link.waitFor();
  const url = await link.innerText();
  assert.match(url, /\/c\/[A-Za-z0-9_-]{22}$/);
  await dialog.locator('#copy-link').click();
  await dialog.getByText('Link copied').waitFor();
  assert.equal(await owner.page.evaluate(() => navigator.clipboard.readText()), url);
  await owner.page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await owner.page.evaluate(() => document.activeElement?.id), 'open-share-card', 'focus returns');

  const stranger = await newPage(browser);
  const page = await stranger.page.goto(url);
  assert.equal(page.status(), 200);
  await waitForHydration(stranger.page);
  assert.equal(await stranger.page.locator('#card-title').innerText(), 'Card day 🎉');
  const image = await stranger.page.locator('meta[property="og:image"]').getAttribute('content');
  assert.equal(await stranger.page.locator('meta[name="twitter:card"]').getAttribute('content'), 'summary_large_image');
  const png = await stranger.page.request.get(image);
  assert.equal(png.status(), 200);
  assert.equal(png.headers()['content-type'], 'image/png');
  assert.equal(await stranger.page.locator('#card-cta').innerText(), 'Start your own ring');

  for (const side of [owner, stranger]) {
    assert.deepEqual(await cspViolations(side.page), []);
    assert.deepEqual(side.problems, []);
  }
  await owner.context.close();
  await stranger.context.close();
});
