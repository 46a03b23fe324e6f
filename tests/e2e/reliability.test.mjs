// Reliability and security end to end: chaos, the middlebox case, hostile /notifications,
// hostile message codes, a strict CSP, and credentials kept out of URLs and logs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend } from '../../server/backend.mjs';
import { setup, launch, until } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

async function lab(opts) {
  await env.control('reset', {});
  const page = await env.page(`/test/lab.html?opts=${encodeURIComponent(JSON.stringify(opts))}`);
  await until(() => page.evaluate(() => window.ready === true), 10000, 'ready');
  return page;
}
const rec = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.rec)));

test('chaos: 10 000 messages, 100 random drops, refused stretches, restarts: no duplicate, every gap resynced', { timeout: 240000 }, async () => {
  let backend = await startBackend({ port: 0 });
  const port = backend.port;
  const control = async (what, body = {}) => {
    try { return await (await fetch(`${backend.url}/_control/${what}`, { method: 'POST', body: JSON.stringify(body) })).json(); } catch { return null; }
  };
  const browser = await launch();
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const opts = { reconnectMinMs: 20, reconnectMaxMs: 300, pollIntervalMs: 200, usefulAfterMs: 150, fallbackAfter: 3, fetchTimeoutMs: 2000 };
  await page.goto(`${backend.url}/test/lab.html?opts=${encodeURIComponent(JSON.stringify(opts))}`);
  await until(() => page.evaluate(() => window.ready && window.push.state === 'open'), 10000, 'open');
  await page.evaluate(() => {
    // Gaps and resyncs in order: a gap is a live socket lost or a switch back from polling.
    window.timeline = [];
    window.push.on('state', (e) => {
      if ((e.previous === 'open' && e.state !== 'closed') || e.reason === 'probe-succeeded') window.timeline.push('gap');
    });
    window.push.on('resync', () => window.timeline.push('resync'));
    window.chaos = new Map();
    window.push.subscribe('CHAOS:*', (m) => window.chaos.set(m.code, (window.chaos.get(m.code) || 0) + 1));
  });
  let rand = 12345;
  const rnd = () => ((rand = (rand * 1103515245 + 12345) % 2147483648) / 2147483648);
  const TOTAL = 10000; const BATCH = 50;
  let drops = 0; let refusals = 0; let restarts = 0;
  for (let b = 0; b < TOTAL / BATCH; b++) {
    await control('push', { messages: Array.from({ length: BATCH }, (_, i) => `CHAOS:${b * BATCH + i}`) });
    if (b % 2 === 1 && drops < 100) { drops++; await sleep(rnd() * 120); await control('drop'); }
    if (b % 40 === 20) { refusals++; await control('upgrades', { accept: false }); await control('drop'); await sleep(800 + rnd() * 700); await control('upgrades', { accept: true }); }
    if (b % 70 === 35) {
      restarts++;
      await backend.close();
      await sleep(300 + rnd() * 400);
      backend = await startBackend({ port });
    }
    await sleep(40 + rnd() * 120);
  }
  await until(() => page.evaluate(() => window.push.state === 'open'), 60000, 'final open');
  await sleep(500);
  const r = await rec(page);
  const counts = await page.evaluate(() => [...window.chaos.values()]);
  const duplicates = counts.filter((c) => c > 1).length;
  const lostOpen = r.states.filter((s, i) => i > 0 && r.states[i - 1].startsWith('open') && !s.startsWith('closed')).length;
  const probeBacks = r.states.filter((s) => s === 'open:probe-succeeded').length;
  const stats = await page.evaluate(() => window.push.stats());
  console.log(`# chaos: sent ${TOTAL}, delivered ${counts.length}, duplicates ${duplicates}, drops ${drops}, refused stretches ${refusals}, restarts ${restarts}, gaps ${lostOpen + probeBacks}, resyncs ${r.resyncs}, fetches ${stats.fetches}, page errors ${pageErrors.length}`);
  assert.equal(duplicates, 0, 'no message delivered twice');
  // Every gap is announced, once a transport works again: gaps with no working transport
  // between them (a socket lost, every poll failing, then a probe back) make one resync.
  const timeline = await page.evaluate(() => window.timeline.slice());
  let pending = false;
  for (const e of timeline) {
    if (e === 'gap') pending = true;
    else { assert.ok(pending, 'no resync without a gap'); pending = false; }
  }
  assert.ok(!pending, 'the last gap was announced');
  assert.ok(r.resyncs >= 1 && r.resyncs <= lostOpen + probeBacks, `resyncs ${r.resyncs}, gaps ${lostOpen + probeBacks}`);
  assert.ok(stats.fetches >= r.resyncs, 'a catch-up GET after each gap');
  assert.ok(counts.length > TOTAL / 3, `most messages delivered (${counts.length})`);
  assert.deepEqual(pageErrors, []);
  assert.equal(await page.evaluate(() => window.push.state), 'open');
  await browser.close();
  await backend.close();
});

