#!/usr/bin/env bash
# Installs what the build and the tests need, and skips what is present (idempotent).
# A fresh machine needs only Rust (rustup), Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || die "Rust is required (cargo not found): install it with rustup, https://rustup.rs"
command -v node >/dev/null || die "Node.js >= 18 is required (node not found)"
command -v npm >/dev/null || die "npm is required (npm not found)"

# 1. The wasm target.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli at exactly the Cargo.lock version (the CLI and the crate must match).
WB=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$WB" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WB" ] \
   && [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" = "$WB" ]; then
  say "wasm-bindgen-cli $WB: present"
else
  say "installing wasm-bindgen-cli $WB (a few minutes)"
  # --locked can fail on this registry (its lockfile wants a crate version that is missing).
  cargo install wasm-bindgen-cli --version "$WB" --locked --force \
    || cargo install wasm-bindgen-cli --version "$WB" --force
fi

# 3. npm dependencies (ws, playwright-core, binaryen), skipped when the lockfile is unchanged.
LOCK_SUM=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f node_modules/.wok-push-lock ] && [ "$(cat node_modules/.wok-push-lock)" = "$LOCK_SUM" ]; then
  say "npm dependencies: present"
else
  say "npm ci"; npm ci --no-audit --no-fund
  echo "$LOCK_SUM" > node_modules/.wok-push-lock
fi

# 4. Browsers and drivers: Chromium + chromedriver + Firefox ESR from Debian.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v firefox >/dev/null || command -v firefox-esr >/dev/null || missing+=(firefox-esr)
if [ ${#missing[@]} -eq 0 ]; then
  say "chromium, chromedriver, firefox: present"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  die "please install: ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})"
fi

# 5. geckodriver (Firefox's WebDriver) from crates.io.
GD=0.37.1
if [ "$(geckodriver --version 2>/dev/null | awk 'NR==1{print $2}')" = "$GD" ]; then
  say "geckodriver $GD: present"
else
  say "installing geckodriver $GD (a few minutes)"; cargo install geckodriver --version "$GD" --locked --force
fi

# 6. wasm-pack, for library users' `wasm-pack test --headless --chrome --firefox`.
WP=0.15.1
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" = "$WP" ]; then
  say "wasm-pack $WP: present"
else
  say "installing wasm-pack $WP (a few minutes)"; cargo install wasm-pack --version "$WP" --locked --force
fi
say "ready"
