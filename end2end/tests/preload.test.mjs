// A lazy page names the wasm modules it needs in its head on every response, so the browser
// fetches them beside the main module instead of after it (Leptos's own hints reached about
// one response in four: src/ui/lazy_preload.rs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, uniqueHandle, signUpApi, call } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const links = (html) => [...html.matchAll(/<link\b[^>]*>/g)].map((m) => m[0]);

/** The lazy modules a page preloads (its `<link rel="preload">` wasm, less the main module). */
const preloads = (html) =>
  links(html)
    .filter((tag) => tag.includes('rel="preload"'))
    .map((tag) => tag.match(/href="([^"]+\.wasm)"/)?.[1])
    .filter((href) => href && !/\/onering(_bg)?\.wasm$/.test(href));

/** Whether the page preloads wasm-split's loader, which fetches the lazy modules. */
const preloadsLoader = (html) =>
  links(html).some((tag) => tag.includes('rel="modulepreload"') && tag.includes('/pkg/__wasm_split'));

test('every response of a lazy page preloads the same modules, and they exist', async () => {
  const { context, page } = await newPage(browser);
  await signUpApi(page, uniqueHandle('pre'));
  const draft = (await call(page, 'drafts/create', { title: 'Preloaded', platform: 'x', first_segment: 'One' })).id;
  for (const path of [`/drafts/${draft}`, '/drafts', '/today']) {
    const seen = new Set();
    let modules = [];
    for (let i = 0; i < 20; i += 1) {
      const reply = await page.request.get(path);
      assert.equal(reply.status(), 200, path);
      const html = await reply.text();
      modules = preloads(html);
      assert.ok(modules.length > 0, `${path}, response ${i + 1}: no module preloads`);
      assert.ok(preloadsLoader(html), `${path}: the split loader is preloaded`);
      seen.add(modules.join(' '));
    }
    assert.equal(seen.size, 1, `${path}: the same modules on every response`);
    for (const href of modules) {
      assert.equal((await page.request.get(href)).status(), 200, href);
    }
  }
  await context.close();
});