test('an outage long enough to fall back: no resync while nothing answers, one when the server is back', async () => {
  // The server stops (socket and /notifications): the page falls back to polling, and every
  // poll fails. A resync then would make the tabs' listeners re-read into failing requests;
  // it comes once the server answers again.
  let backend = await startBackend({ port: 0 });
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const opts = { reconnectMinMs: 50, reconnectMaxMs: 300, fallbackAfter: 2, pollIntervalMs: 200,
      connectTimeoutMs: 500, fetchTimeoutMs: 500, usefulAfterMs: 200, shareAcrossTabs: false };
    await page.goto(`${backend.url}/test/lab.html?opts=${encodeURIComponent(JSON.stringify(opts))}`);
    await until(() => page.evaluate(() => window.ready && window.push.state === 'open'), 10000, 'open');
    await sleep(400); // proven useful
    const port = backend.port;
    await backend.close();
    await until(() => page.evaluate(() => window.push.state === 'polling'), 15000, 'polling');
    await sleep(1500);
    const during = await rec(page);
    assert.ok(during.errors.some((e) => e.code === 'network'), 'polls were failing');
    assert.equal(during.resyncs, 0, 'no resync while nothing is reachable');
    backend = await startBackend({ port });
    await until(async () => (await rec(page)).resyncs >= 1, 10000, 'resync once back');
    await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'probe back');
    await sleep(1000);
    // One for the outage, once a poll answered, and one for the switch back to the socket
    // (a gap too), unless the probe came first: then both are one.
    const after = (await rec(page)).resyncs;
    assert.ok(after === 1 || after === 2, `${after} resyncs`);
  } finally {
    await browser.close();
    await backend.close();
  }
});

test('middlebox: upgrade succeeds, socket killed 300 ms later, every time: settles on polling, returns when healed', async () => {
  const page = await lab({ reconnectMinMs: 50, reconnectMaxMs: 400, pollIntervalMs: 300, usefulAfterMs: 1000, fallbackAfter: 3 });
  await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open');
  await sleep(1200); // useful
  await env.control('mode', { killAfterMs: 300 });
  await env.control('drop');
  await until(() => page.evaluate(() => window.push.state === 'polling'), 15000, 'polling');
  const t = Date.now();
  await sleep(4000);
  const r = await rec(page);
  const after = r.states.slice(r.states.lastIndexOf('polling:fallback') + 1);
  assert.deepEqual(after, [], `no flapping while probes die: ${after}`);
  const upgrades = (await env.control('log')).filter((l) => l.method === 'UPGRADE' && l.t >= t).length;
  assert.ok(upgrades >= 2, `the websocket is still probed (${upgrades})`);
  await env.control('mode', { killAfterMs: 0 });
  await until(() => page.evaluate(() => window.push.state === 'open'), 20000, 'back to open');
  assert.ok((await rec(page)).states.includes('open:probe-succeeded'));
  await page.close();
});

