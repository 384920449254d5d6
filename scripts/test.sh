#!/usr/bin/env bash
# README command 2: set up what is missing, then run every test:
#   1. unit and integration tests (cargo test), every storage test on SQLite and PostgreSQL;
#   2. browser tests (end2end/, headless chromium) against the real server, once on each backend;
#   3. the browser payload budgets (scripts/wasm-size.sh) on a release build of the front end.
# PostgreSQL must answer at 127.0.0.1:5432 (TEST_POSTGRES_URL to change); if it does not, this
# says so and fails: nothing is skipped.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
started=$(date +%s)
scripts/setup.sh --with-browser

PG_ADMIN_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export TEST_POSTGRES_URL="$PG_ADMIN_URL"
step "Checking PostgreSQL at ${PG_ADMIN_URL%%/postgres}"
if ! psql "$PG_ADMIN_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "    not answering; trying to start the local cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
fi
if ! psql "$PG_ADMIN_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then
  printf '\n\033[1;31m*** PostgreSQL is unreachable at %s.\n*** Every storage test runs on PostgreSQL as well as SQLite; start PostgreSQL and run again.\033[0m\n' "$PG_ADMIN_URL" >&2
  exit 1
fi
# Databases left behind by an interrupted earlier run.
psql "$PG_ADMIN_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'onering_test_%' OR datname LIKE 'onering_e2e_%'" \
  | while read -r db; do psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null; done

step "Formatting and lints (server and browser builds, warnings denied)"
t=$(date +%s)
cargo fmt --all -- --check
cargo clippy --quiet --features ssr --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --features hydrate --lib -- -D warnings
elapsed "$t"

step "Unit and integration tests (SQLite and PostgreSQL)"
t=$(date +%s)
cargo test --features ssr -- --test-threads 4 2>&1 | tee target/cargo-test.log | grep -E '^(test result|running|error|failures:|    [a-z_:]+$|---- )' || true
if grep -qE '^test result: FAILED|^error' target/cargo-test.log || ! grep -q '^test result' target/cargo-test.log; then
  echo "cargo test failed; full output in target/cargo-test.log" >&2
  grep -A 30 -E '^---- |^error' target/cargo-test.log | head -150 >&2
  exit 1
fi
awk '/^test result:/ { p += $4; f += $6 } END { printf "    cargo: %d passed, %d failed\n", p, f }' target/cargo-test.log
elapsed "$t"

step "Building the app for the browser tests"
t=$(date +%s)
cargo leptos build --split
# The fake Stripe API the billing browser test pays through (tests/common/fake_stripe.rs),
# and the fake networks the publishing browser test posts to (tests/common/fake_networks.rs).
cargo build --quiet --features ssr --example fake_stripe --example fake_networks
elapsed "$t"

run_e2e() {
  local backend="$1" url="$2" port="$3"
  shift 3
  local files=("$@")
  step "Browser tests against the real server on $backend"
  local log="target/e2e-server-$backend.log"
  # A throwaway key for the credentials the publishing test connects (fake networks only).
  # Every browser signs up and in from one address, as fast as the machine runs the tests:
  # at the default 20 a minute a fast machine ran out mid-suite (429 on sign-up). The limit
  # itself is tested in tests/auth.rs.
  LEPTOS_SITE_ADDR="127.0.0.1:$port" PUBLIC_ORIGIN="http://127.0.0.1:$port" DATABASE_URL="$url" \
    PUBLISHING_KEY="$(head -c 32 /dev/urandom | base64)" AUTH_ATTEMPTS_PER_IP_PER_MINUTE=1000 \
    LEPTOS_ENV=PROD RUST_LOG=warn target/debug/onering >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
    sleep 0.2
  done
  local status=0
  (cd end2end && BASE_URL="http://127.0.0.1:$port" E2E_DATABASE_URL="$url" ONERING_BIN="$ROOT/target/debug/onering" node --test --test-concurrency=1 --test-reporter=spec "${files[@]}") || status=$?
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
  [ "$status" = 0 ] || { echo "server log: $log" >&2; tail -20 "$log" >&2; }
  return "$status"
}

E2E_DIR=$(mktemp -d)
trap 'rm -rf "$E2E_DIR"' EXIT
# Every browser test on SQLite; on PostgreSQL all but the every-page layout and
# accessibility checks, which depend on the markup, not on the database.
run_e2e sqlite "sqlite://$E2E_DIR/e2e.db" 3107 tests/
mapfile -t PG_FILES < <(cd end2end && ls tests/*.test.mjs | grep -v every-page)
E2E_PG="onering_e2e_$$"
psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $E2E_PG" >/dev/null
pg_status=0
run_e2e postgres "${PG_ADMIN_URL%/*}/$E2E_PG" 3108 "${PG_FILES[@]}" || pg_status=$?
psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $E2E_PG WITH (FORCE)" >/dev/null
[ "$pg_status" = 0 ] || exit "$pg_status"

# Last, because it replaces the debug front end the browser tests ran against.
step "Browser payload budgets (release front end)"
t=$(date +%s)
scripts/wasm-size.sh
elapsed "$t"

step "All tests passed"
elapsed "$started"
