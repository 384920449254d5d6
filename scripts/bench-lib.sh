# Sourced by the benchmark scripts: starting and stopping the release server with the
# per-user budgets lifted (one benchmark user makes thousands of changes a second), and
# printing a wrk run's throughput and latency.
# Expects PORT, BASE and WORK to be set.

start_server() { # database url, log filter
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PUBLIC_ORIGIN="$BASE" DATABASE_URL="$1" RUST_LOG="$2" \
    AUTH_ATTEMPTS_PER_IP_PER_MINUTE=100000 LIMIT_APPENDS_PER_MINUTE=100000000 LIMIT_DRAFTS_PER_MINUTE=100000 \
    LIMIT_OTHER_CHANGES_PER_MINUTE=100000 LEPTOS_ENV=PROD target/release/onering >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -fsS "$BASE/api/health" >/dev/null 2>&1 && return; sleep 0.1; done
  cat "$WORK/server.log" >&2; exit 1
}

stop_server() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; }

latency_report() { # label, wrk output file
  node -e '
    const out = require("fs").readFileSync(process.argv[2], "utf8");
    const rps = out.match(/Requests\/sec:\s+([\d.]+)/)?.[1];
    const pct = (p) => out.match(new RegExp("^\\s+" + p + "%\\s+([\\d.]+\\w+)", "m"))?.[1];
    const errors = out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? "0";
    console.log(`    ${process.argv[1].padEnd(34)} ${Number(rps).toFixed(0).padStart(7)} req/s   p50 ${pct(50)}   p99 ${pct(99)}   non-2xx ${errors}`);
  ' "$1" "$2"
}
