// The session rule end to end (docs/reliability.md, "Sessions"), in Chromium and Firefox,
// against the test backend's session: without it `/notifications` answers 401 and the upgrade
// is refused with 401, as WoK's nginx does with patch 0005 of contrib/wok/. A refused upgrade reaches
// a page only as a socket closed before it opened; the GET that follows tells it apart from
// a server that is down.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend } from '../../server/backend.mjs';
import { BROWSERS, NETWORK_ERROR, controlOf, until } from './helpers.mjs';

let backend;
before(async () => { backend = await startBackend({ port: 0 }); });
after(async () => { await backend.close(); });

const control = (what, body) => controlOf(backend)(what, body);
const settle = (ms) => new Promise((r) => setTimeout(r, ms));
const upgrades = async () => { const s = await control('sockets'); return s.upgrades + s.refused; };
const feedGets = async () => (await control('log')).filter((l) => l.method === 'GET' && l.path === '/notifications').length;
const FAST = { reconnectMinMs: 50, reconnectMaxMs: 300, pollIntervalMs: 200, fallbackAfter: 3 };

async function tab(browser, opts = FAST) {
  const p = await browser.newPage();
  p.errors = [];
  p.on('pageerror', (e) => { if (!NETWORK_ERROR.test(String(e))) p.errors.push(String(e)); });
  await p.goto(`${backend.url}/test/tabs.html?opts=${encodeURIComponent(JSON.stringify(opts))}`);
  await until(() => p.evaluate(() => window.ready === true), 10000, 'ready');
  return p;
}
const rec = (p) => p.evaluate(() => JSON.parse(JSON.stringify(window.rec)));
const state = (p) => p.evaluate(() => window.push.state);

for (const name of Object.keys(BROWSERS)) {
  test(`${name}: a page with no session is refused once, checks once, and tries nothing more`, async () => {
    await control('reset', {});
    await control('mode', { session: false });
    const browser = await BROWSERS[name]();
    try {
      const page = await tab(browser, { ...FAST, shareAcrossTabs: false });
      await until(async () => (await rec(page)).states.includes('closed:session-expired'), 10000, 'session-expired');
      await settle(3000); // 10 backoff delays, 15 poll intervals
      const r = await rec(page);
      assert.equal((await control('sockets')).refused, 1, 'one refused upgrade');
      assert.equal(await feedGets(), 1, 'one GET /notifications');
      assert.deepEqual(r.errors, ['session-expired'], 'said once');
      assert.deepEqual([r.got, r.resyncs], [[], 0], 'no handler call');
      assert.equal(await state(page), 'closed');
      // Logged in: reconnect() opens, and messages flow.
      await control('login', {});
      await page.evaluate(() => window.push.reconnect());
      await until(async () => (await state(page)) === 'open', 10000, 'open after reconnect()');
      await control('push', { messages: ['POST:/kimchi/vms', 'POST:/wok/logs'] });
      await until(async () => (await rec(page)).got.includes('POST:/wok/logs|push'), 5000, 'messages');
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
    }
  });

  test(`${name}: a logout in one tab closes the origin's connection; a tab that connects after a login reopens it`, async () => {
    await control('reset', {});
    const browser = await BROWSERS[name]();
    try {
      const pages = [await tab(browser), await tab(browser)];
      await until(async () => (await Promise.all(pages.map(state))).every((s) => s === 'open'), 10000, 'both open');
      assert.equal((await control('sockets')).open, 1);
      // Another session's logout (the server still knows this one): nothing changes.
      await control('push', { messages: ['POST:/wok/logout', 'POST:/wok/logs'] });
      await settle(500);
      assert.deepEqual(await Promise.all(pages.map(state)), ['open', 'open']);
      // This session's logout, from either tab: within a second no socket is open.
      const t0 = Date.now();
      await control('logout', {});
      await until(async () => (await control('sockets')).open === 0, 1000, 'no push socket within 1 s');
      console.log(`# ${name}: socket closed ${Date.now() - t0} ms after the logout`);
      await until(async () => (await Promise.all(pages.map(state))).every((s) => s === 'closed'), 2000, 'both closed');
      for (const p of pages) {
        const r = await rec(p);
        assert.equal(r.states.at(-1), 'closed:session-expired');
        assert.ok(r.got.includes('POST:/wok/logout|push') && r.got.includes('POST:/wok/logs|push'), r.got.join());
      }
      const [u, g] = [await upgrades(), await feedGets()];
      await settle(3000);
      assert.deepEqual([await upgrades(), await feedGets()], [u, g], 'no attempt and no GET until a login');
      // The tab that logged out goes to the login page (leaves); after the login a new page
      // connects: the leader checks the session and reopens for every tab.
      await pages[1].close();
      await control('login', {});
      const fresh = await tab(browser);
      await until(async () => (await Promise.all([pages[0], fresh].map(state))).every((s) => s === 'open'), 10000, 'open again');
      assert.equal((await control('sockets')).open, 1);
      await control('push', { messages: ['POST:/kimchi/vms'] });
      for (const p of [pages[0], fresh]) await until(async () => (await rec(p)).got.includes('POST:/kimchi/vms|push'), 5000, 'served');
      assert.equal((await rec(pages[0])).resyncs, 1, 'the lost socket was a gap: one resync');
      for (const p of [pages[0], fresh]) assert.deepEqual(p.errors, []);
    } finally {
      await browser.close();
    }
  });

  test(`${name}: a server that is down is not taken for a logout`, async () => {
    await control('reset', {});
    const browser = await BROWSERS[name]();
    try {
      const page = await tab(browser, { ...FAST, shareAcrossTabs: false });
      await until(async () => (await state(page)) === 'open', 10000, 'open');
      await control('mode', { upgrades: false, feed: '500' });
      await control('drop', {});
      await until(async () => (await state(page)) === 'polling', 10000, 'polling');
      await settle(1000);
      assert.ok(!(await rec(page)).states.includes('closed:session-expired'));
      await control('mode', { upgrades: true, feed: 'ok' });
      await until(async () => (await state(page)) === 'open', 10000, 'open again');
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
    }
  });
}
