#!/usr/bin/env bash
# README command 1: set up what is missing, build the release app, serve it at
# http://127.0.0.1:3000 (SQLite file under data/ unless DATABASE_URL says otherwise).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
scripts/setup.sh
step "Building OneRing (release)"
cargo leptos build --release --split
scripts/precompress.sh
step "Starting OneRing on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
LEPTOS_ENV=PROD exec target/release/onering
