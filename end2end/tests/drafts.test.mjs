// Two people on one draft: A creates it, adds B as editor and passes the ring; A's editor is
// disabled with the waiting message; B appends; A reloads and sees B's segment; B cannot
// pass to a viewer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, signUpApi, call, PASSWORD, BASE_URL } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signUp(page, handle) {
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Email').fill(`${handle}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#home-greeting').waitFor();
}

test('two collaborators write a thread by passing the ring', async () => {
  const a = await newPage(browser);
  const b = await newPage(browser);
  const [ha, hb, hc] = [uniqueHandle('ann'), uniqueHandle('ben'), uniqueHandle('cat')];
  await signUp(a.page, ha);
  await signUp(b.page, hb);
  // A viewer, signed up straight through the API.
  const viewer = await browser.newContext({ baseURL: BASE_URL });
  const signed = await viewer.request.post('/api/auth/sign_up', {
    form: { handle: hc, email: `${hc}@example.com`, password: PASSWORD },
  });
  assert.equal(signed.status(), 200);

  // A creates the draft.
  await a.page.goto('/drafts');
  await waitForHydration(a.page);
  await a.page.locator('#new-draft').click();
  await a.page.getByLabel('Title').fill('Our launch thread');
  await a.page.getByLabel('Platform').selectOption('bluesky');
  await a.page.getByLabel('Opening post').fill('We built something 🎉');
  await a.page.getByText('20 / 300').waitFor();
  await a.page.getByRole('button', { name: 'Create draft' }).click();
  await a.page.locator('#draft-title').getByText('Our launch thread').waitFor();
  await waitForHydration(a.page);
  const draftUrl = a.page.url();

  // A adds B as editor and C as viewer, then passes the ring to B.
  for (const [handle, role] of [[hb, 'editor'], [hc, 'viewer']]) {
    await a.page.locator('#add-handle').fill(handle);
    await a.page.locator('#add-role').selectOption(role);
    await a.page.locator('#add-collaborator').click();
    await a.page.locator('#collaborators').getByText(`@${handle}`).waitFor();
  }
  const options = await a.page.locator('#pass-to option').allTextContents();
  assert.deepEqual(options, [`@${hb}`], 'only writers can be handed the ring');
  await a.page.locator('#pass-ring').click();
  await a.page.locator('#ring-holder').getByText(`@${hb} holds the ring`).waitFor();
  assert.equal(await a.page.locator('#segment-input').isDisabled(), true);
  await a.page.locator('#waiting-message').getByText(`Waiting for @${hb} to pass the ring`).waitFor();

  // B appends with Ctrl+Enter.
  await b.page.goto(draftUrl);
  await waitForHydration(b.page);
  await b.page.getByText("It's your turn").waitFor();
  await b.page.locator('#segment-input').fill('And it works together.');
  await b.page.locator('#segment-input').press('Control+Enter');
  await b.page.locator('#timeline li[data-position="2"]').getByText('And it works together.').waitFor();

  // A reloads and sees B's segment with B's handle.
  await a.page.reload();
  await waitForHydration(a.page);
  const second = a.page.locator('#timeline li[data-position="2"]');
  assert.equal(await second.locator('.segment-author').textContent(), hb);
  assert.equal(await second.locator('.segment-content').textContent(), 'And it works together.');

  // B cannot pass to the viewer: not offered, and refused by the server.
  const bOptions = await b.page.locator('#pass-to option').allTextContents();
  assert.deepEqual(bOptions, [`@${ha}`]);
  const draftId = draftUrl.split('/').pop();
  const members = await b.page.request.post('/api/drafts/get', { form: { draft_id: draftId } });
  const viewerId = (await members.json()).collaborators.find((c) => c.user.handle === hc).user.id;
  const refused = await b.page.request.post('/api/drafts/pass_ring', {
    form: { draft_id: draftId, to_user_id: viewerId, idempotency_key: `e2e-${Date.now()}` },
  });
  assert.equal(refused.status(), 422);

  for (const side of [a, b]) {
    assert.deepEqual(await cspViolations(side.page), []);
    assert.deepEqual(side.problems, []);
  }
  await viewer.close();
  await a.context.close();
  await b.context.close();
});

test('the ring holder edits and deletes their own segments, and only those', async () => {
  const a = await newPage(browser);
  const b = await newPage(browser);
  const [ha, hb] = [uniqueHandle('edi'), uniqueHandle('rea')];
  await signUpApi(a.page, ha);
  await signUpApi(b.page, hb);
  const draft = (await call(a.page, 'drafts/create', { title: 'Editing', platform: 'x', first_segment: 'First <b>draft</b> & all' })).id;
  await call(a.page, 'drafts/append', { draft_id: draft, content: 'Second, with a typo' });
  await call(a.page, 'drafts/add_collaborator', { draft_id: draft, handle: hb, role: 'editor' });

  await a.page.goto(`/drafts/${draft}`);
  await waitForHydration(a.page);
  // Text is shown as typed, never as markup.
  assert.equal(await a.page.locator('#timeline li[data-position="1"] .segment-content').textContent(), 'First <b>draft</b> & all');
  await a.page.getByRole('button', { name: 'Edit segment 2' }).click();
  const box = a.page.locator('#edit-segment');
  assert.equal(await box.inputValue(), 'Second, with a typo');
  await box.fill('Second, fixed');
  await a.page.getByRole('button', { name: 'Save' }).click();
  const second = a.page.locator('#timeline li[data-position="2"]');
  await second.getByText('Second, fixed').waitFor();
  await second.getByText('edited', { exact: false }).waitFor();
  assert.equal(await box.count(), 0, 'the form closes once saved');

  await a.page.getByRole('button', { name: 'Delete segment 1' }).click();
  await a.page.locator('#timeline').getByText('First <b>draft</b> & all').waitFor({ state: 'detached' });
  assert.equal(await a.page.locator('#timeline li').count(), 1);

  // B does not hold the ring: no buttons on anything, B's page follows A's changes.
  await b.page.goto(`/drafts/${draft}`);
  await waitForHydration(b.page);
  assert.equal(await b.page.locator('#timeline button').count(), 0);
  // The rest moved up a place.
  await a.page.getByRole('button', { name: 'Edit segment 1' }).click();
  await a.page.locator('#edit-segment').fill('Second, final');
  await a.page.getByRole('button', { name: 'Save' }).click();
  await b.page.locator('#timeline').getByText('Second, final').waitFor();

  for (const side of [a, b]) {
    assert.deepEqual(await cspViolations(side.page), []);
    assert.deepEqual(side.problems, []);
  }
  await a.context.close();
  await b.context.close();
});
