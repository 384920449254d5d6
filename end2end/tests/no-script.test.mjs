// The core actions with JavaScript off (as before hydration on a slow phone): plain HTML
// forms posting to their server functions, the server answering with the next page and
// showing errors it rendered itself. Sign up, sign out, a wrong password, sign in, create a
// draft, add a segment, pass the ring, accept an invite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, uniqueHandle, PASSWORD, call, signUpApi } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function scriptless() {
  const context = await browser.newContext({ baseURL: BASE_URL, javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  return { context, page: await context.newPage() };
}

test('without JavaScript: sign up, out and in, write a draft and pass the ring', async () => {
  const { context, page } = await scriptless();
  const handle = uniqueHandle('plain');

  await page.goto('/signup');
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Email').fill(`${handle}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#home-greeting').getByText(`Welcome, @${handle}`).waitFor();

  await page.locator('#sign-out').click();
  await page.waitForURL(`${BASE_URL}/`);
  await page.getByRole('link', { name: 'Get started' }).first().waitFor();

  await page.goto('/signin');
  await page.getByLabel('Handle or email').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill('not my password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText("don't match").waitFor();
  await page.getByLabel('Handle or email').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#home-greeting').getByText(`Welcome, @${handle}`).waitFor();

  // A draft, from the list's link to its dialog.
  await page.goto('/drafts');
  await page.locator('#new-draft').click();
  await page.waitForURL('**/drafts?new=1');
  await page.getByLabel('Title').fill('Written without scripts');
  await page.getByLabel('Platform').selectOption('mastodon');
  await page.getByLabel('Opening post').fill('Plain forms still work.');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await page.waitForURL(/\/drafts\/[0-9a-f-]{36}$/);
  await page.locator('#draft-title').getByText('Written without scripts').waitFor();
  const draftId = page.url().split('/drafts/')[1];

  await page.locator('#segment-input').fill('And a second post, added the old way.');
  await page.locator('#append').click();
  await page.locator('#timeline').getByText('And a second post, added the old way.').waitFor();
  assert.equal(await page.locator('#timeline li').count(), 2);

  // A co-writer joins (through the API), and the ring goes to them by the plain form.
  const friend = await browser.newContext({ baseURL: BASE_URL });
  const friendHandle = uniqueHandle('pal');
  await signUpApi(await friend.newPage(), friendHandle);
  await call(page, 'drafts/add_collaborator', { draft_id: draftId, handle: friendHandle, role: 'editor' });
  await page.reload();
  await page.locator('#pass-to').selectOption({ label: `@${friendHandle}` });
  await page.locator('#pass-ring').click();
  await page.locator('#ring-holder').getByText(`@${friendHandle} holds the ring`).waitFor();
  assert.equal(await page.locator('#segment-input').isDisabled(), true, 'the editor waits for the ring');

  // An invite link, accepted by someone else without scripts.
  const invite = await call(page, 'invites/create', { draft_id: draftId, role: 'viewer' });
  const guest = await scriptless();
  await signUpApi(guest.page, uniqueHandle('guest'));
  await guest.page.goto(invite.link.replace(/^https?:\/\/[^/]+/, ''));
  await guest.page.locator('#join').click();
  await guest.page.waitForURL(`**/drafts/${draftId}`);
  await guest.page.locator('#draft-title').getByText('Written without scripts').waitFor();
  await guest.context.close();
  await friend.close();
  await context.close();
});
