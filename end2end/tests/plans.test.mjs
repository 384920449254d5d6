// A free account creates three drafts; the fourth shows the plan's limit with the way out;
// archiving one frees the slot at once and the fourth goes through. The plan page shows the
// usage, and the pricing page marks the plan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, PASSWORD } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function createInDialog(page, title) {
  await page.goto('/drafts');
  await waitForHydration(page);
  await page.locator('#new-draft').click();
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Opening post').fill(`The start of ${title}`);
  await page.getByRole('button', { name: 'Create draft' }).click();
}

test('the fourth free draft is refused with the way out; archiving makes room', async () => {
  const { page, context, problems } = await newPage(browser);
  const handle = uniqueHandle('fay');
  const signed = await page.request.post('/api/auth/sign_up', { form: { handle, email: `${handle}@example.com`, password: PASSWORD } });
  assert.equal(signed.status(), 200);
  for (const title of ['First', 'Second', 'Third']) {
    await createInDialog(page, title);
    await page.locator('#draft-title').getByText(title).waitFor();
  }
  await createInDialog(page, 'Fourth');
  const message = page.locator('#quota-message');
  await message.waitFor();
  assert.match(await message.innerText(), /You have 3 active drafts, the most on Free\. Archive one, or upgrade\./);
  assert.equal(await message.getByRole('link', { name: 'See your plan' }).getAttribute('href'), '/account/plan');

  // Archive the first from its page, then try again.
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.locator('#draft-list').getByText('First').click();
  await page.locator('#draft-title').getByText('First').waitFor();
  await waitForHydration(page);
  await page.locator('#draft-status').selectOption('archived');
  await page.locator('header p', { hasText: '· archived' }).waitFor();
  await createInDialog(page, 'Fourth');
  await page.locator('#draft-title').getByText('Fourth').waitFor();

  await page.goto('/account/plan');
  await waitForHydration(page);
  assert.match(await page.locator('#usage').innerText(), /Active drafts\s+3 of 3/);
  await page.goto('/pricing');
  await page.locator('[data-plan="free"]').getByText('Your plan').waitFor();

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
