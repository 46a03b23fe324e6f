// `npm run wok-series`: the whole patch series that adopts wok-push in WoK, ready for `git am`,
// in target/wok-series/ (docs/wok-integration.md). The hand-written patches are the ones in
// contrib/wok/; patch 0002, which adds the built package (pkg/) to ui/libs/wok-push/ with its
// install rules, is made here from the current build, since the package is a build output.
//
//   node scripts/wok-series.mjs [upstream tree]    (default: ../shared/upstream/wok)
//   WOK_SERIES_SKIP=0003 node scripts/wok-series.mjs   without patch 0003 (a negative check)
//
// The series is made in a scratch git repository holding the upstream tree as one commit, so
// every patch is checked to apply in order (`git am`), and written with `git format-patch
// --zero-commit --binary`. Prints the patches and the scratch tree's path.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const upstream = resolve(process.argv[2] || join(root, '..', 'shared', 'upstream', 'wok'));
const out = join(root, 'target', 'wok-series');
const tree = join(out, 'tree');
const pkg = join(root, 'pkg');
const fail = (m) => { console.error(`wok-series: ${m}`); process.exit(1); };
if (!existsSync(join(upstream, 'configure.ac'))) fail(`no WoK tree at ${upstream}`);
if (!existsSync(join(pkg, 'wok_push_bg.wasm'))) fail('no build in pkg/: run `npm run build` first');

// Fixed identities and dates: the same inputs make byte-identical patches.
const env = { ...process.env, GIT_AUTHOR_NAME: 'wok-push', GIT_AUTHOR_EMAIL: 'wok-push@localhost',
  GIT_COMMITTER_NAME: 'wok-push', GIT_COMMITTER_EMAIL: 'wok-push@localhost',
  GIT_AUTHOR_DATE: '2026-12-02T00:00:00Z', GIT_COMMITTER_DATE: '2026-12-02T00:00:00Z' };
const git = (...args) => {
  const opts = typeof args.at(-1) === 'object' ? args.pop() : {};
  return execFileSync('git', ['-c', 'core.autocrlf=false', ...args], { cwd: tree, env, encoding: 'utf8', ...opts });
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(upstream, tree, { recursive: true });
execFileSync('chmod', ['-R', 'u+w', tree]); // the upstream copy may be read-only
git('init', '-q');
git('add', '-A');
git('commit', '-q', '-m', 'WoK 5761c37d46fb32fdad846d3249c1517cc04e4686 (upstream tree)');
const base = git('rev-parse', 'HEAD').trim();

const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
const edit = (file, from, to) => {
  const p = join(tree, file);
  const text = readFileSync(p, 'utf8');
  if (!text.includes(from)) fail(`${file}: expected text not found (another WoK version?): ${from}`);
  writeFileSync(p, text.replace(from, to));
};

/** Patch 0002: the package in ui/libs/wok-push/ and its install rules. */
function addPackage() {
  const dir = join(tree, 'ui', 'libs', 'wok-push');
  mkdirSync(dir, { recursive: true });
  const files = ['wok-push.js', 'wok_push.js', 'wok_push_bg.wasm'];
  for (const f of files) cpSync(join(pkg, f), join(dir, f));
  writeFileSync(join(dir, 'Makefile.am'), `#
# wok-push ${version}: the page's push connection (see ui/js/src/wok.main.js).
# The files are wok-push's package as built (its pkg/ directory): the classic loader
# wok-push.js, which loads wok_push.js and wok_push_bg.wasm of the same release.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0

wokpushdir = $(datadir)/wok/ui/libs/wok-push

dist_wokpush_DATA = ${files.join(' ')}
`);
  edit('ui/libs/Makefile.am', 'SUBDIRS = jquery-containsNC\n', 'SUBDIRS = jquery-containsNC wok-push\n');
  edit('configure.ac', '    ui/libs/jquery-containsNC/Makefile\n', '    ui/libs/jquery-containsNC/Makefile\n    ui/libs/wok-push/Makefile\n');
  git('add', '-A');
  git('commit', '-q', '-F', '-', { input: `ui/libs: add wok-push ${version}

wok-push is the page's push connection that ui/js/src/wok.main.js uses
from the next commits on: one reconnecting websocket per page, shared
by every plugin tab, with a polling fallback and catch-up.

The three files are its package as built, installed like the other
libraries under /libs (ui/libs/wok-push/Makefile.am, configure.ac,
ui/libs/Makefile.am). The loader, wok-push.js, asks for the module and
the wasm with its release's content hash, so the year-long Expires of
/libs never pairs a new loader with an old module; the templates bust
the loader itself with $href. Python 3 maps .wasm to application/wasm,
so cherrypy serves the wasm with the type browsers compile as it
streams in.
` });
}

// WOK_SERIES_SKIP=0003,0004 leaves patches out: to see the real-WoK tests fail without them.
const skip = (process.env.WOK_SERIES_SKIP || '').split(',').filter(Boolean);
const patches = readdirSync(join(root, 'contrib', 'wok')).filter((f) => /^\d{4}-.*\.patch$/.test(f))
  .filter((f) => !skip.includes(f.slice(0, 4))).sort();
if (patches.some((f) => f.startsWith('0002-'))) fail('contrib/wok/ must not hold a 0002 patch: this script makes it');
// 0002 goes in its place: after the hand-written patches numbered below it.
let added = false;
for (const f of patches) {
  if (!added && Number(f.slice(0, 4)) > 2) { addPackage(); added = true; }
  try {
    git('am', '-q', '--committer-date-is-author-date', join(root, 'contrib', 'wok', f));
  } catch (e) {
    fail(`${f} does not apply: ${e.stderr || e.message}`);
  }
}
if (!added) addPackage();
git('format-patch', '-q', '--zero-commit', '--binary', '-o', out, `${base}..HEAD`);
for (const f of readdirSync(out).filter((x) => x.endsWith('.patch')).sort()) console.log(join('target', 'wok-series', f));
console.log(`patched tree: ${join('target', 'wok-series', 'tree')} (base ${base.slice(0, 12)})`);
