// Liveness end to end, through a TCP fault proxy (tests/fault/proxy.mjs) between the browser
// and the backend's push socket, in Chromium (Playwright) and Firefox ESR (puppeteer-core over
// WebDriver BiDi): with a server that answers heartbeats, a blackhole or a hung server is
// noticed within 3 × heartbeatMs and recovered after heal with a catch-up and one resync;
// with the stock silent server, high latency and a slow pipe never cause a false replacement.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend } from '../../server/backend.mjs';
import { startFaultProxy } from '../fault/proxy.mjs';
import { BROWSERS, controlOf, until } from './helpers.mjs';

const HB = 500; // heartbeatMs of these tests
let backend, proxy;
before(async () => {
  backend = await startBackend({ port: 0 });
  proxy = await startFaultProxy({ host: '127.0.0.1', port: backend.port });
});
after(async () => { await proxy.close(); await backend.close(); });

const control = (what, body) => controlOf(backend)(what, body);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


/** A lab page whose push socket goes through the proxy; `answer`: the server echoes heartbeats. */
let last = null;
async function lab(browser, answer, extra = {}, json = false) {
  if (last) await last.close().catch(() => {});
  proxy.heal();
  await control('reset', {});
  // `json`: the server pushes JSON notification objects, its answer `{"code":"heartbeat"}` too.
  await control('mode', { answer, json });
  const opts = { url: `ws://127.0.0.1:${proxy.port}/websockify?token=d29rbm90aWZpY2F0aW9ucw`, heartbeatMs: HB,
    connectTimeoutMs: 1500, reconnectMinMs: 100, reconnectMaxMs: 400, shareAcrossTabs: false, ...extra };
  const page = last = await browser.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${backend.url}/test/lab.html?opts=${encodeURIComponent(JSON.stringify(opts))}`);
  await until(() => page.evaluate(() => window.ready === true && window.push.state === 'open'), 10000, 'open');
  await page.evaluate(() => {
    window.changes = [];
    window.push.on('state', (e) => window.changes.push({ t: performance.now(), state: e.state, reason: e.reason }));
  });
  return page;
}
const changes = (page) => page.evaluate(() => window.changes.slice());
const now = (page) => page.evaluate(() => performance.now());
const feedGets = async (since) => (await control('log')).filter((l) => l.method === 'GET' && l.path === '/notifications' && l.t >= since).length;

for (const name of Object.keys(BROWSERS)) {
  let browser;
  test(`${name}: start the browser`, async () => { browser = await BROWSERS[name](); });

  for (const fault of ['blackhole', 'hung server', 'blackhole, JSON push server']) {
    test(`${name}: answering server, ${fault}: noticed within 3 × heartbeatMs, recovered after heal with one resync`, async () => {
      const page = await lab(browser, true, {}, fault.includes('JSON'));
      await sleep(3 * HB); // a few echoes: the page learns that this server answers
      assert.deepEqual(await changes(page), [], 'no replacement while it answers');
      const resyncs = await page.evaluate(() => window.rec.resyncs);
      const t0 = await now(page);
      if (fault.startsWith('blackhole')) proxy.set({ blackhole: true });
      else await control('mode', { hung: true });
      await until(async () => (await changes(page)).some((c) => c.reason === 'silent'), 6 * HB, 'silent');
      const silent = (await changes(page)).find((c) => c.reason === 'silent');
      const ms = silent.t - t0;
      console.log(`# ${name}, ${fault}: noticed after ${ms.toFixed(0)} ms (heartbeatMs ${HB})`);
      assert.ok(ms <= 3 * HB + 250, `noticed after ${ms} ms`);
      assert.equal(silent.state, 'backoff');
      // Heal: the next attempt opens, catches up and announces the gap once.
      const healed = Date.now();
      if (fault.startsWith('blackhole')) proxy.heal();
      else await control('mode', { hung: false });
      await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open again');
      await until(async () => (await feedGets(healed)) >= 1, 5000, 'catch-up');
      await sleep(3 * HB);
      assert.equal(await page.evaluate(() => window.push.state), 'open', 'stays open');
      assert.equal(await page.evaluate(() => window.rec.resyncs), resyncs + 1, 'one resync for the gap');
      assert.deepEqual(page.errors, []);
    });
  }

  for (const [what, fields] of [['800 ms of latency', { latencyMs: 800 }], ['a 2 KB/s pipe', { bytesPerSec: 2048 }]]) {
    test(`${name}: stock silent server behind ${what}: no false replacement over 16 heartbeats`, async () => {
      const page = await lab(browser, false);
      proxy.set(fields);
      const upgrades = (await control('sockets')).upgrades;
      await control('push', { messages: ['VM1', 'VM2'] });
      await sleep(16 * HB);
      assert.deepEqual(await changes(page), []);
      assert.equal((await control('sockets')).upgrades, upgrades, 'the same socket throughout');
      const got = await page.evaluate(() => window.rec.got.filter((g) => g.startsWith('VM')));
      assert.deepEqual(got, ['VM1|push', 'VM2|push'], 'pushes still arrive, late');
      assert.ok((await control('sockets')).clientFrames >= 10, 'heartbeats went out');
    });
  }

  test(`${name}: answering server behind 300 ms of latency: no false replacement over 16 heartbeats`, async () => {
    const page = await lab(browser, true);
    proxy.set({ latencyMs: 300 });
    await sleep(16 * HB);
    assert.deepEqual(await changes(page), []);
  });

  test(`${name}: answering server, reset and refused reconnects: back after heal, no 'silent' on the way`, async () => {
    const page = await lab(browser, true);
    proxy.set({ refuse: true });
    proxy.reset();
    await until(async () => (await changes(page)).some((c) => c.state === 'backoff'), 5000, 'backoff');
    await sleep(1000);
    proxy.heal();
    await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open again');
    assert.ok((await changes(page)).every((c) => c.reason !== 'silent'));
  });

  test(`${name}: a stalled handshake times out, then heals`, async () => {
    const page = await lab(browser, true);
    proxy.set({ stall: true });
    proxy.reset();
    await until(async () => (await changes(page)).some((c) => c.reason === 'connect-timeout'), 5000, 'connect-timeout');
    proxy.heal();
    await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open again');
  });

  test(`${name}: close the browser`, async () => { if (last) await last.close().catch(() => {}); last = null; await browser.close(); });
}
