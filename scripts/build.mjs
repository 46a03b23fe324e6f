// Builds the publishable package into pkg/:
//   cargo (release, wasm32) -> wasm-bindgen --target web -> wasm-opt -Oz (npm binaryen)
//   + pkg/wok-push.js (classic script) + pkg/package.json + README.
// Prints the sizes (raw and gzip -9) of what a page downloads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
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
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, env, stdio: 'inherit' });

// Own target dir and remapped paths: panic locations then hold short paths, not the
// builder's home directory (bytes, and no machine paths in the shipped file).
const cargoHome = process.env.CARGO_HOME || join(process.env.HOME, '.cargo');
const target = join(root, 'target', process.env.WOK_PUSH_VERSION ? 'pkg-build-other' : 'pkg-build');
const rustflags = [`--remap-path-prefix=${cargoHome}/registry/src/=`, `--remap-path-prefix=${root}/=`].join(' ');
execFileSync('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown'],
  { cwd: root, env: { ...env, CARGO_TARGET_DIR: target, CARGO_ENCODED_RUSTFLAGS: rustflags.split(' ').join('\x1f') }, stdio: 'inherit' });
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
run('wasm-bindgen', [
  '--target', 'web', '--out-dir', pkg, '--out-name', 'wok_push',
  join(target, 'wasm32-unknown-unknown/release/wok_push.wasm'),
]);
// Minify the JS glue and its snippets (the .d.ts keeps the docs).
const glue = join(pkg, 'wok_push.js');
const snippets = readdirSync(join(pkg, 'snippets'), { recursive: true })
  .filter((f) => f.endsWith('.js')).map((f) => join('snippets', f));
for (const f of ['wok_push.js', ...snippets]) {
  const file = join(pkg, f);
  run(join(bin, 'esbuild'), [file, '--minify', '--format=esm', '--target=es2020', '--allow-overwrite', `--outfile=${file}`, '--log-level=warning']);
}
// Precise overloads for on(): the generated signature cannot express them.
const dts = join(pkg, 'wok_push.d.ts');
const generated = /^(\s*)on\(event: 'state' \| 'error' \| 'resync', listener: \(e: never\) => void\): \(\) => void;$/m;
let types = readFileSync(dts, 'utf8');
// Optional trailing parameters (wasm-bindgen marks typed ones as required).
for (const [from, to] of [
  ['connect(options: ConnectOptions)', 'connect(options?: ConnectOptions)'],
  ['options: SubscribeOptions): Subscription', 'options?: SubscribeOptions): Subscription'],
  ['persist: unknown): void', 'persist?: unknown): void'],
]) {
  if (!types.includes(from)) throw new Error(`build: expected "${from}" in the .d.ts; update build.mjs`);
  types = types.replace(from, to);
}
// `[Symbol.dispose]` needs lib esnext.disposable: keep the .d.ts usable with lib es2020.
types = types.replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, '');
if (!generated.test(types)) throw new Error('build: the generated on() signature changed; update build.mjs');
writeFileSync(dts, types.replace(generated, (_, sp) => [
  `${sp}on(event: 'state', listener: (e: StateEvent) => void): () => void;`,
  `${sp}on(event: 'error', listener: (e: PushError) => void): () => void;`,
  `${sp}on(event: 'resync', listener: (e: ResyncEvent) => void): () => void;`,
].join('\n')));
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
  files: ['wok_push.js', 'wok_push.d.ts', 'wok_push_bg.wasm', 'wok_push_bg.wasm.d.ts', 'wok-push.js', 'snippets/', 'README.md'],
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
