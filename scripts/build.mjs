// Builds the publishable package into pkg/:
//   cargo (release, wasm32) -> wasm-bindgen --target web -> wasm-opt -Oz (npm binaryen)
//   + pkg/wok-push.js (classic script) + pkg/package.json + README.
// Prints the sizes (raw and gzip -9) of what a page downloads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// WOK_PUSH_OUT / WOK_PUSH_VERSION: a second build with another release string, for the
// test that loads two releases on one page (tests/e2e/copies.test.mjs).
const pkg = process.env.WOK_PUSH_OUT ? join(root, process.env.WOK_PUSH_OUT) : join(root, 'pkg');
const bin = join(root, 'node_modules', '.bin');
const cargoBin = join(process.env.CARGO_HOME || join(process.env.HOME, '.cargo'), 'bin');
const env = { ...process.env, PATH: `${bin}:${cargoBin}:${process.env.PATH}` };
/** Stops the build with one line (no stack trace). */
function fail(line) {
  console.error(`build: ${line}`);
  process.exit(1);
}
const run = (cmd, args) => {
  try {
    execFileSync(cmd, args, { cwd: root, env, stdio: 'inherit' });
  } catch {
    fail(`${cmd.split('/').pop()} failed (its output is above)`);
  }
};

// What the build needs, checked first: a fresh clone stops here with the command to run.
const SETUP = 'run `bash scripts/bootstrap.sh demo` (or `npm start`), then build again';
const lockedBindgen = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(readFileSync(join(root, 'Cargo.lock'), 'utf8'))?.[1];
const have = (cmd, args) => { try { return execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return ''; } };
if (!have('cargo', ['--version'])) fail('cargo not found: install Rust with rustup (https://rustup.rs)');
if (!have('rustup', ['target', 'list', '--installed']).split('\n').includes('wasm32-unknown-unknown')) fail(`the wasm32-unknown-unknown target is missing: ${SETUP}`);
if (!have('wasm-bindgen', ['--version']).includes(` ${lockedBindgen}`)) fail(`wasm-bindgen-cli ${lockedBindgen} is missing: ${SETUP}`);
for (const tool of ['wasm-opt', 'esbuild']) {
  if (!existsSync(join(bin, tool))) fail(`node_modules/.bin/${tool} is missing: ${SETUP}`);
}

// Own target dir and remapped paths: panic locations then hold short paths, not the
// builder's home directory (bytes, and no machine paths in the shipped file).
const cargoHome = process.env.CARGO_HOME || join(process.env.HOME, '.cargo');
const target = join(root, 'target', process.env.WOK_PUSH_VERSION ? 'pkg-build-other' : 'pkg-build');
const rustflags = [`--remap-path-prefix=${cargoHome}/registry/src/=`, `--remap-path-prefix=${root}/=`].join(' ');
try {
  execFileSync('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', '--features', 'shipped'],
    { cwd: root, env: { ...env, CARGO_TARGET_DIR: target, CARGO_ENCODED_RUSTFLAGS: rustflags.split(' ').join('\x1f') }, stdio: 'inherit' });
} catch {
  fail('cargo build failed (its output is above)');
}
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
run('wasm-bindgen', [
  '--target', 'web', '--out-dir', pkg, '--out-name', 'wok_push',
  join(target, 'wasm32-unknown-unknown/release/wok_push.wasm'),
]);
// One minified ES module: the glue with its snippets (js/dispatch.js, io.js, codec.js)
// bundled in, so a page fetches one JS file and the wasm, not four JS files in a chain.
const glue = join(pkg, 'wok_push.js');
run(join(bin, 'esbuild'), [glue, '--bundle', '--minify', '--format=esm', '--target=es2020', '--allow-overwrite',
  `--outfile=${glue}`, '--log-level=error']);
rmSync(join(pkg, 'snippets'), { recursive: true, force: true });
const snippets = [];
// Types from one source: the checked-in js/wok_push.d.ts ships as is. The generated one is
// only read to check that the wasm's exports and the declarations name the same members.
const dts = join(pkg, 'wok_push.d.ts');
const declared = readFileSync(join(root, 'js/wok_push.d.ts'), 'utf8');
const surface = (text) => {
  const names = new Set();
  for (const m of text.matchAll(/^export (?:default )?(?:function|class) (\w+)/gm)) names.add(m[1]);
  for (const c of text.matchAll(/^export class (\w+) \{([\s\S]*?)^\}/gm)) {
    for (const m of c[2].matchAll(/^\s+(?:readonly )?(\w+)\s*[(:]/gm)) names.add(`${c[1]}.${m[1]}`);
  }
  return names;
};
const generatedNames = surface(readFileSync(dts, 'utf8'));
const declaredNames = surface(declared);
const missing = [...generatedNames].filter((n) => !declaredNames.has(n) && n !== '__wbg_init');
const extra = [...declaredNames].filter((n) => !generatedNames.has(n) && n !== 'init');
if (missing.length || extra.length) {
  fail(`js/wok_push.d.ts disagrees with the wasm exports: undeclared ${JSON.stringify(missing)}, not exported ${JSON.stringify(extra)}`);
}
writeFileSync(dts, declared);
const wasm = join(pkg, 'wok_push_bg.wasm');
// Never Debian's binaryen: its -Oz output fails to instantiate (see TOOLCHAIN.md).
run(join(bin, 'wasm-opt'), ['-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
  '--enable-sign-ext', '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue',
  '--strip-debug', '--strip-producers', wasm, '-o', wasm]);
copyFileSync(join(root, 'js/wok-push.js'), join(pkg, 'wok-push.js'));
copyFileSync(join(root, 'README.md'), join(pkg, 'README.md'));

const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const version = process.env.WOK_PUSH_VERSION || /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];
writeFileSync(join(pkg, 'package.json'), JSON.stringify({
  name: 'wok-push',
  version,
  description: 'One websocket per page for every WoK plugin tab: dispatch by code, reconnect, polling fallback, catch-up.',
  license: 'Apache-2.0',
  type: 'module',
  module: './wok_push.js',
  main: './wok_push.js',
  types: './wok_push.d.ts',
  exports: {
    '.': { types: './wok_push.d.ts', import: './wok_push.js', default: './wok_push.js' },
    './wok-push.js': './wok-push.js',
    './wok_push_bg.wasm': './wok_push_bg.wasm',
    './package.json': './package.json',
  },
  files: ['wok_push.js', 'wok_push.d.ts', 'wok_push_bg.wasm', 'wok_push_bg.wasm.d.ts', 'wok-push.js', 'README.md'],
  sideEffects: ['./wok-push.js'],
  unpkg: './wok-push.js',
  jsdelivr: './wok-push.js',
}, null, 2) + '\n');

const size = (f) => {
  const b = readFileSync(join(pkg, f));
  return { raw: statSync(join(pkg, f)).size, gz: gzipSync(b, { level: 9 }).length };
};
const rows = ['wok_push_bg.wasm', 'wok_push.js', ...snippets, 'wok-push.js'].map((f) => [f, size(f)]);
const total = rows.filter(([f]) => f !== 'wok-push.js').reduce((a, [, s]) => ({ raw: a.raw + s.raw, gz: a.gz + s.gz }), { raw: 0, gz: 0 });
for (const [f, s] of rows) console.log(`${f.slice(-20).padEnd(20)} ${String(s.raw).padStart(7)} B raw ${String(s.gz).padStart(7)} B gzip -9`);
console.log(`${'wasm + glue'.padEnd(20)} ${String(total.raw).padStart(7)} B raw ${String(total.gz).padStart(7)} B gzip -9 (goal <= 15360)`);
