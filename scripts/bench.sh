#!/usr/bin/env bash
# `npm run bench`: bootstrap, twiggy (for "where the bytes go"), build, then bench/run.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PWD/node_modules/.bin:$PATH"
bash scripts/bootstrap.sh test
TW=0.8.0
if [ "$(twiggy --version 2>/dev/null | awk '{print $2}')" != "$TW" ]; then
  echo "bench: installing twiggy $TW (about a minute)"; cargo install twiggy --version "$TW" --locked
fi
node scripts/build.mjs
node bench/run.mjs "$@"
