#!/usr/bin/env bash
# Live-channel benchmark (prints numbers; asserts nothing): the release server on SQLite and
# on PostgreSQL, driven by examples/live_bench.rs over real WebSockets: latency from an
# append's acknowledgement to each reader (100 readers on one draft; 2,000 over 200 drafts)
# and the server's memory per open stream.
# Usage: scripts/bench-live.sh [--no-build]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
[ "${1:-}" = "--no-build" ] || { step "Building the release server and the benchmark"; cargo leptos build --release --split; }
cargo build --quiet --release --features ssr --example live_bench
ulimit -n "$(ulimit -Hn)"  # 2,100 streams need more than the usual 1,024 descriptors

PG_ADMIN_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WORK=$(mktemp -d)
PORT=3211
BASE="http://127.0.0.1:$PORT"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"; psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS onering_bench_live WITH (FORCE)" >/dev/null 2>&1' EXIT

run() { # backend name, database url
  step "Live channel on $1"
  # Per-user limits lifted: the benchmark opens thousands of streams for a handful of users.
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PUBLIC_ORIGIN="$BASE" DATABASE_URL="$2" RUST_LOG=warn \
    LIVE_SOCKETS_PER_USER=1000000 LIVE_SOCKETS_PER_DRAFT=1000000 LIVE_HANDSHAKES_PER_USER_PER_MINUTE=100000000 \
    LIMIT_APPENDS_PER_MINUTE=100000000 LIMIT_DRAFTS_PER_MINUTE=100000 LIMIT_OTHER_CHANGES_PER_MINUTE=100000 \
    AUTH_ATTEMPTS_PER_IP_PER_MINUTE=100000 \
    LEPTOS_ENV=PROD target/release/onering >"$WORK/server-$1.log" 2>&1 &
  local server=$!
  for _ in $(seq 1 100); do curl -fsS "$BASE/api/health" >/dev/null 2>&1 && break; sleep 0.1; done
  target/release/examples/live_bench "$BASE" "$server" "$2"
  kill "$server"; wait "$server" 2>/dev/null || true
}

run sqlite "sqlite://$WORK/bench.db"
psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS onering_bench_live WITH (FORCE)" >/dev/null
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE onering_bench_live" >/dev/null
run postgres "${PG_ADMIN_URL%/*}/onering_bench_live"
