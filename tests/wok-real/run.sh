#!/usr/bin/env bash
# The real-WoK layer of `npm test` (tests/wok-real/README.md): builds WoK 5761c37 from
# ../shared/upstream/wok with wok-push's patch series applied (scripts/wok-series.mjs), and runs
# tests/wok-real/*.test.mjs against the real wokd, nginx and websockify in Chromium and
# Firefox, inside a network namespace with loopback only.
#
# Needs root (a namespace, a PAM test user), Debian's packages of packages.txt (installed by
# scripts/bootstrap.sh test) and a build in pkg/. Every step that is already done is skipped;
# what it makes for the run (the namespace, the test user, its sudoers drop-in, wokd's nginx
# site and certificates) is removed at the end, and every process it started is stopped by pid.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
NS=wokpush-test
USER_NAME=wokpushtest
WORK=target/wok-real
mkdir -p "$WORK/logs"
say() { printf 'wok-real: %s\n' "$*"; }
t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }
[ "$(id -u)" = 0 ] || { say "needs root (a network namespace and a PAM user)"; exit 1; }
for p in $(grep -v '^#' tests/wok-real/packages.txt); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || { say "missing Debian package $p: run bash scripts/bootstrap.sh test"; exit 1; }
done
export PATH="$ROOT/node_modules/.bin:$PATH"
SYS_PATH=/usr/bin:/bin:/usr/sbin:/sbin

# What this run made, undone on any exit.
made_wok_conf=0; made_etc_wok=0; cdn_pid=; host_nginx=0
cleanup() {
  [ -n "$cdn_pid" ] && kill "$cdn_pid" 2>/dev/null
  # Anything still running in the namespace (wokd, websockify, nginx) is this run's.
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null; rm -rf "/etc/netns/$NS"
  id "$USER_NAME" >/dev/null 2>&1 && userdel "$USER_NAME"
  rm -f "/etc/sudoers.d/$USER_NAME"
  [ $made_wok_conf = 1 ] && rm -f /etc/nginx/conf.d/wok.conf
  [ $made_etc_wok = 1 ] && rm -rf /etc/wok
  [ $host_nginx = 1 ] && service nginx start >/dev/null 2>&1 && say "the machine's nginx started again"
  say "cleaned up (namespace, test user, sudoers drop-in, wokd's nginx site)"
}
trap cleanup EXIT
trap "exit 143" TERM INT  # (so that a time limit still cleans up)

# 1. The patched tree, built (about 10 s). Always remade: it follows pkg/ and contrib/wok/.
t=$(date +%s.%N)
node scripts/wok-series.mjs > "$WORK/logs/series.log" 2>&1 || { cat "$WORK/logs/series.log"; exit 1; }
TREE=$ROOT/target/wok-series/tree
(
  cd "$TREE" && export PATH=$SYS_PATH
  # The exported tree lacks these two (WoK's .gitignore lists them); automake wants them to
  # exist, and they only feed the .deb packaging.
  (cd contrib/DEBIAN && touch control.debian.in control.ubuntu.in)
  # One job: the po/ rules of WoK race with -j2.
  ./autogen.sh --system && make
) > "$WORK/logs/build.log" 2>&1 || { tail -n 30 "$WORK/logs/build.log"; say "WoK build failed"; exit 1; }
# The install rules of patch 0002: `make install` puts the package where /libs serves it from.
rm -rf "$WORK/install" && (cd "$TREE/ui/libs/wok-push" && PATH=$SYS_PATH make install DESTDIR="$ROOT/$WORK/install") >> "$WORK/logs/build.log" 2>&1
for f in wok-push.js wok_push.js wok_push_bg.wasm; do
  cmp -s "pkg/$f" "$WORK/install/usr/share/wok/ui/libs/wok-push/$f" || { say "make install did not install $f"; exit 1; }
done
cp -r tests/wok-real/plugin/pushtest "$TREE/src/wok/plugins/"
say "WoK built from the series, make install checked ($(since "$t"))"

# 2. The CDN files (npm pack, cached in $WORK/cdn; about 15 s the first time).
t=$(date +%s.%N)
node tests/wok-real/cdn.mjs fetch "$WORK/cdn" || exit 1
say "CDN mirror ready ($(since "$t"))"

# 3. The test user (PAM login; sudo makes it a WoK admin) and the namespace.
PASSWORD="wp-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
id "$USER_NAME" >/dev/null 2>&1 || useradd -M -s /usr/sbin/nologin "$USER_NAME"
echo "$USER_NAME:$PASSWORD" | chpasswd
echo "$USER_NAME ALL=(ALL) NOPASSWD: ALL" > "/etc/sudoers.d/$USER_NAME"; chmod 440 "/etc/sudoers.d/$USER_NAME"
ip netns del "$NS" 2>/dev/null
ip netns add "$NS" && ip netns exec "$NS" ip link set lo up || { say "cannot make a network namespace"; exit 1; }
mkdir -p "/etc/netns/$NS"
printf '127.0.0.1 localhost cdnjs.cloudflare.com cdn.datatables.net\n::1 localhost\n' > "/etc/netns/$NS/hosts"
# wokd runs `service nginx status` and reloads an nginx that is running: one running outside
# the namespace (Debian's package may start it at install) would get WoK's site instead.
if service nginx status >/dev/null 2>&1; then
  say "stopping the machine's nginx for the run (started again at the end)"
  service nginx stop >/dev/null 2>&1; host_nginx=1
fi
[ -e /etc/nginx/conf.d/wok.conf ] || made_wok_conf=1
[ -e /etc/wok ] || made_etc_wok=1
ip netns exec "$NS" node tests/wok-real/cdn.mjs serve "$WORK/cdn" > "$WORK/logs/cdn.log" 2>&1 &
cdn_pid=$!
say "setup done in $(since "$t0")"

# 4. The tests, in the namespace (they start and stop wokd themselves).
ip netns exec "$NS" env WOK_TREE="$TREE" WOK_USER="$USER_NAME" WOK_PASSWORD="$PASSWORD" \
  node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit tests/wok-real/
rc=$?
say "layer done in $(since "$t0")"
exit $rc
