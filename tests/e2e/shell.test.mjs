// The browser shell end to end: framing modes, reconnect + resync + catch-up, fallback to
// polling and back, 401, handler isolation, the WoK drop-in, idle cost, and no leaks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, until } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

const FAST = { reconnectMinMs: 50, reconnectMaxMs: 200, pollIntervalMs: 200, usefulAfterMs: 300, fallbackAfter: 2 };

async function lab(opts = FAST) {
  await env.control('reset', {});
  const page = await env.page(`/test/lab.html?opts=${encodeURIComponent(JSON.stringify(opts))}`);
  await until(() => page.evaluate(() => window.ready === true), 10000, 'ready');
  await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open');
  return page;
}
const rec = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.rec)));
const feedGets = async () => (await env.control('log')).filter((l) => l.method === 'GET' && l.path === '/notifications');

for (const base64 of [false, true]) {
  test(`${base64 ? 'base64 (websockify 0.8)' : 'binary'} frames: several per frame, one cut across frames`, async () => {
    await env.control('reset', {});
    await env.control('mode', { base64 });
    const page = await env.page(`/test/lab.html?opts=${encodeURIComponent(JSON.stringify(FAST))}`);
    await until(() => page.evaluate(() => window.push && window.push.state === 'open'), 10000, 'open');
    await env.control('push', { messages: ['POST:/kimchi/vms', 'POST:/wok/logs', 'PUT:/kimchi/template'] });
    await env.control('push-split', { message: 'METHOD:/kimchi/vms', at: 9 });
    await env.control('push-split', { message: 'DELETE:/kimchi/template', at: 1 });
    const want = ['POST:/kimchi/vms|push', 'POST:/wok/logs|push', 'PUT:/kimchi/template|push', 'METHOD:/kimchi/vms|push', 'DELETE:/kimchi/template|push'];
    await until(async () => (await rec(page)).got.length >= 5, 5000, 'messages');
    assert.deepEqual((await rec(page)).got, want);
    assert.deepEqual((await rec(page)).errors, []);
    // The heartbeat is encoded for the protocol: websockify 0.8 would kill the session otherwise.
    await page.close();
  });
}

test('server drops all sockets: back to open, one resync, one catch-up GET', async () => {
  const page = await lab();
  await new Promise((r) => setTimeout(r, 500)); // become useful
  const before = (await feedGets()).length;
  await env.control('drop', {});
  await until(async () => (await rec(page)).states.filter((s) => s.startsWith('open')).length >= 2, 5000, 'reopen');
  await until(async () => (await feedGets()).length > before, 5000, 'catch-up GET');
  await new Promise((r) => setTimeout(r, 500));
  const r = await rec(page);
  assert.deepEqual(r.states.slice(-3), ['backoff:socket-closed', 'connecting:retry', 'open:opened']);
  assert.equal(r.resyncs, 1);
  assert.equal((await feedGets()).length - before, 1, 'exactly one catch-up GET');
  assert.equal((await env.control('sockets')).open, 1);
  await page.close();
});

test('upgrades refused: polling with WoK headers, a notification once, then back to the websocket', async () => {
  const page = await lab();
  await env.control('upgrades', { accept: false });
  await env.control('drop', {});
  await until(() => page.evaluate(() => window.push.state === 'polling'), 10000, 'polling');
  const polls = await feedGets();
  assert.ok(polls.length >= 1);
  for (const p of polls) {
    assert.equal(p.wokRobot, 'wok-robot');
    assert.match(p.accept, /application\/json/);
  }
  await env.control('notify', { code: 'KCHCONN0002E', message: 'Libvirt service is not active.' });
  await until(async () => (await rec(page)).got.some((g) => g.startsWith('KCHCONN0002E')), 5000, 'notification');
  await new Promise((r) => setTimeout(r, 800)); // several more polls
  assert.deepEqual((await rec(page)).got.filter((g) => g.startsWith('KCHCONN')), ['KCHCONN0002E|poll']);
  await env.control('upgrades', { accept: true });
  await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'back to open');
  const r = await rec(page);
  assert.ok(r.states.includes('open:probe-succeeded'), r.states.join());
  assert.deepEqual(r.got.filter((g) => g.startsWith('KCHCONN')), ['KCHCONN0002E|poll'], 'not doubled by the catch-up');
  await new Promise((r) => setTimeout(r, 1000)); // an in-flight poll and the catch-up finish
  const n = (await feedGets()).length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await feedGets()).length, n, 'polling stopped');
  await page.close();
});

test('401 while polling: one error, the session over, no hammering', async () => {
  const page = await lab();
  await env.control('mode', { upgrades: false });
  await env.control('drop', {});
  await until(() => page.evaluate(() => window.push.state === 'polling'), 10000, 'polling');
  await env.control('mode', { feed: '401' });
  await until(async () => (await rec(page)).errors.some((e) => e.code === 'session-expired'), 5000, 'error');
  await until(() => page.evaluate(() => window.push.state === 'closed'), 2000, 'closed');
  assert.equal((await rec(page)).states.at(-1), 'closed:session-expired');
  const n = (await feedGets()).length;
  const probes = (await env.control('log')).filter((l) => l.method === 'UPGRADE').length;
  await new Promise((r) => setTimeout(r, 1500)); // ~7 poll intervals, several probe delays
  assert.equal((await feedGets()).length, n, 'no GET after the 401');
  assert.equal((await env.control('log')).filter((l) => l.method === 'UPGRADE').length, probes, 'no probe either');
  assert.equal((await rec(page)).errors.filter((e) => e.code === 'session-expired').length, 1);
  await page.close();
});