test('hostile /notifications: each answer is a typed error, polling backs off, close() aborts a hanging fetch', { timeout: 90000 }, async () => {
  const page = await lab({ reconnectMinMs: 1000, reconnectMaxMs: 10000, pollIntervalMs: 150, fetchTimeoutMs: 800, fallbackAfter: 1 });
  await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open');
  await env.control('upgrades', { accept: false });
  await env.control('drop');
  await until(() => page.evaluate(() => window.push.state === 'polling'), 15000, 'polling');
  const want = { 500: 'http-status', html: 'not-json', malformed: 'malformed-json', shape: 'bad-shape', huge: 'too-many-notifications', hang: 'fetch-timeout', reset: 'network' };
  for (const [mode, code] of Object.entries(want)) {
    await env.control('mode', { feed: mode });
    await page.evaluate(() => { window.rec.errors.length = 0; });
    await until(async () => (await rec(page)).errors.some((e) => e.code === code), 15000, `${code} for ${mode}`);
    assert.equal(await page.evaluate(() => window.push.state), 'polling');
  }
  // Backing off: with failures the interval doubles (150 ms healthy).
  await env.control('mode', { feed: '500' });
  await sleep(300);
  const t = Date.now();
  await sleep(3000);
  const gets = (await env.control('log')).filter((l) => l.path === '/notifications' && l.t >= t).length;
  assert.ok(gets <= 8, `backed off: ${gets} GETs in 3 s (healthy: ~20)`);
  // 401: one error, then silence.
  await env.control('mode', { feed: '401' });
  await until(async () => (await rec(page)).errors.some((e) => e.code === 'session-expired'), 15000, 'session-expired');
  // A hanging fetch is aborted by close().
  const hung = (await env.control('state')).hung;
  await env.control('mode', { feed: 'hang' });
  await page.evaluate(() => window.push.reconnect()); // the user logged in again
  await until(async () => (await env.control('state')).hung > hung, 10000, 'a fetch hangs');
  const aborted = (await env.control('state')).aborted;
  await page.evaluate(() => window.push.close());
  await until(async () => (await env.control('state')).aborted > aborted, 5000, 'server saw the abort');
  assert.equal((await page.evaluate(() => window.push.stats())).resources.fetch, 0);
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('hostile codes: __proto__, constructor, toString, very long, control characters', async () => {
  const page = await lab({});
  await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open');
  await page.evaluate(() => {
    window.exact = [];
    for (const c of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) window.push.subscribe(c, (m) => window.exact.push(m.code));
  });
  const long = 'L'.repeat(100000);
  const codes = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'a\u0000b\u0007c\u001bd', '<img src=x onerror=alert(1)>', long];
  await env.control('push', { messages: codes });
  await until(async () => (await rec(page)).got.length >= codes.length, 5000, 'all delivered');
  const r = await rec(page);
  assert.deepEqual(r.got.map((g) => g.split('|')[0]), codes, 'dispatched as plain strings, in order');
  assert.deepEqual(await page.evaluate(() => window.exact), ['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
  assert.equal(await page.evaluate(() => ({}).polluted === undefined && Object.getPrototypeOf({}) === Object.prototype && typeof ({}).toString === 'function'), true);
  // A message past the 1 MiB partial limit is dropped with a typed error; the stream goes on.
  await env.control('push-raw', { text: 'X'.repeat((1 << 20) + 10) });
  await env.control('push', { messages: ['AFTER'] });
  await until(async () => (await rec(page)).got.some((g) => g.startsWith('AFTER|')), 5000, 'stream recovered');
  assert.ok((await rec(page)).errors.some((e) => e.code === 'frame-too-long'));
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('security: no eval, new Function or innerHTML in the package', () => {
  for (const f of readdirSync(join(root, 'pkg')).filter((n) => n.endsWith('.js'))) {
    const src = readFileSync(join(root, 'pkg', f), 'utf8');
    for (const bad of [/\beval\s*\(/, /new\s+Function\s*\(/, /\.innerHTML\b/, /\bFunction\s*\(\s*['"`]/]) {
      assert.doesNotMatch(src, bad, `${f} contains ${bad}`);
    }
  }
});

test('security: runs under script-src \'self\' \'wasm-unsafe-eval\' (both builds)', async () => {
  await env.control('reset', {});
  const page = await env.page('/test/csp.html');
  await until(() => page.evaluate(() => window.ready === true && window.push.state === 'open'), 10000, 'open under CSP');
  await env.control('push', { messages: ['POST:/kimchi/vms'] });
  await until(() => page.evaluate(() => window.got.length >= 2), 5000, 'both served');
  assert.deepEqual((await page.evaluate(() => window.got)).sort(), ['classic|POST:/kimchi/vms', 'module|POST:/kimchi/vms']);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('security: credentials stay in cookies, never in a URL or an error', async () => {
  await env.closePages();
  await env.control('reset', {});
  const context = await env.browser.newContext();
  await context.addCookies([{ name: 'wok', value: 's3cr3t-session', url: env.backend.url }]);
  const page = await context.newPage();
  await page.goto(`${env.backend.url}/test/lab.html?opts=${encodeURIComponent(JSON.stringify({ pollIntervalMs: 200, fallbackAfter: 1 }))}`);
  await until(() => page.evaluate(() => window.ready && window.push.state === 'open'), 10000, 'open');
  await env.control('upgrades', { accept: false });
  await env.control('drop');
  await until(() => page.evaluate(() => window.push.state === 'polling'), 15000, 'polling');
  await env.control('mode', { feed: '500' });
  await sleep(600);
  const log = await env.control('log');
  const gets = log.filter((l) => l.path === '/notifications');
  assert.ok(gets.length >= 2);
  assert.ok(gets.every((l) => l.cookie), 'the session cookie goes with GET /notifications (same-origin)');
  assert.ok(log.every((l) => !l.path.includes('s3cr3t')), 'never in a URL');
  for (const u of log.filter((l) => l.method === 'UPGRADE')) assert.equal(u.path, '/websockify?token=d29rbm90aWZpY2F0aW9ucw');
  const errors = await page.evaluate(() => JSON.stringify(window.rec.errors));
  assert.ok(!errors.includes('s3cr3t') && !errors.includes('/notifications?'), 'never in an error');
  await context.close();
});
