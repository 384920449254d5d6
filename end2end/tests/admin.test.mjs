// The admin pages in a real browser: an account granted the admin role from the server's
// command line finds a person, sets an override with an expiry, and sees it in the audit
// log; someone who is not an admin gets the 403 page at /admin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, signUpApi, grantAdmin } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an admin sets an override with an expiry and finds it in the audit log', async () => {
  const admin = await newPage(browser);
  const member = await newPage(browser);
  const adminHandle = uniqueHandle('root');
  const handle = uniqueHandle('bea');
  await signUpApi(admin.page, adminHandle);
  await signUpApi(member.page, handle);
  grantAdmin(adminHandle);

  const { page } = admin;
  await page.goto('/admin');
  await waitForHydration(page);
  await page.locator('#admin-me').getByText(`${adminHandle}@example.com`).waitFor();

  await page.goto(`/admin/users?q=${handle}`);
  await waitForHydration(page);
  await page.locator('#user-results').getByRole('link', { name: `@${handle}` }).click();
  await page.locator('#person-email').getByText(`${handle}@example.com`).waitFor();

  const nextYear = new Date().getUTCFullYear() + 1;
  const form = page.locator('#set-override-form');
  await form.getByLabel('Entitlement').selectOption('drafts.max');
  await form.getByLabel('Value').fill('7');
  await form.getByLabel('Ends (UTC, optional)').fill(`${nextYear}-06-30T12:00`);
  await form.getByLabel('Reason (kept in the audit log)').fill('pilot customer');
  await form.getByRole('button', { name: 'Set override' }).click();
  await form.getByRole('status').getByText(`@${handle}'s drafts.max is now 7 until ${nextYear}-06-30T12:00:00.000Z.`).waitFor();
  await page.locator('#standings [data-entitlement="drafts.max"] [data-override="true"]').getByText('pilot customer').waitFor();

  await page.goto(`/admin/audit?target=%40${handle}`);
  await waitForHydration(page);
  const row = page.locator('#audit-rows li[data-action="entitlement.override.set"]');
  await row.getByText(`@${handle}`).waitFor();
  await row.getByText('Why: pilot customer').waitFor();
  await row.getByText(`${adminHandle}@example.com`).waitFor();

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(admin.problems, []);

  // Someone who is not an admin: the 403 page, and no emails.
  const denied = await member.page.goto('/admin/users');
  assert.equal(denied.status(), 403);
  await member.page.locator('#admin-denied').getByText("This page is for OneRing's admins").waitFor();
  assert.equal(await member.page.getByText(`${adminHandle}@example.com`).count(), 0);
  await admin.context.close();
  await member.context.close();
});
