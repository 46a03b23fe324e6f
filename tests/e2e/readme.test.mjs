// The README's Quick start snippets run as the README shows them, under the CSP it recommends
// (script-src 'self' 'wasm-unsafe-eval': no inline script), in Chromium. Each code block is
// read from README.md and written to a file of its own; the only changes are the ones a page
// makes: the bare 'wok-push' resolved to the module's URL (what a bundler does), the plugin
// paths under /readme/, and a stand-in for kimchi's listVmsAuto.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup, until } from './helpers.mjs';

const root = join(import.meta.dirname, '..', '..');
const dir = join(root, 'target/readme'); // served at /readme/
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The code blocks of the README section headed `heading`, in order: [lang, text]. */
function blocks(heading) {
  const at = readme.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `README has "${heading}"`);
  const end = readme.indexOf('\n#', at + heading.length + 2);
  return [...readme.slice(at, end).matchAll(/^```(\w+)\n([\s\S]*?)^```/gm)].map((m) => [m[1], m[2]]);
}

// A page with the recommended CSP (the backend sends it for csp*.html): what it records.
const WATCH = `window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.kimchi = { calls: 0, listVmsAuto() { window.kimchi.calls++; } };
window.wok = {};
`;

let env;
before(async () => {
  env = await setup();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'plugins/kimchi/wok-push'), { recursive: true });
  mkdirSync(join(dir, 'plugins/kimchi/js'), { recursive: true });
  for (const f of ['wok-push.js', 'wok_push.js', 'wok_push_bg.wasm']) copyFileSync(join(root, 'pkg', f), join(dir, 'plugins/kimchi/wok-push', f));
  writeFileSync(join(dir, 'watch.js'), WATCH);
});
after(async () => { await env.close(); });

async function open(page, what) {
  await env.control('reset', {});
  const p = await env.page(`/readme/${page}`);
  const logs = [];
  p.on('console', (m) => logs.push(m.text()));
  await until(() => p.evaluate(() => window.WokPush?.connect?.().state === 'open' || window.__push?.state === 'open'), 10000, `${what} open`);
  return { p, logs };
}

test('README, npm / bundler: the snippet runs under the recommended CSP', async () => {
  const [[lang, code]] = blocks('### npm / bundler (the WoK UI)');
  assert.equal(lang, 'js');
  writeFileSync(join(dir, 'npm.js'), code.replace("from 'wok-push'", "from '/pkg/wok_push.js'") + '\nwindow.__push = push;\n');
  writeFileSync(join(dir, 'csp-npm.html'), '<!doctype html>\n<meta charset="utf-8">\n<script src="watch.js"></script>\n<script type="module" src="npm.js"></script>\n');
  const { p, logs } = await open('csp-npm.html', 'the npm snippet');
  await env.control('push', { messages: ['POST:/kimchi/vms'] });
  await until(() => logs.includes('POST:/kimchi/vms push'), 5000, 'the glob subscription logs the push');
  assert.equal(await p.evaluate(() => window.kimchi.calls), 0, 'the tab subscription was unsubscribed, as the snippet ends');
  assert.deepEqual(await p.evaluate(() => window.violations), []);
  assert.deepEqual(p.pageErrors, []);
});

test('README, API: the snippet runs under the recommended CSP', async () => {
  const [[lang, code]] = blocks('## API');
  assert.equal(lang, 'js');
  writeFileSync(join(dir, 'api.js'), code.replace("from 'wok-push'", "from '/pkg/wok_push.js'") + '\nwindow.__push = push;\n');
  writeFileSync(join(dir, 'csp-api.html'), '<!doctype html>\n<meta charset="utf-8">\n<script src="watch.js"></script>\n<script type="module" src="api.js"></script>\n');
  const { p } = await open('csp-api.html', 'the API snippet');
  assert.equal(await p.evaluate(() => typeof wok.addNotificationListener), 'function');
  assert.deepEqual(await p.evaluate(() => window.violations), []);
  assert.deepEqual(p.pageErrors, []);
});

test('README, classic script tag: the page and guests.js run under the recommended CSP', async () => {
  const [[htmlLang, html], [jsLang, js]] = blocks('### Classic script tag (plugin pages)');
  assert.deepEqual([htmlLang, jsLang], ['html', 'js']);
  assert.match(html, /guests\.js/);
  writeFileSync(join(dir, 'plugins/kimchi/js/guests.js'), js);
  writeFileSync(join(dir, 'csp-classic.html'), '<!doctype html>\n<meta charset="utf-8">\n<script src="watch.js"></script>\n'
    + html.replaceAll('src="/plugins/', 'src="/readme/plugins/'));
  const { p } = await open('csp-classic.html', 'the classic snippet');
  await env.control('push', { messages: ['METHOD:/kimchi/vms'] });
  await until(() => p.evaluate(() => window.kimchi.calls === 1), 5000, 'kimchi.listVmsAuto called');
  assert.deepEqual(await p.evaluate(() => window.violations), []);
  assert.deepEqual(p.pageErrors, []);
});
