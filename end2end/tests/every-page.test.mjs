// Every page (pages.mjs), signed out and signed in, after hydration:
// - on a phone (360 and 390 px wide, touch): nothing wider than the screen
//   (`scrollWidth` equals the viewport), and every control at least 44 × 44 px (links inside
//   a sentence excepted, as WCAG 2.5.8 does);
// - axe-core on a phone and on a laptop: no `serious` or `critical` violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BASE_URL, launch, waitForHydration } from './helpers.mjs';
import { PAGES, fill, makeWorld } from './pages.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const PHONES = [360, 390];
const PHONE = { isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let browser;
let world;
before(async () => {
  browser = await launch();
  world = await makeWorld(browser, { baseURL: BASE_URL });
});
after(async () => { await browser?.close(); });

/** A page for `who` at `width`, with `who`'s cookies. */
async function open(who, width, phone) {
  const options = { baseURL: BASE_URL, viewport: { width, height: phone ? 800 : 900 }, ...(phone ? PHONE : {}) };
  const context = await browser.newContext(options);
  if (who !== 'out') await context.addCookies(await world.contexts[who].cookies());
  return { context, page: await context.newPage() };
}

async function visit(page, spec) {
  const response = await page.goto(fill(spec.path, world));
  assert.ok(response, `${spec.name}: no response`);
  await waitForHydration(page);
  if (spec.open) {
    await page.locator(spec.open).click();
    await page.locator('[role="dialog"]').first().waitFor();
  }
  // Fonts and lazy content settle.
  await page.evaluate(() => document.fonts.ready);
}

/** Controls smaller than 44 × 44 px, and how wide the page lays out. */
function measure() {
  const small = [];
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"]',
  );
  for (const el of controls) {
    const style = getComputedStyle(el);
    if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (el.closest('[aria-hidden="true"], .sr-only')) continue;
    // A link in a sentence is sized by the sentence (WCAG 2.5.8's inline exception).
    if (el.tagName === 'A' && style.display === 'inline') {
      const parentText = (el.parentElement?.textContent ?? '').trim();
      if (parentText.length > (el.textContent ?? '').trim().length) continue;
    }
    // A checkbox or radio is operated through its label.
    if (el.type === 'checkbox' || el.type === 'radio') {
      const label = el.closest('label');
      if (label) {
        const l = label.getBoundingClientRect();
        if (l.width >= 44 && l.height >= 44) continue;
      }
    }
    if (box.width < 44 || box.height < 44) {
      const name = (el.id ? `#${el.id}` : el.tagName.toLowerCase())
        + ` "${(el.textContent || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)}"`;
      small.push(`${name} ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return { width: document.documentElement.scrollWidth, small };
}

async function axe(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

for (const spec of PAGES) {
  test(`${spec.name} (${spec.path}, ${spec.as})`, async () => {
    const problems = [];
    for (const width of PHONES) {
      const { context, page } = await open(spec.as, width, true);
      await visit(page, spec);
      const { width: laidOut, small } = await page.evaluate(measure);
      if (laidOut !== width) problems.push(`${width} px: lays out ${laidOut} px wide`);
      if (small.length) problems.push(`${width} px: controls under 44 px: ${small.join('; ')}`);
      if (width === PHONES[0]) {
        for (const v of await axe(page)) problems.push(`axe at ${width} px: ${v}`);
      }
      await context.close();
    }
    const { context, page } = await open(spec.as, 1280, false);
    await visit(page, spec);
    for (const v of await axe(page)) problems.push(`axe at 1280 px: ${v}`);
    await context.close();
    assert.deepEqual(problems, []);
  });
}
