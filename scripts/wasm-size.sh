#!/usr/bin/env bash
# Builds the release bundle and prints the browser payload: raw, gzip and brotli sizes.
# Budget for the whole finished app: 250 KiB brotli for the wasm.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
[ "${1:-}" = "--no-build" ] || cargo leptos build --release --split
node -e '
const fs = require("fs"), zlib = require("zlib");
const dir = "target/site/pkg/";
const kib = n => (n / 1024).toFixed(1).padStart(8) + " KiB";
const sizes = name => {
  const raw = fs.readFileSync(dir + name);
  return [raw.length, zlib.gzipSync(raw, { level: 9 }).length,
    zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length];
};
console.log("file".padEnd(58), "raw".padStart(12), "gzip -9".padStart(12), "brotli 11".padStart(12));
let first = 0, lazy = 0;
for (const name of fs.readdirSync(dir).filter(n => /\.(wasm|js|css)$/.test(n)).sort()) {
  const [raw, gz, br] = sizes(name);
  if (name === "onering.wasm" || name === "onering_bg.wasm") first = br;
  else if (name.endsWith(".wasm")) lazy += br;
  console.log(name.padEnd(58), kib(raw), kib(gz), kib(br));
}
console.log(`wasm loaded by every page: ${kib(first).trim()}; lazy page chunks together: ${kib(lazy).trim()}`);
console.log(first <= 250 * 1024 ? "first-load wasm within the 250 KiB brotli budget" : "first-load wasm OVER the 250 KiB brotli budget");
'
