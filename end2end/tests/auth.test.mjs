// Sign up, sign out, sign in, a wrong password, and hydration, in a real browser against the
// real server; no CSP violation or page error along the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, PASSWORD } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the page hydrates and its controls work', async () => {
  const { context, page, problems } = await newPage(browser);
  await page.goto('/signup');
  await waitForHydration(page);
  const password = page.locator('#password');
  assert.equal(await password.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Show' }).click();
  assert.equal(await password.getAttribute('type'), 'text');
  await page.getByLabel('Handle').fill('Ada Lovelace');
  await page.getByText('Use only letters, digits and underscores').waitFor();
  await page.getByLabel('Handle').fill('Ada_Lovelace');
  await page.getByText("You'll be @ada_lovelace").waitFor();
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('sign up, sign out, sign in, and a wrong password', async () => {
  const { context, page, problems } = await newPage(browser);
  const handle = uniqueHandle('e2e');

  await page.goto('/');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Get started' }).click();
  await page.waitForURL('**/signup*');
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Email').fill(`${handle}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#home-greeting').getByText(`Welcome, @${handle}`).waitFor();
  await page.locator('#nav-account').getByText(`@${handle}`).waitFor();

  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'onering_session');
  assert.ok(session, 'a session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');
  assert.equal(await page.evaluate(() => document.cookie.includes('onering_session')), false,
    'scripts cannot read the session cookie');

  await page.locator('#sign-out').click();
  await page.getByRole('link', { name: 'Get started' }).waitFor();
  assert.equal((await context.cookies()).some((c) => c.name === 'onering_session'), false);

  await page.getByRole('link', { name: 'Sign in' }).first().click();
  await page.waitForURL('**/signin*');
  await page.getByLabel('Handle or email').fill(handle);
  await page.getByLabel('Password', { exact: true }).fill('not my password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText("don't match").waitFor();
  assert.match(page.url(), /\/signin/);

  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#home-greeting').getByText(`Welcome, @${handle}`).waitFor();

  await page.goto('/account');
  await waitForHydration(page);
  await page.getByText('Where you\'re signed in').waitFor();
  await page.locator('#session-list').getByText('This device').waitFor();

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('unknown pages get a friendly 404 that still hydrates', async () => {
  const { context, page, problems } = await newPage(browser);
  const response = await page.goto('/no/such/page');
  assert.equal(response.status(), 404);
  await page.getByText('This page slipped off the ring').waitFor();
  await waitForHydration(page);
  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
