#!/usr/bin/env bash
# `npm test`: bootstrap, build, then every test layer. Non-zero exit on any failure.
#   1. host:     cargo test --workspace (the sans-IO core, crates/core, under a simulated clock)
#   2. browser:  wasm-bindgen-test in headless Chromium, then headless Firefox
#   3. e2e:      Playwright (playwright-core + /usr/bin/chromium) against the backend
#   4. wok-real: the real WoK (wokd, nginx, websockify, PAM login, its UI) built with the patch
#                series, in Chromium and Firefox (tests/wok-real/run.sh; needs root)
#   0. lint:     cargo fmt --check, cargo clippy -D warnings on the host, on wasm32 and on the
#                shipped build, cargo doc -D warnings (no broken or private doc links) on the
#                host and on wasm32; the core's dependency tree has no wasm/web/JS crate
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PWD/node_modules/.bin:$PATH"
# A fresh machine takes 7–15 minutes here (cargo install); a hung download fails by name.
timeout --kill-after=20 2400 bash scripts/bootstrap.sh test || { echo "bootstrap failed or took over 2400 s"; exit 1; }
node scripts/build.mjs || exit 1

LOGS=target/test-logs; mkdir -p "$LOGS"
PORT=${WOK_TEST_PORT:-8124}
export WOK_TEST_BASE="http://127.0.0.1:$PORT"
declare -a results=()
status=0
# Every layer has a time limit, so that one hung layer fails with its name and the others still
# run and report, inside CI's 90 minutes even if every layer hung (the limits sum to 66 min, each
# several times its layer's usual time here: lint ~2 min cold, host ~1, browsers ~1.5 each, e2e
# ~5.5, wok-real ~1.5).
run() { # name, limit in seconds, command...
  local name=$1 limit=$2; shift 2
  echo; echo "=== $name"
  timeout --kill-after=20 "$limit" "$@" 2>&1 | tee "$LOGS/$name.log"
  local rc=${PIPESTATUS[0]} verdict=PASS
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then verdict="FAIL (timed out after $limit s)"
  elif [ "$rc" -ne 0 ]; then verdict="FAIL (exit $rc)"; fi
  [ "$rc" -eq 0 ] || status=1
  echo "$name: $verdict" | tee -a "$LOGS/$name.log"
  results+=("$name: $verdict")
}

lint() {
  cargo fmt --all --check \
    && cargo clippy -q --workspace --all-targets -- -D warnings \
    && cargo clippy -q --workspace --all-targets --target wasm32-unknown-unknown -- -D warnings \
    && cargo clippy -q --release --target wasm32-unknown-unknown --features shipped -- -D warnings \
    && RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps --workspace \
    && RUSTDOCFLAGS="-D warnings" cargo doc -q --no-deps --target wasm32-unknown-unknown \
    && core_is_pure \
    && echo "lint: fmt, clippy (host, wasm32, shipped) and rustdoc links clean; the core depends on no wasm, web or JS crate"
}
# The core's normal dependencies on wasm32 (what the shipped build could link) hold no wasm,
# web or JS binding crate: the compiler then keeps crates/core sans-IO.
core_is_pure() {
  local bad
  bad=$(cargo tree -q -p wok-push-core -e normal --target wasm32-unknown-unknown --prefix none --format '{p}' \
    | grep -E '^(wasm-bindgen|js-sys|web-sys|gloo)') || return 0
  echo "lint: crates/core depends on $bad"; return 1
}
export -f lint core_is_pure  # (timeout runs programs, not functions)
run lint 600 bash -c lint
run host 600 cargo test --workspace

# The backend the browser tests talk to (fixed port: the wasm tests read it at compile time).
WOK_PORT=$PORT node server/main.mjs > "$LOGS/backend.log" 2>&1 &
BACKEND=$!
trap 'kill $BACKEND 2>/dev/null' EXIT
up() { node -e "fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$WOK_TEST_BASE/_control/state"; }
for _ in $(seq 50); do up && break; sleep 0.1; done
up || { echo "backend did not start on $PORT"; cat "$LOGS/backend.log"; exit 1; }

export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
run chromium 480 env -u GECKODRIVER CHROMEDRIVER="$(command -v chromedriver)" cargo test --target wasm32-unknown-unknown --test web
run firefox 480 env -u CHROMEDRIVER GECKODRIVER="$(command -v geckodriver)" cargo test --target wasm32-unknown-unknown --test web
run e2e 1200 node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit tests/e2e/
kill $BACKEND 2>/dev/null
if [ "$(id -u)" = 0 ]; then
  run wok-real 600 bash tests/wok-real/run.sh
else
  results+=("wok-real: SKIPPED (needs root: a network namespace and a PAM test user)")
fi

echo; echo "=== summary"
for name in lint host chromium firefox e2e wok-real; do
  [ -f "$LOGS/$name.log" ] || continue
  echo "--- $name"
  grep -E "^test result:|^# (tests|pass|fail|duration_ms)|^lint:|^wok-real: .* (done|built)" "$LOGS/$name.log" | tail -n 8
done
printf '%s\n' "${results[@]}"
exit $status
