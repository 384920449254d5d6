#!/usr/bin/env bash
# Writes .br and .gz next to the built JS, wasm and CSS so the server sends them compressed
# without compressing on every request.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
node -e '
const fs = require("fs"), zlib = require("zlib"), path = require("path");
const dir = "target/site/pkg";
for (const name of fs.readdirSync(dir)) {
  if (!/\.(js|wasm|css)$/.test(name)) continue;
  const file = path.join(dir, name), raw = fs.readFileSync(file);
  fs.writeFileSync(file + ".br", zlib.brotliCompressSync(raw, { params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
  fs.writeFileSync(file + ".gz", zlib.gzipSync(raw, { level: 9 }));
}'
