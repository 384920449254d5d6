#!/usr/bin/env bash
# Speed benchmark (prints numbers; asserts nothing). Against the real release server over
# HTTP, on SQLite and on PostgreSQL, with durable commits (SQLite synchronous=FULL,
# PostgreSQL synchronous_commit=on):
#   1. appends: 32 concurrent clients across 32 drafts of one person, and across 32 people's
#      drafts — throughput and p50/p99 latency;
#   2. the draft page (200 segments, 10 collaborators), as the benchmark asks (no
#      compression) and as browsers ask (zstd: Chrome, Firefox; brotli: Safari), beside a
#      static file of the same size served by the same server, and their ratio; time to
#      first byte;
#   3. the same page with 1,000 segments (cost should grow linearly);
#   4. the drafts list for someone with 34 drafts and for someone with 5,000 (paginated: the
#      same cost);
#   5. SQL statements per draft page load, for a small and a large draft (must not grow).
# Every figure ends in one table, both backends side by side, the target beside each.
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

seed() { # prints: the big draft's id, the small draft's id, the 1,000-segment draft's id; leaves cookies in $WORK/owner and $WORK/many
  local owner="$WORK/owner" many="$WORK/many"
  call "$owner" auth/sign_up handle=bench_owner email=owner@bench.example "password=correct horse battery" >/dev/null
  call "$many" auth/sign_up handle=bench_many email=many@bench.example "password=correct horse battery" >/dev/null
  # 35 drafts and 9 collaborators on one, and 5,000 drafts: more than the free plan holds.
  DATABASE_URL="$BENCH_DB_URL" target/release/onering plans set bench_owner team benchmark >/dev/null
  DATABASE_URL="$BENCH_DB_URL" target/release/onering plans set bench_many team benchmark >/dev/null
  local big small huge
  big=$(call "$owner" drafts/create "title=Big thread" platform=linkedin "first_segment=Segment 1" idempotency_key=seed-big  | draft_id)
  small=$(call "$owner" drafts/create "title=Small thread" platform=x "first_segment=Hello" idempotency_key=seed-small  | draft_id)
  huge=$(call "$owner" drafts/create "title=Huge thread" platform=linkedin "first_segment=Segment 1" idempotency_key=seed-huge  | draft_id)
  for i in $(seq 1 9); do
    call "$WORK/u$i" auth/sign_up "handle=bench_user$i" "email=u$i@bench.example" "password=correct horse battery" >/dev/null
    call "$owner" drafts/add_collaborator "draft_id=$big" "handle=bench_user$i" role=editor "idempotency_key=seed-add-$i" >/dev/null
  done
  local text="a post of a realistic length, with a few words about what we built and why it matters to the people reading along."
  for i in $(seq 2 200); do
    call "$owner" drafts/append "draft_id=$big" "content=Segment $i: $text" "idempotency_key=seed-seg-$i" >/dev/null
  done
  seq 2 1000 | xargs -P 4 -I{} curl -fsS -o /dev/null -b "$owner" --data-urlencode "draft_id=$huge" \
    --data-urlencode "content=Segment {}: $text" --data-urlencode "idempotency_key=seed-huge-{}" "$BASE/api/drafts/append"
  for i in $(seq 1 32); do
    printf '%s\n' "$(call "$owner" drafts/create "title=Append target $i" platform=linkedin "first_segment=Start" "idempotency_key=seed-target-$i"  | draft_id)" >>"$WORK/targets"
  done
  # 32 people with a draft each: the same appends, without one person's daily numbers
  # shared by every append.
  for i in $(seq 1 32); do
    local jar="$WORK/writer$i"
    call "$jar" auth/sign_up "handle=bench_writer$i" "email=writer$i@bench.example" "password=correct horse battery" >/dev/null
    local draft; draft=$(call "$jar" drafts/create "title=Own thread $i" platform=linkedin "first_segment=Start" "idempotency_key=seed-own-$i" | draft_id)
    printf '%s onering_session=%s\n' "$draft" "$(awk '$6 == "onering_session" {print $7}' "$jar")" >>"$WORK/people"
  done
  seq 1 5000 | xargs -P 8 -I{} curl -fsS -o /dev/null -b "$many" --data-urlencode "title=Draft {}" \
    --data-urlencode platform=x --data-urlencode "first_segment=Hello {}" --data-urlencode "idempotency_key=seed-many-{}" "$BASE/api/drafts/create"
  echo "$big $small $huge"
}