test('a throwing handler is reported once and the others are still served', async () => {
  const page = await lab();
  await page.evaluate(() => {
    window.after = [];
    window.push.subscribe('POST:/kimchi/vms', () => { throw new Error('plugin bug'); }, { tab: 'guests' });
    window.push.subscribe('POST:/kimchi/vms', (m) => window.after.push(m.code), { tab: 'other' });
  });
  await env.control('push', { messages: ['POST:/kimchi/vms'] });
  await until(() => page.evaluate(() => window.after.length === 1), 5000, 'second handler');
  const r = await rec(page);
  assert.deepEqual(r.got, ['POST:/kimchi/vms|push'], 'the earlier subscriber was served');
  assert.equal(r.errors.length, 1);
  assert.deepEqual(r.errors[0], { code: 'handler-threw', messageCode: 'POST:/kimchi/vms', tab: 'guests', cause: 'Error: plugin bug' });
  assert.equal(await page.evaluate(() => window.push.state), 'open');
  await page.close();
});

test('re-entrant handlers: unsubscribe others, subscribe, close inside dispatch', async () => {
  const page = await lab();
  await page.evaluate(() => {
    const p = window.push;
    window.calls = [];
    let b = null;
    p.subscribe('X', () => { window.calls.push('a'); b.unsubscribe(); p.subscribe('X', () => window.calls.push('new')); });
    b = p.subscribe('X', () => window.calls.push('b'));
    p.subscribe('X', () => window.calls.push('c'));
  });
  await env.control('push', { messages: ['X'] });
  await until(() => page.evaluate(() => window.calls.length >= 2), 5000, 'first dispatch');
  assert.deepEqual(await page.evaluate(() => window.calls), ['a', 'c'], 'removed b skipped, new one waits');
  await env.control('push', { messages: ['X'] });
  await until(() => page.evaluate(() => window.calls.length >= 5), 5000, 'second dispatch');
  assert.deepEqual(await page.evaluate(() => window.calls), ['a', 'c', 'a', 'c', 'new']);
  await page.evaluate(() => {
    window.push.subscribe('Y', () => { window.calls.push('y1'); window.push.close(); });
    window.push.subscribe('Y', () => window.calls.push('y2'));
  });
  await env.control('push', { messages: ['Y'] });
  await until(() => page.evaluate(() => window.push.state === 'closed'), 5000, 'closed');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!(await page.evaluate(() => window.calls)).includes('y2'), 'no handler after close');
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('a kimchi-style page using only wok.addNotificationListener', async () => {
  await env.control('reset', {});
  const page = await env.page('/test/kimchi.html');
  await until(() => page.evaluate(() => window.ready === true), 10000, 'ready');
  await until(async () => (await env.control('sockets')).open === 1, 5000, 'socket');
  await env.control('push', { messages: ['METHOD:/kimchi/vms', 'POST:/kimchi/templates', 'POST:/wok/logs'] });
  await until(() => page.evaluate(() => kimchi.calls.length >= 2), 5000, 'kimchi calls');
  assert.deepEqual(await page.evaluate(() => kimchi.calls), ['vms:METHOD:/kimchi/vms', 'templates:POST:/kimchi/templates']);
  await env.control('notify', { code: 'KCHCONN0002E' });
  await until(() => page.evaluate(() => window.loops >= 1), 5000, 'notificationsLoop');
  // Tab switch: non-persistent listeners go, persistent ones stay.
  await page.evaluate(() => { location.hash = '#plugins/kimchi/templates'; });
  await new Promise((r) => setTimeout(r, 100));
  await env.control('push', { messages: ['METHOD:/kimchi/vms', 'POST:/wok/notifications'] });
  await until(() => page.evaluate(() => window.loops >= 2), 5000, 'persistent listener');
  assert.equal(await page.evaluate(() => kimchi.calls.length), 2, 'tab-scoped listener dropped on hashchange');
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('10 s idle on the socket: zero GET /notifications after the catch-up', async () => {
  const page = await lab({});
  await until(async () => (await feedGets()).length >= 1, 5000, 'the catch-up');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await feedGets()).length, 1, 'one catch-up');
  await new Promise((r) => setTimeout(r, 10000));
  assert.equal((await feedGets()).length, 1);
  assert.equal((await env.control('log')).filter((l) => l.method === 'UPGRADE').length, 1);
  await page.close();
});

test('200 forced reconnects: no growth in owned resources or JS heap', async () => {
  const page = await lab({ ...FAST, usefulAfterMs: 20 });
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const listeners = async () => {
    const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    return listeners.length;
  };
  const cycle = async (n) => {
    for (let i = 0; i < n; i++) {
      const opens = await page.evaluate(() => window.push.stats().opens);
      await env.control('drop', {});
      await until(() => page.evaluate((o) => window.push.stats().opens > o && window.push.state === 'open', opens), 5000, `reopen ${i}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await cycle(20); // warm up
  const h0 = await heap();
  const l0 = await listeners();
  const r0 = await page.evaluate(() => window.push.stats().resources);
  await cycle(200);
  await page.evaluate(() => window.rec.states.length = 0);
  const h1 = await heap();
  const l1 = await listeners();
  const r1 = await page.evaluate(() => window.push.stats().resources);
  console.log(`# heap ${h0} -> ${h1} bytes (${h1 - h0 >= 0 ? '+' : ''}${h1 - h0}), window listeners ${l0} -> ${l1}`);
  assert.deepEqual(r1, r0, 'same owned resources');
  assert.equal(l1, l0, 'no listener growth');
  assert.ok(h1 - h0 < 256 * 1024, `JS heap grew by ${h1 - h0} bytes`);
  assert.equal((await env.control('sockets')).open, 1);
  await page.close();
});
