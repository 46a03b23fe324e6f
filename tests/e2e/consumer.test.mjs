// The package as its users get it: the tarball `npm run pack` makes (what `npm publish ./pkg`
// sends), installed by name into a tiny app (tests/consumer: main.js, as the README's npm
// example), then served by each common bundler and by none, in Chromium: Vite's dev server,
// `vite build`, webpack 5, esbuild and a plain <script type="module">. Each page must reach
// `open` and get a push. Where a bundler does not find the wasm by itself, the test does
// exactly the one line the README shows. Also type-checks the published .d.ts with tsc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { setup, until } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name) => join(root, 'node_modules/.bin', name);
const app = join(root, 'tests/consumer');
const out = join(root, 'target/consumer-out'); // served by the backend at /consumer/
let env;
before(async () => {
  env = await setup();
  // The tarball, installed as a user would (it has no dependencies: offline works).
  execFileSync('node', [join(root, 'scripts/pack.mjs')], { stdio: 'inherit' });
  rmSync(join(app, 'node_modules'), { recursive: true, force: true });
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--offline'], { cwd: app, stdio: 'inherit' });
  rmSync(out, { recursive: true, force: true });
});
after(async () => { await env.close(); });

/** The files of `dir` with their sizes (raw and gzip -9), for the report. */
function shipped(dir) {
  return readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, f)).isFile() && /\.(js|wasm)$/.test(f))
    .map((f) => { const b = readFileSync(join(dir, f)); return { f, raw: b.length, gz: gzipSync(b, { level: 9 }).length }; });
}
function report(name, files) {
  const gz = files.reduce((a, x) => a + x.gz, 0);
  console.log(`# ${name}: ${files.map((x) => `${x.f} ${x.raw} B (${x.gz} gz)`).join(', ')}; ${gz} B gz in all`);
}

/** Opens `url`, waits for `open`, pushes one message and waits for the app to show it. */
async function served(url, control = env.control) {
  await control('reset', {});
  const page = await env.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    await until(() => page.evaluate(() => window.push?.state === 'open'), 15000, `open at ${url}`);
    await control('push', { messages: ['POST:/kimchi/vms'] });
    await until(() => page.evaluate(() => document.getElementById('got').textContent === 'POST:/kimchi/vms push'), 5000, 'push shown');
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
}

const html = (script) => `<!doctype html>\n<meta charset="utf-8">\n<ul id="got"></ul>\n${script}\n`;

test('the .d.ts type-checks real usage and rejects misuse (tsc --strict)', () => {
  execFileSync(bin('tsc'), ['-p', join(root, 'tests/types/tsconfig.json')], { stdio: 'inherit' });
});

test('the package ships the checked-in declarations as they are', () => {
  assert.equal(readFileSync(join(app, 'node_modules/wok-push/wok_push.d.ts'), 'utf8'), readFileSync(join(root, 'js/wok_push.d.ts'), 'utf8'));
});