cat >"$WORK/append.lua" <<'LUA'
-- Each thread numbers its requests; thread_id (set per thread in setup) keeps keys unique.
-- Lines of the targets file: a draft, and optionally the cookie of the person who appends
-- to it (else the cookie given as the second argument).
local counter, targets, cookies = 0, {}, {}
local threads = {}
function setup(thread) thread:set("thread_id", #threads); table.insert(threads, thread) end
function init(args)
  for line in io.lines(args[1]) do
    local draft, cookie = line:match("^(%S+)%s*(%S*)$")
    table.insert(targets, draft)
    table.insert(cookies, cookie ~= "" and cookie or args[2])
  end
end
function request()
  counter = counter + 1
  local i = (counter % #targets) + 1
  local body = "draft_id=" .. targets[i] .. "&content=Appended+by+the+benchmark&idempotency_key=b" .. thread_id .. "-" .. counter
  return wrk.format("POST", "/api/drafts/append", {
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookies[i] }, body)
end
LUA

# What Chrome and Firefox send (the server picks zstd from it).
BROWSER_ENCODINGS="gzip, deflate, br, zstd"

# Time to first byte, sequentially: p50 and p99 of 200 requests.
ttfb() { # cookie, url
  for _ in $(seq 1 200); do curl -s -o /dev/null -w '%{time_starttransfer}\n' -H "Cookie: $1" "$2"; done \
    | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "p50 %.1f ms, p99 %.1f ms\n", t[int(NR * 0.5)], t[int(NR * 0.99)] }'
}

run_backend() { # name, database url
  local name="$1" url="$2"
  BACKEND="$name"
  step "$name"
  rm -f "$WORK/owner" "$WORK/many" "$WORK"/u* "$WORK"/writer* "$WORK/targets" "$WORK/people"
  start_server "$url" "warn"
  BENCH_DB_URL="$url"
  read -r big small huge < <(seed)
  local cookie many
  cookie="onering_session=$(awk '$6 == "onering_session" {print $7}' "$WORK/owner")"
  many="onering_session=$(awk '$6 == "onering_session" {print $7}' "$WORK/many")"
  stop_server

  # Statements per page load, from sqlx's statement log.
  start_server "$url" "warn,sqlx::query=debug"
  local counts=()
  for draft in "$small" "$big"; do
    # A first look in the hour also records the view (two statements more): counted apart.
    curl -fsS -o /dev/null -H "Cookie: $cookie" "$BASE/drafts/$draft"
    sleep 0.3
    local before; before=$(grep -c "sqlx::query" "$WORK/server.log" || true)
    curl -fsS -o /dev/null -H "Cookie: $cookie" "$BASE/drafts/$draft"
    sleep 0.3
    local after; after=$(grep -c "sqlx::query" "$WORK/server.log" || true)
    counts+=("$((after - before))")
  done
  echo "    SQL statements per page load: ${counts[0]} (1 segment, 1 collaborator), ${counts[1]} (200 segments, 10 collaborators)"
  result "SQL statements per draft page (1 / 200 segments)" "${counts[0]} / ${counts[1]}" "the same for both"
  stop_server

  start_server "$url" "warn"
  curl -fsS -o "$WORK/page.html" -H "Cookie: $cookie" "$BASE/drafts/$big"
  cp "$WORK/page.html" target/site/bench-static.html
  local bytes br_bytes
  bytes=$(wc -c <"$WORK/page.html")
  br_bytes=$(curl -fsS -H "Cookie: $cookie" -H "Accept-Encoding: br" "$BASE/drafts/$big" | wc -c)
  zstd_bytes=$(curl -fsS -H "Cookie: $cookie" -H "Accept-Encoding: $BROWSER_ENCODINGS" "$BASE/drafts/$big" | wc -c)
  echo "    draft page: $bytes bytes, $zstd_bytes with zstd, $br_bytes with brotli"
  result "draft page size (200 segments; zstd; brotli)" "$((bytes / 1024)) KiB; $((zstd_bytes / 1024)) KiB; $((br_bytes / 1024)) KiB" ""
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/append.lua" "$BASE" -- "$WORK/targets" "$cookie" >"$WORK/append.out"
  latency_report "appends (32 clients, one person's 32 drafts)" "$WORK/append.out" "p99 ≤ 25 ms"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/append.lua" "$BASE" -- "$WORK/people" "" >"$WORK/append-people.out"
  latency_report "appends (32 clients, 32 people's drafts)" "$WORK/append-people.out" "p99 ≤ 25 ms"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: $cookie" "$BASE/drafts/$big" >"$WORK/page.out"
  latency_report "draft page, 200 segments (SSR)" "$WORK/page.out" "≥ 1,500 req/s, p99 ≤ 25 ms"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: $cookie" -H "Accept-Encoding: $BROWSER_ENCODINGS" "$BASE/drafts/$big" >"$WORK/page-zstd.out"
  latency_report "draft page, as Chrome and Firefox ask (zstd)" "$WORK/page-zstd.out" ""
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: $cookie" -H "Accept-Encoding: br" "$BASE/drafts/$big" >"$WORK/page-br.out"
  latency_report "draft page, as Safari asks (brotli)" "$WORK/page-br.out" ""
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "$BASE/bench-static.html" >"$WORK/static.out"
  latency_report "static file, same size" "$WORK/static.out" ""
  local ratio
  ratio=$(awk -v p="$(rps_of "$WORK/page.out")" -v s="$(rps_of "$WORK/static.out")" 'BEGIN { printf "%.2f", p / s }')
  echo "    page / static ratio: $ratio"
  result "draft page / static file" "$ratio" "≥ 0.5"
  local first_byte; first_byte=$(ttfb "$cookie" "$BASE/drafts/$big")
  echo "    time to first byte (one client): $first_byte"
  result "draft page, time to first byte (one client)" "$first_byte" ""
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: $cookie" "$BASE/drafts/$huge" >"$WORK/huge.out"
  latency_report "draft page, 1,000 segments (SSR)" "$WORK/huge.out" "linear in segments"
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: $cookie" "$BASE/drafts" >"$WORK/list.out"
  latency_report "drafts list, 35 drafts" "$WORK/list.out" ""
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency -H "Cookie: $many" "$BASE/drafts" >"$WORK/list-many.out"
  latency_report "drafts list, 5,000 drafts" "$WORK/list-many.out" "as for 35 drafts"
  stop_server
  rm -f target/site/bench-static.html
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); $(uname -sr); commits durable on both backends"
run_backend "SQLite" "sqlite://$WORK/bench.db"
psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS onering_bench WITH (FORCE)" >/dev/null
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE onering_bench" >/dev/null
echo "    (PostgreSQL synchronous_commit=$(psql "$PG_ADMIN_URL" -Atc 'SHOW synchronous_commit'))"
run_backend "PostgreSQL" "${PG_ADMIN_URL%/*}/onering_bench"
print_table "Speed on $(nproc) cores (SQLite: WAL, synchronous=FULL; PostgreSQL: synchronous_commit=on)"
