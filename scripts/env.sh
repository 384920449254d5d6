# Sourced by the other scripts: puts the project's tools on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/style/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
elapsed() { printf '    (%ss)\n' "$(( $(date +%s) - $1 ))"; }
