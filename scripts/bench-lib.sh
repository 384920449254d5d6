# Sourced by the benchmark scripts: starting and stopping the release server with the
# per-user budgets lifted (one benchmark user makes thousands of changes a second),
# printing a wrk run's throughput and latency, and collecting every figure into one table
# (both backends side by side, the target beside each) printed at the end.
# Expects PORT, BASE and WORK to be set; BACKEND names the backend being measured.

start_server() { # database url, log filter
  LEPTOS_SITE_ADDR="127.0.0.1:$PORT" PUBLIC_ORIGIN="$BASE" DATABASE_URL="$1" RUST_LOG="$2" \
    AUTH_ATTEMPTS_PER_IP_PER_MINUTE=100000 LIMIT_APPENDS_PER_MINUTE=100000000 LIMIT_DRAFTS_PER_MINUTE=100000 \
    LIMIT_OTHER_CHANGES_PER_MINUTE=100000 LEPTOS_ENV=PROD target/release/onering >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -fsS "$BASE/api/health" >/dev/null 2>&1 && return; sleep 0.1; done
  cat "$WORK/server.log" >&2; exit 1
}

# A server should be gone within moments of SIGTERM. Once (2026-12-05, PostgreSQL, after the
# last wrk run) one was not, minutes later; so after 15 s this keeps what shows why (open
# sockets, every thread's stack when gdb is there) in target/ and stops it hard.
stop_server() {
  kill "$SERVER"
  for _ in $(seq 1 150); do
    kill -0 "$SERVER" 2>/dev/null || { wait "$SERVER" 2>/dev/null || true; return; }
    sleep 0.1
  done
  local stamp; stamp=$(date +%Y%m%d-%H%M%S)
  echo "    the server did not stop within 15 s of SIGTERM: see target/bench-stuck-$stamp.*" >&2
  ss -tnp >"target/bench-stuck-$stamp.sockets" 2>&1 || true
  cp "$WORK/server.log" "target/bench-stuck-$stamp.log" 2>/dev/null || true
  if command -v gdb >/dev/null; then
    gdb -p "$SERVER" -batch -ex "thread apply all bt" >"target/bench-stuck-$stamp.stacks" 2>&1 || true
  fi
  kill -9 "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}

# One figure for the final table: measure, figure, target ("" when there is none).
result() { printf '%s\t%s\t%s\t%s\n' "${BACKEND:-}" "$1" "$2" "$3" >>"$WORK/results.tsv"; }

latency_report() { # label, wrk output file, [target]
  local line
  line=$(node -e '
    const out = require("fs").readFileSync(process.argv[1], "utf8");
    const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
    const pct = (p) => out.match(new RegExp("^\\s+" + p + "%\\s+([\\d.]+\\w+)", "m"))?.[1];
    const errors = out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? "0";
    console.log(`${rps.toFixed(0)} req/s, p50 ${pct(50)}, p99 ${pct(99)}` + (errors === "0" ? "" : `, NON-2xx ${errors}`));
  ' "$2")
  printf '    %-44s %s\n' "$1" "$line"
  result "$1" "$line" "${3:-}"
}

# Requests per second of a wrk output file.
rps_of() { sed -n 's/^Requests\/sec:[[:space:]]*\([0-9.]*\).*/\1/p' "$1"; }

print_table() { # title
  node -e '
    const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(l => l.split("\t"));
    const backends = [...new Set(rows.map(r => r[0]))];
    const measures = [...new Set(rows.map(r => r[1]))];
    const cell = (b, m) => rows.find(r => r[0] === b && r[1] === m)?.[2] ?? "—";
    const target = m => rows.find(r => r[1] === m && r[3])?.[3] ?? "";
    const head = ["measure", ...backends, "target"];
    const body = measures.map(m => [m, ...backends.map(b => cell(b, m)), target(m)]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map(r => r[i].length)));
    const line = r => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
    console.log("\n" + process.argv[2] + "\n");
    console.log(line(head));
    console.log("|" + widths.map(w => "-".repeat(w + 2)).join("|") + "|");
    body.forEach(r => console.log(line(r)));
  ' "$WORK/results.tsv" "$1"
}
