// Builds the publishable package into pkg/:
//   cargo (release, wasm32) -> wasm-bindgen --target web -> wasm-opt -Oz (npm binaryen)
//   + pkg/wok-push.js (classic script) + pkg/package.json + README.
// Prints the sizes (raw and gzip -9) of what a page downloads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASM_OPT_ARGS } from './wasm-opt-args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// WOK_PUSH_OUT / WOK_PUSH_VERSION: a second build with another release string, for the
// test that loads two releases on one page (tests/e2e/delivery.test.mjs, tests/pages/copies.html).
const pkg = process.env.WOK_PUSH_OUT ? join(root, process.env.WOK_PUSH_OUT) : join(root, 'pkg');
const bin = join(root, 'node_modules', '.bin');
const cargoBin = join(process.env.CARGO_HOME || join(process.env.HOME, '.cargo'), 'bin');
const env = { ...process.env, PATH: `${bin}:${cargoBin}:${process.env.PATH}` };
/** Stops the build with one line (no stack trace). */
function fail(line) {
  console.error(`build: ${line}`);
  process.exit(1);
}
/** Runs `cmd` (output shown; `opts` may capture stdout or add to `env`); stops on failure. */
const run = (cmd, args, opts = {}) => {
  try {
    return execFileSync(cmd, args, { cwd: root, env, stdio: 'inherit', ...opts });
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
const target = join(root, 'target', 'pkg-build');
// The registry's index directory and each dependency's own (`<crate>-<version>/`, from
// Cargo.lock) go too: a few panic locations remain in the wasm
// (RefCell borrows, hashbrown, js-sys), and their paths are bytes. (The standard library's
// `/rustc/<commit>/` paths come precompiled: no flag reaches them.) When several prefixes
// match, rustc takes the last one given.
const registry = join(cargoHome, 'registry/src');
const lock = readFileSync(join(root, 'Cargo.lock'), 'utf8');
const crates = [...lock.matchAll(/name = "([^"]+)"\nversion = "([^"]+)"/g)].map(([, n, v]) => `${n}-${v}/`);
const indexes = existsSync(registry) ? readdirSync(registry).map((d) => `${registry}/${d}/`) : [];
// The wasm's stack: Rust's default on wasm32 is 1 MiB, nearly all of the module's memory at
// start (1.125 MiB; 128 KiB with 64 KiB of stack). `npm run bench` prints the high-water mark
// ("wasm stack high-water": 1.5 KiB after throughput, reconnects and notifications); a deeper
// stack would trap (the stack is first in memory, growing towards 0), never corrupt. Smaller
// addresses also make every data address in the code one LEB byte shorter (-41 B gz).
const STACK_BYTES = 64 * 1024;
const rustflags = [`${registry}/`, ...indexes, ...indexes.flatMap((d) => crates.map((c) => d + c)), `${root}/`]
  .map((prefix) => `--remap-path-prefix=${prefix}=`).concat(`-Clink-arg=-zstack-size=${STACK_BYTES}`).join(' ');
run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', '--features', 'shipped'],
  { env: { ...env, CARGO_TARGET_DIR: target, CARGO_ENCODED_RUSTFLAGS: rustflags.split(' ').join('\x1f') } });
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
// wasm-bindgen's glue goes to a scratch dir; the package gets one bundled module.
// `--encode-into always`: no fallback for browsers without TextEncoder.encodeInto (every
// browser since 2020 has it: Chrome 74, Firefox 66, Safari 14.1).
const glueDir = join(target, process.env.WOK_PUSH_VERSION ? 'glue-other' : 'glue');
rmSync(glueDir, { recursive: true, force: true });
run('wasm-bindgen', [
  '--target', 'web', '--encode-into', 'always', '--out-dir', glueDir, '--out-name', 'wok_push',
  join(target, 'wasm32-unknown-unknown/release/wok_push.wasm'),
]);
// wasm-opt (scripts/wasm-opt-args.mjs), and every import, export and import module renamed to
// one or two letters (binaryen prints the renaming): wasm-bindgen's names carry 16 hex digits
// each, which gzip cannot shrink (measured: -2 KB gz). The glue is then told the new names.
// (No --converge: it would rename twice and print two maps.)
const wasm = join(pkg, 'wok_push_bg.wasm');
// WOK_PUSH_NAMES=1 keeps the functions' names, for a profiler (bench/profile.mjs).
const names = process.env.WOK_PUSH_NAMES === '1' ? ['-g'] : ['--strip-debug'];
const renames = JSON.parse(run(join(bin, 'wasm-opt'), [...WASM_OPT_ARGS,
  ...names, '--strip-producers', '--minify-imports-and-exports-and-modules',
  join(glueDir, 'wok_push_bg.wasm'), '-o', wasm], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }));
