// Upgrades cannot mix releases (docs/wok-integration.md, "Upgrades"). WoK serves /libs with
// an Expires header a year ahead and its templates bust only the loader's URL ($href adds
// ?cacheBust=<mtime>): the loader must then load the module and the wasm of its own release,
// even though the browser still holds the previous release's under their plain names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSERS, otherRelease } from './helpers.mjs';

const root = join(import.meta.dirname, '..', '..');
const releases = { old: join(root, 'target', 'pkg-other'), new: join(root, 'pkg') };
const TYPES = { js: 'text/javascript', wasm: 'application/wasm' };
let installed = 'old';
const seen = [];
let server, base;

before(async () => {
  otherRelease();
  // WoK's /libs as cherrypy serves it: the installed release's files, cacheable for a year.
  server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/wok-ui.html') {
      // The template: the loader with $href's cacheBust (the loader file's mtime).
      res.writeHead(200, { 'Content-Type': 'text/html', 'Cache-Control': 'no-store' });
      return res.end(`<!doctype html><script src="/libs/wok-push/wok-push.js?cacheBust=${installed}"></script>`);
    }
    const m = /^\/libs\/wok-push\/([\w.-]+\.(js|wasm))$/.exec(url.pathname);
    if (!m) { res.writeHead(404); return res.end(); }
    seen.push(`${installed} ${m[1]}${url.search}`);
    res.writeHead(200, { 'Content-Type': TYPES[m[2]], 'Cache-Control': 'public, max-age=31536000',
      Expires: new Date(Date.now() + 365 * 864e5).toUTCString() });
    res.end(readFileSync(join(releases[installed], m[1])));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

const release = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
// The running release: the page singleton's slot names the module that made the manager
// (installWokCompat creates it closed: no connection is tried).
const running = (page) => page.evaluate(() => WokPush.ready.then(() => {
  WokPush.installWokCompat({});
  return globalThis[Symbol.for('wok-push')].version;
}));

for (const name of Object.keys(BROWSERS)) {
  test(`${name}: after an upgrade the page runs the new loader's own module and wasm, not the cached ones`, async () => {
    const browser = await BROWSERS[name]();
    try {
      installed = 'old';
      seen.length = 0;
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${base}/wok-ui.html`);
      assert.equal(await running(page), release(releases.old));
      // `make install` of the new release, then the next visit: the template names the new
      // loader; the old module and wasm are still fresh in the browser's cache.
      installed = 'new';
      await page.goto(`${base}/wok-ui.html`);
      assert.equal(await running(page), release(releases.new), 'the new loader runs the new module');
      const fetched = seen.filter((s) => s.startsWith('new ')).map((s) => s.replace(/v=\w+$/, 'v=<hash>')).sort();
      assert.deepEqual(fetched, ['new wok-push.js?cacheBust=new', 'new wok_push.js?v=<hash>', 'new wok_push_bg.wasm?v=<hash>'],
        'the new release was fetched whole, nothing of it came from the old cache entries');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
}
