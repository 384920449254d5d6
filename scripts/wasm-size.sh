#!/usr/bin/env bash
# Prints the browser payload (raw, gzip and brotli sizes of every wasm, JS and CSS file) and
# fails when a budget is broken:
#   - the wasm every page loads first: 250 KiB brotli (see FIRST_LOAD);
#   - each lazy page's own chunk: its budget below (brotli), and 60 KiB for a page not listed;
#   - the chunks lazy pages share: 400 KiB brotli together.
# Usage: scripts/wasm-size.sh [--no-build]   (builds the release front end unless told not to)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
[ "${1:-}" = "--no-build" ] || cargo leptos build --release --split --frontend-only
node -e '
const fs = require("fs"), zlib = require("zlib");
const dir = "target/site/pkg/";
const KIB = 1024;
// The first load (the app shell, sign-in, home and the runtime every page shares) measured
// 241.2 KiB on 2026-12-08, after sign-up became a lazy page (253.5 KiB before). wasm-split
// moves the code and strings of lazy pages out of the first load; the strings only while
// their re-packed data fits (`SPLIT_DATA_SLACK` in src/lib.rs keeps room), else all of them
// land here at once (+36 KiB) and this check fails.
const FIRST_LOAD = 250 * KIB, SHARED = 400 * KIB, PAGE_DEFAULT = 60 * KIB;
// Per lazy page (the route name in the chunk file), brotli. Set from measured sizes with
// room to grow; raise one only with a reason.
const PAGE = {
  // The draft page is the app: timeline, editor with live counts, ring, people, invites,
  // live channel and the publish panel (137 KiB when this was set).
  draft_route: 150, drafts_route: 30, account_route: 40, refer_route: 30,
  pricing_route: 30, public_card_route: 30, plan_route: 40, today_route: 60,
  // Sign-up and its live checks (8.4 KiB when this was set).
  sign_up_route: 20,
  profile_route: 30, connections_route: 40, schedule_route: 40,
  // Groups (`lazy_group!` in src/app.rs): the pages load together.
  insights_pages: 60, admin_pages: 100,
};
const kib = n => (n / KIB).toFixed(1).padStart(8) + " KiB";
const sizes = name => {
  const raw = fs.readFileSync(dir + name);
  return [raw.length, zlib.gzipSync(raw, { level: 9 }).length,
    zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length];
};
console.log("file".padEnd(58), "raw".padStart(12), "gzip -9".padStart(12), "brotli 11".padStart(12), "budget".padStart(10));
let first = 0, shared = 0;
const broken = [];
for (const name of fs.readdirSync(dir).filter(n => /\.(wasm|js|css)$/.test(n)).sort()) {
  const [raw, gz, br] = sizes(name);
  let budget = "";
  if (name === "onering.wasm" || name === "onering_bg.wasm") {
    first = br;
    budget = kib(FIRST_LOAD);
    if (br > FIRST_LOAD) broken.push(`${name}: ${kib(br).trim()} over the first-load budget of ${kib(FIRST_LOAD).trim()}`);
  } else if (name.startsWith("split_")) {
    // split___draft_route_view_<n>.wasm (a lazy route), split_admin_pages_<n>.wasm (a group)
    const route = name.replace(/^split_+/, "").replace(/(_view)?_\d+\.wasm$/, "");
    const limit = (PAGE[route] ?? PAGE_DEFAULT / KIB) * KIB;
    budget = kib(limit);
    if (br > limit) broken.push(`${name}: ${kib(br).trim()} over its page budget of ${kib(limit).trim()}`);
  } else if (name.endsWith(".wasm")) {
    shared += br;
  }
  console.log(name.padEnd(58), kib(raw), kib(gz), kib(br), budget.padStart(10));
}
console.log(`first-load wasm: ${kib(first).trim()} of ${kib(FIRST_LOAD).trim()}; chunks shared by lazy pages: ${kib(shared).trim()} of ${kib(SHARED).trim()}`);
if (shared > SHARED) broken.push(`shared chunks: ${kib(shared).trim()} over ${kib(SHARED).trim()}`);
if (first === 0) broken.push("no first-load wasm found: was the front end built?");
if (broken.length) {
  console.error("\nwasm budgets broken:\n  " + broken.join("\n  "));
  process.exit(1);
}
console.log("every wasm budget holds");
'