renameInGlue(join(glueDir, 'wok_push.js'), renames, WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasm))));

/**
 * Points wasm-bindgen's glue at the renamed wasm: `wasm.<export>` becomes `wasm.<short>`;
 * the import object becomes one module whose keys are the short names (wasm-bindgen's own
 * imports renamed in place, snippet functions taken from their module namespace). Fails the
 * build on anything it does not recognise, rather than ship a module that cannot load.
 */
function renameInGlue(file, map, imports) {
  let js = readFileSync(file, 'utf8');
  const modules = new Set(imports.map((i) => i.module));
  if (modules.size !== 1) fail(`renamed wasm imports from ${modules.size} modules, expected 1`);
  const exp = new Map(map.exports);
  js = js.replace(/\bwasm\.(\w+)/g, (m, name) => {
    if (!exp.has(name)) fail(`glue uses wasm.${name}, which the renamed wasm does not export`);
    return `wasm.${exp.get(name)}`;
  });
  const extra = [];
  for (const [mod, name, short] of map.imports) {
    if (mod === './wok_push_bg.js') {
      const key = new RegExp(`^(\\s+)${name}: function`, 'm');
      if (!key.test(js)) fail(`glue import ${name} not found`);
      js = js.replace(key, `$1${short}: function`);
    } else {
      const ns = new RegExp(`import \\* as (\\w+) from "${mod.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"`).exec(js);
      if (!ns) fail(`glue has no namespace import of ${mod}`);
      extra.push(`${short}: ${ns[1]}.${name},`);
    }
  }
  const head = 'const import0 = {\n        __proto__: null,\n';
  const ret = /return \{\s*__proto__: null,\s*"\.\/wok_push_bg\.js": import0,[^}]*\};/;
  if (!js.includes(head) || !ret.test(js)) fail('the glue import object has an unexpected shape (wasm-bindgen changed?)');
  js = js.replace(head, head + extra.join('\n') + '\n').replace(ret, `return { ${JSON.stringify([...modules][0])}: import0 };`);
  writeFileSync(file, js);
}
// One minified ES module: the public API (js/api.js) over the glue, with the snippets
// (js/dispatch.js, io.js, codec.js) resolved to their sources so each is bundled once.
const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const version = process.env.WOK_PUSH_VERSION || /^version\s*=\s*"([^"]+)"/m.exec(cargo)[1];
const glue = join(pkg, 'wok_push.js');
const esbuild = await import(join(root, 'node_modules/esbuild/lib/main.js')).catch(() => fail(`esbuild is missing: ${SETUP}`));
try {
  await esbuild.build({
    entryPoints: [join(root, 'js/index.js')], bundle: true, minify: true, format: 'esm', target: 'es2020',
    outfile: glue, logLevel: 'error', define: { __WOK_PUSH_VERSION__: JSON.stringify(version) },
    plugins: [{
      name: 'wok-push-glue',
      setup(b) {
        b.onResolve({ filter: /^wok-push:engine$/ }, () => ({ path: join(glueDir, 'wok_push.js') }));
        b.onResolve({ filter: /^\.\/snippets\/[^/]+\/js\/[\w.-]+\.js$/ }, (a) => ({ path: join(root, 'js', a.path.split('/').pop()) }));
      },
    }],
  });
} catch {
  fail('esbuild failed (its output is above)');
}
// Types from one source: the checked-in js/wok_push.d.ts ships as is. The built module is
// loaded in Node (no wasm needed) to check that it exports what the declarations name.
const dts = join(pkg, 'wok_push.d.ts');
const declared = readFileSync(join(root, 'js/wok_push.d.ts'), 'utf8');
const surface = (text) => {
  const names = new Set();
  for (const m of text.matchAll(/^export (?:default )?(?:function|class) (\w+)/gm)) names.add(m[1]);
  for (const c of text.matchAll(/^export class (\w+) \{([\s\S]*?)^\}/gm)) {
    for (const m of c[2].matchAll(/^\s+(?:readonly )?(\w+)\s*[(:]/gm)) if (m[1] !== 'constructor') names.add(`${c[1]}.${m[1]}`);
  }
  return names;
};
const built = await import(`${glue}?${Date.now()}`);
const exported = new Set();
for (const [name, v] of Object.entries(built)) {
  exported.add(name === 'default' ? 'init' : name);
  if (typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v))) {
    for (const k of Object.getOwnPropertyNames(v.prototype)) if (k !== 'constructor') exported.add(`${name}.${k}`);
  }
}
// The renamed wasm must link with its glue: instantiate it here (Node has WebAssembly).
try {
  built.initSync({ module: readFileSync(wasm) });
} catch (e) {
  fail(`the wasm does not link with its glue (${e.message})`);
}
const declaredNames = surface(declared);
const missing = [...exported].filter((n) => !declaredNames.has(n));
const extra = [...declaredNames].filter((n) => !exported.has(n));
if (missing.length || extra.length) {
  fail(`js/wok_push.d.ts disagrees with the module: undeclared ${JSON.stringify(missing)}, not exported ${JSON.stringify(extra)}`);
}
writeFileSync(dts, declared);
// The classic loader, minified (its /*! header stays). It asks for the module and the wasm
// with `?v=<content hash of both>`: WoK serves /libs with an Expires header a year ahead and
// its templates can bust only the loader's URL, so a browser holding an older module or wasm
// still fetches this release's (docs/wok-integration.md, "Upgrades").
const release = createHash('sha256').update(readFileSync(glue)).update(readFileSync(wasm)).digest('hex').slice(0, 16);
// It bundles what it shares with the module (js/options.js, js/slot.js, the generated names):
// one classic script, no import of its own before the module.
try {
  await esbuild.build({
    entryPoints: [join(root, 'js/wok-push.js')], bundle: true, minify: true, format: 'iife', target: 'es2017',
    outfile: join(pkg, 'wok-push.js'), logLevel: 'error', legalComments: 'inline',
    define: { __WOK_PUSH_RELEASE__: JSON.stringify(release), __WOK_PUSH_VERSION__: JSON.stringify(version) },
  });
} catch {
  fail('esbuild failed on the classic loader (its output is above)');
}
for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE']) copyFileSync(join(root, f), join(pkg, f));
// The published package's manifest: what `npm publish ./pkg` sends (`npm run pack` makes the
// same tarball; tests/e2e/consumer.test.mjs installs it into Vite, webpack and esbuild apps).
writeFileSync(join(pkg, 'package.json'), JSON.stringify({
  name: 'wok-push',
  version,
  description: 'One websocket per page for every WoK plugin tab: dispatch by code, reconnect, polling fallback, catch-up.',
  keywords: ['wok', 'kimchi', 'ginger', 'websocket', 'websockify', 'push', 'notifications', 'wasm'],
  license: 'Apache-2.0',
  repository: { type: 'git', url: 'git+https://github.com/kimchi-project/wok-push.git' },
  homepage: 'https://github.com/kimchi-project/wok-push#readme',
  bugs: { url: 'https://github.com/kimchi-project/wok-push/issues' },
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
  files: ['wok_push.js', 'wok_push.d.ts', 'wok_push_bg.wasm', 'wok-push.js', 'README.md', 'CHANGELOG.md', 'LICENSE'],
  sideEffects: ['./wok-push.js'],
  unpkg: './wok-push.js',
  jsdelivr: './wok-push.js',
}, null, 2) + '\n');

const size = (f) => {
  const b = readFileSync(join(pkg, f));
  return { raw: b.length, gz: gzipSync(b, { level: 9 }).length };
};
const rows = ['wok_push_bg.wasm', 'wok_push.js', 'wok-push.js'].map((f) => [f, size(f)]);
const total = rows.filter(([f]) => f !== 'wok-push.js').reduce((a, [, s]) => ({ raw: a.raw + s.raw, gz: a.gz + s.gz }), { raw: 0, gz: 0 });
for (const [f, s] of rows) console.log(`${f.slice(-20).padEnd(20)} ${String(s.raw).padStart(7)} B raw ${String(s.gz).padStart(7)} B gzip -9`);
console.log(`${'wasm + glue'.padEnd(20)} ${String(total.raw).padStart(7)} B raw ${String(total.gz).padStart(7)} B gzip -9 (goal <= 15360)`);
