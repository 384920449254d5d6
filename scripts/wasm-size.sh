#!/usr/bin/env bash
# Builds the release bundle and prints the browser payload: raw, gzip and brotli sizes.
# Budget for the whole finished app: 250 KiB brotli for the wasm.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
[ "${1:-}" = "--no-build" ] || cargo leptos build --release
node -e '
const fs = require("fs"), zlib = require("zlib");
const kib = n => (n / 1024).toFixed(1).padStart(8) + " KiB";
console.log("file".padEnd(22), "raw".padStart(12), "gzip -9".padStart(12), "brotli 11".padStart(12));
let brTotal = 0;
for (const name of ["onering_bg.wasm", "onering.wasm", "onering.js", "onering.css"]) {
  const file = "target/site/pkg/" + name;
  if (!fs.existsSync(file)) continue;
  const raw = fs.readFileSync(file);
  const gz = zlib.gzipSync(raw, { level: 9 }).length;
  const br = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  if (name.endsWith(".wasm")) brTotal = br;
  console.log(name.padEnd(22), kib(raw.length), kib(gz), kib(br));
}
console.log(brTotal <= 250 * 1024 ? "wasm within the 250 KiB brotli budget" : "wasm OVER the 250 KiB brotli budget");
'
