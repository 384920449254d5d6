// Insights from real actions: A writes and passes the ring to B, B writes; A opens the draft's
// insights and sees the numbers and the chart; B opens /insights and finds their own numbers
// and the thank-you boards, then leaves the boards from the account page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitForHydration, cspViolations, uniqueHandle, setPlan, signUpApi, call } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('insights show what the collaboration did', async () => {
  const a = await newPage(browser);
  const b = await newPage(browser);
  const [ha, hb] = [uniqueHandle('ivy'), uniqueHandle('jon')];
  await signUpApi(a.page, ha);
  const bId = (await signUpApi(b.page, hb)).id;
  setPlan(ha, 'creator'); // the charts come with Creator
  const draft = (await call(a.page, 'drafts/create', { title: 'Numbers thread', platform: 'x', first_segment: 'One' })).id;
  await call(a.page, 'drafts/add_collaborator', { draft_id: draft, handle: hb, role: 'editor' });
  await call(a.page, 'drafts/append', { draft_id: draft, content: 'Two' });
  await call(a.page, 'drafts/pass_ring', { draft_id: draft, to_user_id: bId });
  await call(b.page, 'drafts/append', { draft_id: draft, content: 'Three, from B' });

  // From the draft page to its insights.
  await a.page.goto(`/drafts/${draft}`);
  await waitForHydration(a.page);
  await a.page.locator('#open-insights').click();
  await a.page.locator('#insight-numbers').waitFor();
  await waitForHydration(a.page);
  const numbers = await a.page.locator('#insight-numbers').innerText();
  assert.match(numbers, /Segments\s+3/);
  assert.match(numbers, /Contributors\s+2/);
  assert.match(numbers, /Ring passes\s+1/);
  assert.equal(await a.page.locator('svg[aria-label^="Segments added per day"] rect').count() >= 2, true);
  assert.match(await a.page.locator('#contributions').innerText(), new RegExp(`@${ha}\\s+2`));
  await a.page.getByText('Show as a table').first().click();
  assert.match(await a.page.locator('details table').first().innerText(), /Total/);

  // B's own page and the boards.
  await b.page.goto('/insights');
  await waitForHydration(b.page);
  assert.match(await b.page.locator('#my-numbers').innerText(), /Segments written\s+1/);
  const board = b.page.locator('#board-collaboration-7');
  await board.getByText(`@${ha}`).waitFor();
  assert.match(await board.innerText(), /passed the ring once/);
  await b.page.getByRole('link', { name: 'Last 30 days' }).click();
  await b.page.locator('#board-collaboration-30').waitFor();

  // B leaves the boards: gone from A's view at once.
  await b.page.goto('/account');
  await waitForHydration(b.page);
  await b.page.locator('#toggle-leaderboards').click();
  await b.page.getByText("You don't appear on any leaderboard.").waitFor();
  const boards = await a.page.request.post('/api/analytics/leaderboards', { form: {} });
  assert.equal((await boards.text()).includes(`"${hb}"`), false);

  for (const side of [a, b]) {
    assert.deepEqual(await cspViolations(side.page), []);
    assert.deepEqual(side.problems, []);
  }
  await a.context.close();
  await b.context.close();
});
