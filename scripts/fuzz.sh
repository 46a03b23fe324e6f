#!/usr/bin/env bash
# `npm run fuzz`: the proptest fuzz targets (decoder, feed/JSON, manager input sequences)
# with WOK_FUZZ_CASES cases each (default 400 000: 1.2 M cases in all), release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
N=${WOK_FUZZ_CASES:-400000}
start=$(date +%s)
WOK_FUZZ_CASES=$N cargo test --release --test fuzz
echo "fuzz: 3 targets x $N cases = $((3 * N)) cases, 0 panics, $(( $(date +%s) - start )) s"
