// A consumer as the WoK UI would be: an app that depends on the package by name (a file:
// dependency on pkg/), bundled with Vite, connects and receives a push in Chromium.
// Also type-checks the published .d.ts with tsc.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup, until } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = (name) => join(root, 'node_modules/.bin', name);
let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

test('the .d.ts type-checks real usage and rejects misuse (tsc --strict)', () => {
  execFileSync(bin('tsc'), ['-p', join(root, 'tests/types/tsconfig.json')], { stdio: 'inherit' });
});

test('the package ships the checked-in declarations as they are', () => {
  assert.equal(readFileSync(join(root, 'pkg/wok_push.d.ts'), 'utf8'), readFileSync(join(root, 'js/wok_push.d.ts'), 'utf8'));
});

test('a Vite app importing wok-push by name connects and receives a push', async () => {
  const app = join(root, 'tests/consumer');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--offline'], { cwd: app, stdio: 'inherit' });
  const out = join(root, 'target/consumer-dist');
  execFileSync(bin('vite'), ['build', '--base', '/consumer/', '--outDir', out, '--emptyOutDir', '--logLevel', 'warn'], { cwd: app, stdio: 'inherit' });
  const assets = readdirSync(join(out, 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `the wasm is emitted as an asset: ${assets}`);
  assert.ok(existsSync(join(out, 'index.html')));
  await env.control('reset', {});
  const page = await env.page('/consumer/index.html');
  await until(() => page.evaluate(() => window.push && window.push.state === 'open'), 10000, 'open');
  await env.control('push', { messages: ['POST:/kimchi/vms'] });
  await until(() => page.evaluate(() => document.getElementById('got').textContent === 'POST:/kimchi/vms push'), 5000, 'push shown');
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});
