// An invite from first click to first post: A creates an invite link in context A; a
// signed-out visitor in context B opens it, sees the preview, signs up, comes back, joins,
// sees the welcome banner (once), and appends when A passes the ring.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, PASSWORD } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function fillSignUp(page, handle) {
  await waitForHydration(page);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Email').fill(`${handle}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
}

test('a signed-out visitor follows an invite link, signs up, joins and writes', async () => {
  const a = await newPage(browser);
  const b = await newPage(browser);
  const [ha, hb] = [uniqueHandle('ivy'), uniqueHandle('joe')];

  await a.page.goto('/signup');
  await fillSignUp(a.page, ha);
  await a.page.locator('#home-greeting').waitFor();
  await a.page.goto('/drafts');
  await waitForHydration(a.page);
  await a.page.locator('#new-draft').click();
  await a.page.getByLabel('Title').fill('Invite-only thread');
  await a.page.getByLabel('Opening post').fill('Hello from the owner');
  await a.page.getByRole('button', { name: 'Create draft' }).click();
  await a.page.locator('#draft-title').getByText('Invite-only thread').waitFor();
  await waitForHydration(a.page);

  // A creates an editor invite; the link is shown once, ready to copy.
  await a.page.locator('#invite-note').fill(`@${hb}`);
  await a.page.locator('#create-invite').click();
  const linkBox = a.page.locator('#invite-link');
  await linkBox.waitFor();
  const link = await linkBox.inputValue();
  assert.match(link, /\/refer\/[A-Za-z0-9_-]{22}$/);
  await a.page.locator('#invites li[data-status="pending"]').waitFor();

  // B, signed out, opens it: the preview and a way in.
  await b.page.goto(link);
  await waitForHydration(b.page);
  await b.page.locator('#invite-title').getByText('Invite-only thread').waitFor();
  await b.page.getByText(`@${ha} invited you to write together`).waitFor();
  assert.ok(await b.page.locator('meta[property="og:title"]').count() > 0, 'link-preview tags');
  await b.page.locator('#join-sign-up').click();
  await b.page.waitForURL(/\/signup\?next=\/refer$/);
  await fillSignUp(b.page, hb);

  // Back on the invite, now signed in: join.
  await b.page.waitForURL(/\/refer$/);
  const join = b.page.locator('#join');
  await join.getByText('Join “Invite-only thread”').waitFor();
  await join.click();
  await b.page.waitForURL(/\/drafts\//);
  await b.page.locator('#joined-banner').getByText('You joined').waitFor();
  await b.page.locator('#dismiss-joined').click();
  await b.page.locator('#joined-banner').waitFor({ state: 'detached' });

  // A sees who accepted (live, no reload), and passes B the ring.
  await a.page.locator('#invites li[data-status="accepted"]').getByText(`Joined: @${hb}`).waitFor();
  await a.page.locator('#pass-to').selectOption({ label: `@${hb}` });
  await a.page.locator('#pass-ring').click();
  await a.page.locator('#ring-holder').getByText(`@${hb} holds the ring`).waitFor();

  // B writes (the ring arrived live); the banner does not come back after a reload.
  await b.page.locator('#editor-heading').getByText("It's your turn").waitFor();
  await b.page.reload();
  await waitForHydration(b.page);
  assert.equal(await b.page.locator('#joined-banner').count(), 0, 'dismissed for good');
  await b.page.locator('#segment-input').fill('Glad to be here');
  await b.page.locator('#append').click();
  await b.page.locator('#timeline').getByText('Glad to be here').waitFor();

  for (const who of [a, b]) {
    assert.deepEqual(who.problems, []);
    assert.deepEqual(await cspViolations(who.page), []);
  }
  await a.context.close();
  await b.context.close();
});

test('an unusable invite link gets one friendly page', async () => {
  const v = await newPage(browser);
  const response = await v.page.goto('/refer/AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(response.status(), 404);
  await v.page.locator('#invite-unavailable').getByText('This invite link isn').waitFor();
  await v.context.close();
});
