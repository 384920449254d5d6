#!/usr/bin/env bash
# Installs what OneRing needs to build and test, and nothing that is already there.
# Idempotent: a second run takes seconds. Usage: scripts/setup.sh [--with-browser]
#
# It installs:
#   - the wasm32-unknown-unknown Rust target (rustup)
#   - cargo-leptos 0.3.10 (cargo install, from source: 20–35 minutes on 2 cores, once)
#   - wasm-bindgen-cli at exactly the wasm-bindgen version pinned in Cargo.toml (~8 minutes, once)
#   - the Tailwind CLI and wasm-opt (npm packages @tailwindcss/cli and binaryen, in style/)
#   - fonts for card images: Debian's fonts-inter, fonts-noto-color-emoji, fonts-noto-cjk,
#     fonts-dejavu-core (apt)
#   - with --with-browser: Debian's chromium (apt) and playwright-core (npm, in end2end/)
# Nothing is downloaded when the app or the tests run.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
started=$(date +%s)
with_browser=0
[ "${1:-}" = "--with-browser" ] && with_browser=1

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "Adding the Rust target wasm32-unknown-unknown (the browser bundle)"
  rustup target add wasm32-unknown-unknown
fi

LEPTOS_VERSION=0.3.10
if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$LEPTOS_VERSION" ]; then
  step "Installing cargo-leptos $LEPTOS_VERSION from source — this takes 20–35 minutes on 2 cores (once per machine)"
  cargo install cargo-leptos --version "$LEPTOS_VERSION" --locked
fi

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [ -z "$WASM_BINDGEN_VERSION" ]; then
  echo "Cargo.toml must pin wasm-bindgen with = (e.g. \"=0.2.130\")" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches Cargo.lock) — about 8 minutes, once per machine"
  # Not --locked: its lock file names a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x style/node_modules/.bin/tailwindcss ] || [ ! -x style/node_modules/.bin/wasm-opt ] \
   || [ style/package-lock.json -nt style/node_modules/.package-lock.json ]; then
  step "Installing the Tailwind CLI and wasm-opt from npm (style/node_modules)"
  (cd style && npm ci --no-audit --no-fund --loglevel=error)
fi

# Fonts for card images (src/images/render.rs): Inter for text, Noto Color Emoji, Noto CJK,
# and DejaVu for the scripts the others lack (Hebrew, Arabic…). Loaded from FONT_DIRS.
missing_fonts=()
for pkg in fonts-inter fonts-noto-color-emoji fonts-noto-cjk fonts-dejavu-core; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing_fonts+=("$pkg")
done
if [ "${#missing_fonts[@]}" -gt 0 ]; then
  step "Installing fonts for card images from Debian: ${missing_fonts[*]} (apt)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing_fonts[@]}" >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing_fonts[@]}" >/dev/null; fi
fi

if [ "$with_browser" = 1 ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    step "Installing Debian's chromium for the browser tests (apt)"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
  fi
  if [ ! -d end2end/node_modules/playwright-core ] \
     || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    step "Installing playwright-core from npm (end2end/node_modules; it drives the system chromium)"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

step "Tools ready: $(cargo leptos --version), $(wasm-bindgen --version), tailwindcss $(tailwindcss --help 2>/dev/null | head -1 | awk '{print $3}'), $(wasm-opt --version | awk '{print $1, $3}')"
elapsed "$started"
