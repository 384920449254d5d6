// The daily loop in a browser: a new writer's Today shows a fresh streak; after appending a
// segment it shows day 1 and the momentum graph; the coach answers a question; a signed-out
// visitor opens the writer's profile and sees the badge and the card in its preview tags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, signUpApi, call } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a segment starts the streak, the graph shows it, and the profile opens for anyone', async () => {
  const { page, problems } = await newPage(browser);
  const handle = uniqueHandle('uma');
  await signUpApi(page, handle);

  await page.goto('/today');
  await waitForHydration(page);
  assert.match(await page.locator('#streak-headline').innerText(), /first streak starts today/);
  assert.notEqual((await page.locator('#challenge-prompt').innerText()).trim(), '');

  // Start a draft from today's challenge: the dialog carries the prompt as its hint.
  await page.locator('#start-from-challenge').click();
  assert.equal(
    (await page.locator('#create-hint').innerText()).replace("Today's challenge: ", '').trim(),
    (await page.locator('#challenge-prompt').innerText()).trim(),
  );
  await page.getByLabel('Title').fill('From the challenge');
  await page.getByLabel('Opening post').fill('My answer to today’s prompt.');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await page.waitForURL(/\/drafts\/[0-9a-f-]{36}$/);
  const draft = page.url().split('/').pop();
  await call(page, 'drafts/append', { draft_id: draft, content: 'A second segment, for momentum.' });

  await page.goto('/today');
  await waitForHydration(page);
  assert.match(await page.locator('#streak-headline').innerText(), /Day 1/);
  assert.ok(Number(await page.locator('#momentum-score').innerText()) > 0);
  assert.ok(await page.locator('#momentum svg polyline').count() === 1, 'the momentum graph is drawn');
  assert.match(await page.locator('#momentum-summary').innerText(), /^Momentum \d+ today/);

  // The coach's box.
  await page.locator('#coach-question').fill('How do I write a better hook?');
  await page.getByRole('button', { name: 'Ask' }).click();
  await page.locator('#coach-reply').getByText('On openings').waitFor();

  // "Share my card" shows the image.
  await page.locator('#share-my-card').click();
  const image = page.locator('#personal-card-image');
  await image.waitFor();
  assert.equal(await image.evaluate((img) => img.decode().then(() => img.naturalWidth)), 1200);

  // A stranger sees the profile, the badge and the preview tags.
  const visitor = await newPage(browser);
  const response = await visitor.page.goto(`/u/${handle}`);
  assert.equal(response.status(), 200);
  await waitForHydration(visitor.page);
  assert.match(await visitor.page.locator('#profile-badge').innerText(), /Finding a voice/);
  const og = await visitor.page.locator('meta[property="og:image"]').getAttribute('content');
  assert.match(og, new RegExp(`/images/people/${handle}/[0-9a-f]{16}\\.png$`));
  const png = await visitor.page.request.get(og);
  assert.equal(png.headers()['content-type'], 'image/png');
  assert.equal((await visitor.page.content()).includes('@example.com'), false, 'no email on a profile');
  assert.equal((await visitor.page.goto('/u/nobody-here')).status(), 404);

  assert.deepEqual(await cspViolations(page), []);
  assert.deepEqual(problems, []);
  assert.deepEqual(visitor.problems, []);
});
