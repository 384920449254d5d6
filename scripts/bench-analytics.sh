#!/usr/bin/env bash
# Analytics benchmark (prints numbers; asserts nothing). On SQLite and PostgreSQL: seeds
# 1,000,000 events over 10,000 people and 50,000 drafts (examples/analytics_seed.rs, which
# also times a rebuild of the rollups), then measures over HTTP against the release server,
# 8 connections each: draft insights, my insights, the leaderboards, Today's data, and the
# /today and profile pages rendered whole (p50/p99); the seed also times the streak and
# momentum computation alone.
# Append throughput with event recording is in scripts/bench.sh.
# Usage: scripts/bench-analytics.sh [--no-build] [seconds per run, default 10]
# (BENCH_ONLY=sqlite or BENCH_ONLY=postgres measures one backend.)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
build=1
[ "${1:-}" = "--no-build" ] && { build=0; shift; }
SECONDS_PER_RUN="${1:-10}"
command -v wrk >/dev/null || { step "Installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }
[ "$build" = 1 ] && { step "Building the release server"; cargo leptos build --release --split; }
cargo build --quiet --release --features ssr --example analytics_seed

PG_ADMIN_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WORK=$(mktemp -d)
PORT=3212
BASE="http://127.0.0.1:$PORT"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"; psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS onering_bench_analytics WITH (FORCE)" >/dev/null 2>&1' EXIT
source "$ROOT/scripts/bench-lib.sh"

cat >"$WORK/post.lua" <<'LUA'
-- POSTs a server function; with a list of drafts, each request names the next one.
local counter, drafts = 0, {}
function init(args)
  path, cookie = args[1], args[2]
  if args[3] then for line in io.lines(args[3]) do table.insert(drafts, line) end end
end
function request()
  counter = counter + 1
  local body = ""
  if #drafts > 0 then body = "draft_id=" .. drafts[(counter % #drafts) + 1] end
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie }, body)
end
LUA

run_backend() { # name, database url
  BACKEND="$1"
  step "$1"
  target/release/examples/analytics_seed "$2" "$WORK"
  start_server "$2" "warn"
  local cookie; cookie=$(cat "$WORK/cookie")
  for what in "draft insights|/api/analytics/draft|$WORK/drafts|" "my insights|/api/analytics/mine||" \
    "leaderboards (5 boards)|/api/analytics/leaderboards||p99 ≤ 20 ms" "Today data (heavy writer)|/api/today/get||p99 ≤ 25 ms"; do
    IFS='|' read -r label path drafts target <<<"$what"
    if [ "$path" = /api/analytics/leaderboards ]; then
      # The first look after a start sums the finished days once (kept per server): timed
      # apart, so the run below shows the steady state.
      local first
      first=$(curl -fsS -o /dev/null -w '%{time_total}' -X POST -H "Cookie: $cookie" "$BASE$path" | awk '{ printf "%.0f ms", $1 * 1000 }')
      echo "    leaderboards, first request after a start: $first"
      result "leaderboards, first request after a start" "$first" ""
    fi
    wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/post.lua" "$BASE" -- "$path" "$cookie" $drafts >"$WORK/run.out"
    latency_report "$label" "$WORK/run.out" "$target"
  done
  # Whole pages, rendered on the server, as a browser asks for them.
  wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: $cookie" "$BASE/today" >"$WORK/run.out"
  latency_report "/today page (SSR, heavy writer)" "$WORK/run.out" "p99 ≤ 25 ms"
  wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --latency "$BASE/u/p0" >"$WORK/run.out"
  latency_report "/u/p0 profile page (SSR, signed out)" "$WORK/run.out" "p99 ≤ 25 ms"
  wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --latency "$BASE/u/p4242" >"$WORK/run.out"
  latency_report "/u/p4242 profile page (SSR)" "$WORK/run.out" "p99 ≤ 25 ms"
  stop_server
}

echo "machine: $(nproc) cores; $(uname -sr)"
# BENCH_ONLY=sqlite or postgres measures one backend.
if [ "${BENCH_ONLY:-sqlite}" = sqlite ]; then run_backend "SQLite" "sqlite://$WORK/bench.db"; fi
if [ "${BENCH_ONLY:-postgres}" = postgres ]; then
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS onering_bench_analytics WITH (FORCE)" >/dev/null
  psql "$PG_ADMIN_URL" -qc "CREATE DATABASE onering_bench_analytics" >/dev/null
  run_backend "PostgreSQL" "${PG_ADMIN_URL%/*}/onering_bench_analytics"
fi
print_table "Analytics and the daily loop on $(nproc) cores, 1,000,000 events, 10,000 people, 50,000 drafts"
