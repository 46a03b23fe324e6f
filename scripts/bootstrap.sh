#!/usr/bin/env bash
# Installs what wok-push needs, and skips what is present (idempotent).
# A fresh machine needs only Rust (rustup), Node.js and npm.
#
#   bash scripts/bootstrap.sh demo        what `npm start` and `npm run build` need:
#                                         the wasm target, wasm-bindgen-cli, npm deps
#   bash scripts/bootstrap.sh test        + what `npm test` needs: Chromium, chromedriver,
#                                         Firefox ESR, the Debian packages the real WoK needs
#                                         (tests/wok-real/packages.txt), geckodriver (crates.io)
#   bash scripts/bootstrap.sh wasm-pack   + wasm-pack, for `wasm-pack test` (not used by npm test)
#
# Independent installs run side by side: npm and apt (network and disk) next to the cargo
# compiles (CPU). The cargo compiles run one after another: on 2 cores two at once are no
# faster than one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-test}
case "$MODE" in demo | test | wasm-pack) ;; *) echo "usage: bootstrap.sh [demo|test|wasm-pack]" >&2; exit 2 ;; esac
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
say() { printf 'bootstrap: %s\n' "$*"; }
# A command-line tool from crates.io, built unoptimized (opt-level 0): about half the build
# time on 2 cores, and the tools' work here takes seconds either way.
tool_install() { CARGO_PROFILE_RELEASE_OPT_LEVEL=0 cargo install "$@" --force -q; }
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }
LOGS=target/bootstrap; mkdir -p "$LOGS"
started=$(date +%s)

command -v cargo >/dev/null || die "Rust is required (cargo not found): install it with rustup, https://rustup.rs"
# Node 20.19: Vite 7 (the bundler consumer test) needs it; the tests use import.meta.dirname (20.11).
NODE_MIN=20.19
command -v node >/dev/null || die "Node.js >= $NODE_MIN is required (node not found)"
node -e 'const [a, b] = process.argv[1].split(".").map(Number), [x, y] = process.versions.node.split(".").map(Number);
  process.exit(x > a || (x === a && y >= b) ? 0 : 1)' "$NODE_MIN" \
  || die "Node.js >= $NODE_MIN is required; this is $(node --version) (https://nodejs.org, or nvm install 22)"
command -v npm >/dev/null || die "npm is required (npm not found)"

# Background jobs: name -> pid; their output goes to target/bootstrap/<name>.log.
declare -A jobs=()
bg() { local name=$1; shift; ("$@") > "$LOGS/$name.log" 2>&1 & jobs[$name]=$!; }
wait_all() {
  local failed=0
  for name in "${!jobs[@]}"; do
    if wait "${jobs[$name]}"; then say "$name: done"; else
      failed=1; echo "bootstrap: $name FAILED; its log (target/bootstrap/$name.log) ends with:" >&2
      tail -n 20 "$LOGS/$name.log" >&2
    fi
  done
  [ $failed -eq 0 ] || die "an install step failed (see above)"
}

# npm dependencies (ws, playwright-core, binaryen, esbuild, …), skipped when the lockfile is unchanged.
LOCK_SUM=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f node_modules/.wok-push-lock ] && [ "$(cat node_modules/.wok-push-lock)" = "$LOCK_SUM" ]; then
  say "npm dependencies: present"
else
  say "npm ci (about 10 s), in the background"
  bg npm-ci bash -c "npm ci --no-audit --no-fund && echo '$LOCK_SUM' > node_modules/.wok-push-lock"
fi

# Browsers and drivers (test only): Chromium + chromedriver + Firefox ESR from Debian.
if [ "$MODE" != demo ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox >/dev/null || command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  # The real WoK (tests/wok-real/: wokd, nginx, websockify, PAM; tests/wok/: its push server
  # behind websockify): Debian's packages of tests/wok-real/packages.txt.
  for p in $(grep -v '^#' tests/wok-real/packages.txt); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "chromium, chromedriver, firefox, the real WoK's packages: present"
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "apt-get install ${missing[*]} (about 1 min), in the background"
    bg apt bash -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing[*]}"
  else
    die "please install: ${missing[*]} (Debian/Ubuntu: sudo apt-get install ${missing[*]})"
  fi
fi

# The wasm target.
if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "adding the wasm32-unknown-unknown target (a few seconds)"; rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen-cli at exactly the Cargo.lock version (the CLI and the crate must match).
WB=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$WB" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WB" ] \
   && [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}')" = "$WB" ]; then
  say "wasm-bindgen-cli $WB: present"
else
  say "compiling wasm-bindgen-cli $WB from crates.io (about 1 min on 2 cores, once per machine)"
  # Unoptimized (see tool_install): 1 min 46 s instead of about 4 min on 2 cores, and its
  # work here (a 70 KB module; the test runner) still takes seconds. Identical output.
  # --locked can fail on this registry (its lockfile wants a crate version that is missing).
  tool_install wasm-bindgen-cli --version "$WB" --locked || tool_install wasm-bindgen-cli --version "$WB"
fi

# geckodriver (test only), Firefox's WebDriver, from crates.io.
GD=0.37.1
if [ "$MODE" != demo ]; then
  if [ "$(geckodriver --version 2>/dev/null | awk 'NR==1{print $2}')" = "$GD" ]; then
    say "geckodriver $GD: present"
  else
    say "compiling geckodriver $GD from crates.io (1 to 3 min on 2 cores, once per machine)"
    # Unoptimized too: it only relays WebDriver commands.
    tool_install geckodriver --version "$GD" --locked
  fi
fi

# wasm-pack (opt-in), for library users' `wasm-pack test --headless --chrome --firefox`.
WP=0.15.1
if [ "$MODE" = wasm-pack ]; then
  if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" = "$WP" ]; then
    say "wasm-pack $WP: present"
  else
    say "compiling wasm-pack $WP from crates.io (about 3.5 min)"; cargo install wasm-pack --version "$WP" --locked --force -q
  fi
fi

wait_all
say "ready for '$MODE' in $(( $(date +%s) - started )) s"