test('npm publish --dry-run of the package is clean: its files, exports, types and license', () => {
  const dry = spawnSync('npm', ['publish', '--dry-run', '--json', join(root, 'pkg')], { encoding: 'utf8' });
  assert.equal(dry.status, 0, dry.stderr);
  const r = JSON.parse(dry.stdout)['wok-push'];
  // npm warns about what it would fix in the manifest (`npm pkg fix`): nothing but the login
  // a real publish needs.
  const warnings = dry.stderr.split('\n').filter((l) => /npm warn/i.test(l) && !/logged in/.test(l));
  assert.deepEqual(warnings, []);
  const files = r.files.map((f) => f.path).sort();
  assert.deepEqual(files, ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json', 'wok-push.js', 'wok_push.d.ts', 'wok_push.js', 'wok_push_bg.wasm']);
  const manifest = JSON.parse(readFileSync(join(root, 'pkg/package.json'), 'utf8'));
  assert.equal(manifest.version, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
  assert.equal(manifest.license, 'Apache-2.0');
  assert.ok(manifest.repository?.url && manifest.types && manifest.exports['.'].types);
  for (const target of Object.values(manifest.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))) {
    assert.ok(files.includes(target.replace('./', '')), `exports names ${target}, which the package holds`);
  }
});

test('Vite dev server: the app connects and receives a push', async () => {
  const { createServer } = await import(join(root, 'node_modules/vite/dist/node/index.js'));
  const backend = env.backend.url;
  // WoK's nginx in front of the app: the dev server passes the push socket and the feed on.
  const server = await createServer({
    root: app, logLevel: 'warn', clearScreen: false,
    server: { host: '127.0.0.1', port: 0, proxy: {
      '/websockify': { target: backend.replace('http:', 'ws:'), ws: true }, '/notifications': backend } },
  });
  await server.listen();
  try {
    await served(`${server.resolvedUrls.local[0]}index.html`);
  } finally {
    await server.close();
  }
});

test('vite build: the wasm is emitted, the app connects and receives a push', async () => {
  const { build } = await import(join(root, 'node_modules/vite/dist/node/index.js'));
  const dir = join(out, 'vite');
  await build({ root: app, base: '/consumer/vite/', logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  const files = shipped(dir);
  assert.ok(files.some((x) => x.f.endsWith('.wasm')), 'the wasm is emitted as an asset');
  report('vite build', files);
  await served(`${env.backend.url}/consumer/vite/index.html`);
});

test('webpack 5: the wasm is emitted, the app connects and receives a push', async () => {
  const { default: webpack } = await import(join(root, 'node_modules/webpack/lib/index.js'));
  const dir = join(out, 'webpack');
  const stats = await new Promise((resolve, reject) => webpack({
    mode: 'production', context: app, entry: './main.js', output: { path: dir, publicPath: 'auto' },
  }, (err, s) => (err ? reject(err) : resolve(s))));
  assert.equal(stats.hasErrors(), false, stats.toString('errors-only'));
  writeFileSync(join(dir, 'index.html'), html('<script src="main.js"></script>'));
  const files = shipped(dir);
  assert.ok(files.some((x) => x.f.endsWith('.wasm')), 'the wasm is emitted as an asset');
  report('webpack 5', files);
  await served(`${env.backend.url}/consumer/webpack/index.html`);
});

test('esbuild: with the wasm copied next to the bundle (the README line), the app connects and receives a push', async () => {
  const { build } = await import(join(root, 'node_modules/esbuild/lib/main.js'));
  const dir = join(out, 'esbuild');
  await build({ entryPoints: [join(app, 'main.js')], bundle: true, format: 'esm', minify: true, outdir: dir, logLevel: 'warning' });
  assert.ok(!shipped(dir).some((x) => x.f.endsWith('.wasm')), 'esbuild emits no wasm by itself');
  // README: cp node_modules/wok-push/wok_push_bg.wasm dist/
  copyFileSync(join(app, 'node_modules/wok-push/wok_push_bg.wasm'), join(dir, 'wok_push_bg.wasm'));
  writeFileSync(join(dir, 'index.html'), html('<script type="module" src="main.js"></script>'));
  report('esbuild', shipped(dir));
  await served(`${env.backend.url}/consumer/esbuild/index.html`);
});

test('no bundler: a plain <script type="module"> with an import map finds the wasm by itself', async () => {
  const dir = join(out, 'plain');
  mkdirSync(dir, { recursive: true });
  // The app as it is, the package where npm put it, an import map for the bare name.
  execFileSync('cp', ['-r', join(app, 'node_modules'), join(app, 'main.js'), dir]);
  writeFileSync(join(dir, 'index.html'), html(
    '<script type="importmap">{ "imports": { "wok-push": "./node_modules/wok-push/wok_push.js" } }</script>\n'
    + '<script type="module" src="main.js"></script>'));
  report('no bundler', shipped(join(dir, 'node_modules/wok-push')).filter((x) => x.f !== 'wok-push.js'));
  await served(`${env.backend.url}/consumer/plain/index.html`);
});
