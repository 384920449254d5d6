#!/usr/bin/env bash
# Speed benchmark (prints numbers; asserts nothing). Against the real release server over
# HTTP, on SQLite and on PostgreSQL, with durable commits (SQLite synchronous=FULL,
# PostgreSQL synchronous_commit=on):
#   1. appends: 32 concurrent clients across 32 drafts — throughput and p50/p99 latency;
#   2. the draft page (200 segments, 10 collaborators): requests/s and p50/p99, beside a
#      static file of the same size served by the same server, and their ratio;
#   3. SQL statements per draft page load, for a small and a large draft (must not grow).
# Usage: scripts/bench.sh [--no-build] [seconds per run, default 10]
# Needs wrk (Debian package; installed here if missing) and PostgreSQL at 127.0.0.1:5432.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
build=1
[ "${1:-}" = "--no-build" ] && { build=0; shift; }
SECONDS_PER_RUN="${1:-10}"
command -v wrk >/dev/null || { step "Installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }
[ "$build" = 1 ] && { step "Building the release server"; cargo leptos build --release --split; scripts/precompress.sh; }

PG_ADMIN_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WORK=$(mktemp -d)
PORT=3210
BASE="http://127.0.0.1:$PORT"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"; psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS onering_bench WITH (FORCE)" >/dev/null 2>&1' EXIT

source "$ROOT/scripts/bench-lib.sh"

call() { # cookie jar, endpoint, form...
  local jar="$1" endpoint="$2"; shift 2
  local args=()
  for pair in "$@"; do args+=(--data-urlencode "$pair"); done
  curl -fsS -b "$jar" -c "$jar" "${args[@]}" "$BASE/api/$endpoint"
}

draft_id() { sed -n 's/.*"id":"\([^"]*\)".*/\1/p'; }

seed() { # prints: the big draft's id, the small draft's id; leaves the owner's cookie in $WORK/owner
  local owner="$WORK/owner"
  call "$owner" auth/sign_up handle=bench_owner email=owner@bench.example "password=correct horse battery" >/dev/null
  # 34 drafts and 9 collaborators on one: more than the free plan holds.
  DATABASE_URL="$BENCH_DB_URL" target/release/onering plans set bench_owner team benchmark >/dev/null
  local big small
  big=$(call "$owner" drafts/create "title=Big thread" platform=linkedin "first_segment=Segment 1" idempotency_key=seed-big  | draft_id)
  small=$(call "$owner" drafts/create "title=Small thread" platform=x "first_segment=Hello" idempotency_key=seed-small  | draft_id)
  for i in $(seq 1 9); do
    call "$WORK/u$i" auth/sign_up "handle=bench_user$i" "email=u$i@bench.example" "password=correct horse battery" >/dev/null
    call "$owner" drafts/add_collaborator "draft_id=$big" "handle=bench_user$i" role=editor "idempotency_key=seed-add-$i" >/dev/null
  done
  for i in $(seq 2 200); do
    call "$owner" drafts/append "draft_id=$big" "content=Segment $i: a post of a realistic length, with a few words about what we built and why it matters to the people reading along." "idempotency_key=seed-seg-$i" >/dev/null
  done
  for i in $(seq 1 32); do
    printf '%s\n' "$(call "$owner" drafts/create "title=Append target $i" platform=linkedin "first_segment=Start" "idempotency_key=seed-target-$i"  | draft_id)" >>"$WORK/targets"
  done
  echo "$big $small"
}

cat >"$WORK/append.lua" <<'LUA'
-- Each thread numbers its requests; thread_id (set per thread in setup) keeps keys unique.
local counter, targets = 0, {}
local threads = {}
function setup(thread) thread:set("thread_id", #threads); table.insert(threads, thread) end
function init(args)
  for line in io.lines(args[1]) do table.insert(targets, line) end
  cookie = args[2]
end
function request()
  counter = counter + 1
  local draft = targets[(counter % #targets) + 1]
  local body = "draft_id=" .. draft .. "&content=Appended+by+the+benchmark&idempotency_key=b" .. thread_id .. "-" .. counter
  return wrk.format("POST", "/api/drafts/append", {
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie }, body)
end
LUA

run_backend() { # name, database url
  local name="$1" url="$2"
  step "$name"
  rm -f "$WORK/owner" "$WORK"/u* "$WORK/targets"
  start_server "$url" "warn"
  BENCH_DB_URL="$url"
  read -r big small < <(seed)
  local cookie
  cookie="onering_session=$(awk '$6 == "onering_session" {print $7}' "$WORK/owner")"
  stop_server

  # Statements per page load, from sqlx's statement log.
  start_server "$url" "warn,sqlx::query=debug"
  for draft in "$small" "$big"; do
    local before; before=$(grep -c "sqlx::query" "$WORK/server.log" || true)
    curl -fsS -o /dev/null -H "Cookie: $cookie" "$BASE/drafts/$draft"
    sleep 0.3
    local after; after=$(grep -c "sqlx::query" "$WORK/server.log" || true)
    echo "    SQL statements per page load: $((after - before)) ($([ "$draft" = "$big" ] && echo '200 segments, 10 collaborators' || echo '1 segment, 1 collaborator'))"
  done
  stop_server

  start_server "$url" "warn"
  curl -fsS -o "$WORK/page.html" -H "Cookie: $cookie" "$BASE/drafts/$big"
  cp "$WORK/page.html" target/site/bench-static.html
  echo "    draft page: $(wc -c <"$WORK/page.html") bytes"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/append.lua" "$BASE" -- "$WORK/targets" "$cookie" >"$WORK/append.out"
  latency_report "appends (32 clients, 32 drafts)" "$WORK/append.out"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: $cookie" "$BASE/drafts/$big" >"$WORK/page.out"
  latency_report "draft page (SSR)" "$WORK/page.out"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "$BASE/bench-static.html" >"$WORK/static.out"
  latency_report "static file, same size" "$WORK/static.out"
  node -e 'const r=f=>Number(require("fs").readFileSync(f,"utf8").match(/Requests\/sec:\s+([\d.]+)/)[1]);
    console.log("    page / static ratio: " + (r(process.argv[1]) / r(process.argv[2])).toFixed(2))' "$WORK/page.out" "$WORK/static.out"
  stop_server
  rm -f target/site/bench-static.html
}

echo "machine: $(nproc) cores; $(uname -sr); commits durable on both backends"
run_backend "SQLite (WAL, synchronous=FULL)" "sqlite://$WORK/bench.db"
psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS onering_bench WITH (FORCE)" >/dev/null
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE onering_bench" >/dev/null
echo "    (PostgreSQL synchronous_commit=$(psql "$PG_ADMIN_URL" -Atc 'SHOW synchronous_commit'))"
run_backend "PostgreSQL" "${PG_ADMIN_URL%/*}/onering_bench"
