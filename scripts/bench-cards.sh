#!/usr/bin/env bash
# Share-card benchmark (prints numbers; asserts nothing): one render's time (p50/p99, the
# release renderer on this machine's fonts), then against the release server on SQLite: a
# cached public card image (requests/s, p99) and the card JSON (p99), 8 connections each.
# Usage: scripts/bench-cards.sh [--no-build] [seconds per run, default 10]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
build=1
[ "${1:-}" = "--no-build" ] && { build=0; shift; }
SECONDS_PER_RUN="${1:-10}"
command -v wrk >/dev/null || { step "Installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }
[ "$build" = 1 ] && { step "Building the release server"; cargo leptos build --release --split; }
cargo build --quiet --release --features ssr --example card_render_bench

WORK=$(mktemp -d)
PORT=3213
BASE="http://127.0.0.1:$PORT"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
source "$ROOT/scripts/bench-lib.sh"

step "Rendering"
target/release/examples/card_render_bench

step "Serving (SQLite)"
start_server "sqlite://$WORK/bench.db" "warn"
jar="$WORK/jar"
curl -fsS -c "$jar" -b "$jar" --data-urlencode "handle=card_bench" --data-urlencode "email=card@bench.example" \
  --data-urlencode "password=correct horse battery" "$BASE/api/auth/sign_up" >/dev/null
draft=$(curl -fsS -c "$jar" -b "$jar" --data-urlencode "title=Launch week 🚀" -d "platform=bluesky&first_segment=Hello&idempotency_key=b1" \
  "$BASE/api/drafts/create" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
link=$(curl -fsS -c "$jar" -b "$jar" -d "draft_id=$draft&enabled=true&idempotency_key=b2" "$BASE/api/sharecards/set_sharing" \
  | sed -n 's/.*"public_link":"\([^"]*\)".*/\1/p')
slug="${link##*/}"
image=$(curl -fsS -d "slug=$slug" "$BASE/api/sharecards/public" | sed -n 's/.*"image_url":"\([^"]*\)".*/\1/p')
curl -fsS -o /dev/null "$image"
wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --latency "$image" >"$WORK/image.out"
latency_report "cached card image (PNG)" "$WORK/image.out"
cookie="onering_session=$(awk '$6 == "onering_session" {print $7}' "$jar")"
cat >"$WORK/card.lua" <<LUA
wrk.method = "POST"
wrk.body = "draft_id=$draft"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$cookie"
LUA
wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/card.lua" "$BASE/api/sharecards/card" >"$WORK/card.out"
latency_report "card JSON (members)" "$WORK/card.out"
stop_server
