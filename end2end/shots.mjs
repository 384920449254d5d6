// Screenshots of pages as a user sees them, at a laptop and a phone width (not a test):
//   BASE_URL=… node shots.mjs <out-dir> <path> [<path>…]
// With SHOT_DATABASE_URL set (the server's database), the user is made an admin first, so
// admin pages can be shot too; `{user}` in a path is then the second person's id.
// Signs up a fresh user with a draft written with a second person, so signed-in pages have
// something to show; `{draft}` in a path is that draft's id, `{handle}` the user's handle.
import { execFileSync } from 'node:child_process';
import { launch, BIN } from './tests/helpers.mjs';

const [out, ...paths] = process.argv.slice(2);
const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const browser = await launch();
const widths = [[1280, 900, 'laptop'], [390, 844, 'phone']];
const context = await browser.newContext({ baseURL: base });
const handle = `shot_${Date.now().toString(36)}`;
const other = `${handle}_b`;
const form = (f) => ({ form: { ...f, idempotency_key: `${Math.random()}` } });
await context.request.post('/api/auth/sign_up', { form: { handle, email: `${handle}@example.com`, password: 'correct horse battery staple' } });
const second = await browser.newContext({ baseURL: base });
const otherId = (await (await second.request.post('/api/auth/sign_up', { form: { handle: other, email: `${other}@example.com`, password: 'correct horse battery staple' } })).json()).user.id;
const draft = (await (await context.request.post('/api/drafts/create', form({ title: 'Launch week thread', platform: 'bluesky', first_segment: 'We shipped OneRing today. Here is the story of how five of us wrote it together.' }))).json()).id;
await context.request.post('/api/drafts/add_collaborator', form({ draft_id: draft, handle: other, role: 'editor' }));
await context.request.post('/api/drafts/append', form({ draft_id: draft, content: 'It started with one ring and a shared doc nobody could agree on.' }));
await context.request.post('/api/drafts/pass_ring', form({ draft_id: draft, to_user_id: otherId }));
await second.request.post('/api/drafts/append', form({ draft_id: draft, content: 'Then we took turns. Whoever held the ring wrote the next post.' }));
if (process.env.SHOT_DATABASE_URL) {
  execFileSync(BIN, ['admin', 'grant', handle], {
    env: { ...process.env, DATABASE_URL: process.env.SHOT_DATABASE_URL }, cwd: '..',
  });
}
for (const path of paths) {
  for (const [width, height, name] of widths) {
    const page = await context.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(path.replace('{draft}', draft).replace('{handle}', handle).replace('{user}', otherId));
    await page.waitForSelector('[data-hydrated="true"]', { timeout: 15000 }).catch(() => {});
    const file = `${out}/${path.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '') || 'home'}-${name}.png`;
    await page.screenshot({ path: file, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    console.log(`${file}${overflow > 0 ? `  (overflows by ${overflow}px)` : ''}`);
    await page.close();
  }
}
await browser.close();
