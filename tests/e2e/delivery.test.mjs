// Delivery per message, never per frame, in a real browser: every rule with several
// messages in ONE websocket frame and with one message per frame, with handlers that
// re-enter the API; JSON frames without a marker; removal functions that are idempotent;
// two releases of wok-push on one page sharing one socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { otherRelease, setup, until } from './helpers.mjs';

let env;
// The other release is built before the backend starts (the build blocks this process).
before(async () => { otherRelease(); env = await setup(); });
after(async () => { await env.close(); });

async function lab() {
  await env.control('reset', {});
  const page = await env.page('/test/lab.html?opts=' + encodeURIComponent(JSON.stringify({ reconnectMinMs: 50 })));
  await until(() => page.evaluate(() => window.ready === true && window.push.state === 'open'), 10000, 'open');
  await page.evaluate(() => { window.calls = []; });
  return page;
}
const calls = (page) => page.evaluate(() => window.calls.slice());
const settle = () => new Promise((r) => setTimeout(r, 300));

for (const frames of ['one', 'each']) {
  const label = frames === 'one' ? 'three messages in one frame' : 'one message per frame';
  const push = (messages) => env.control('push', { messages, frames });

  test(`${label}: a handler added during message 1 gets messages 2 and 3`, async () => {
    const page = await lab();
    await page.evaluate(() => {
      let added = false;
      window.push.subscribe('X*', (m) => {
        window.calls.push(`a:${m.code}`);
        if (!added) { added = true; window.push.subscribe('X*', (n) => window.calls.push(`new:${n.code}`)); }
      });
    });
    await push(['X1', 'X2', 'X3']);
    await until(async () => (await calls(page)).length >= 5, 5000, 'calls');
    await settle();
    assert.deepEqual(await calls(page), ['a:X1', 'a:X2', 'new:X2', 'a:X3', 'new:X3']);
  });

  test(`${label}: close() in the first handler: nothing more, not even inside close()`, async () => {
    const page = await lab();
    await page.evaluate(() => {
      window.push.subscribe('Y*', (m) => {
        window.calls.push(`h1:${m.code}:before`);
        window.push.close();
        window.calls.push(`h1:${m.code}:after`);
      });
      window.push.subscribe('Y*', (m) => window.calls.push(`h2:${m.code}`));
    });
    await push(['Y1', 'Y2', 'Y3']);
    await until(() => page.evaluate(() => window.push.state === 'closed'), 5000, 'closed');
    await settle();
    assert.deepEqual(await calls(page), ['h1:Y1:before', 'h1:Y1:after']);
    assert.equal((await page.evaluate(() => window.push.stats().resources.socket)), 0);
  });

  test(`${label}: closeTab and unsubscribe from a handler take effect before the next call`, async () => {
    const page = await lab();
    await page.evaluate(() => {
      const p = window.push;
      let h3 = null;
      p.subscribe('Z*', (m) => { window.calls.push(`h1:${m.code}`); p.closeTab('t'); h3.unsubscribe(); h3.unsubscribe(); });
      p.subscribe('Z*', (m) => window.calls.push(`h2:${m.code}`), { tab: 't' });
      h3 = p.subscribe('Z*', (m) => window.calls.push(`h3:${m.code}`));
    });
    await push(['Z1', 'Z2']);
    await until(async () => (await calls(page)).length >= 2, 5000, 'calls');
    await settle();
    assert.deepEqual(await calls(page), ['h1:Z1', 'h1:Z2']);
  });

  // The shell sends a code or an id list only when it differs from the previous dispatch's
  // (src/driver.rs `call`): a repeated code must still reach every handler, with the
  // handler set of its own turn.
  test(`${label}: one code three times, handlers changing the set: each message its own set`, async () => {
    const page = await lab();
    await page.evaluate(() => {
      const p = window.push;
      let n = 0;
      const h1 = p.subscribe('R', (m) => {
        n += 1;
        window.calls.push(`h1:${m.code}:${n}`);
        if (n === 1) p.subscribe('R', (k) => window.calls.push(`h2:${k.code}`));
        if (n === 2) h1.unsubscribe();
      });
      p.subscribe('R*', (m) => { window.calls.push(`h3:${m.code}`); throw new Error('boom'); });
    });
    const before = (await page.evaluate(() => window.rec.errors.length));
    await push(['R', 'R', 'R']);
    await until(async () => (await calls(page)).length >= 7, 5000, 'calls');
    await settle();
    assert.deepEqual(await calls(page), ['h1:R:1', 'h3:R', 'h1:R:2', 'h3:R', 'h2:R', 'h3:R', 'h2:R']);
    const errs = (await page.evaluate(() => window.rec.errors)).slice(before);
    assert.deepEqual(errs.map((e) => `${e.code}:${e.messageCode}`), ['handler-threw:R', 'handler-threw:R', 'handler-threw:R']);
  });

  // The handler table holds the registry's last four remembered codes decoded, each with its
  // id list, by stamp (src/driver.rs `deliver`): codes in turn, more of them than slots
  // (evicting), and a handler that changes one code's set while the other code's stays, must
  // each get their own code and set.
  test(`${label}: six codes in turn, one set changing: each message its code and its set`, async () => {
    const page = await lab();
    await page.evaluate(() => {
      const p = window.push;
      let added = false;
      p.subscribe('S*', (m) => window.calls.push(`g:${m.code}`));
      p.subscribe('SA', (m) => window.calls.push(`a1:${m.code}`));
      p.subscribe('SB', (m) => {
        window.calls.push(`b:${m.code}`);
        if (!added) { added = true; p.subscribe('SA', (k) => window.calls.push(`a2:${k.code}`)); }
      });
    });
    await push(['SA', 'SB', 'SA', 'SB', 'SC', 'SD', 'SE', 'SF', 'SA', 'SB']);
    const want = ['g:SA', 'a1:SA', 'g:SB', 'b:SB', 'g:SA', 'a1:SA', 'a2:SA', 'g:SB', 'b:SB',
      'g:SC', 'g:SD', 'g:SE', 'g:SF', 'g:SA', 'a1:SA', 'a2:SA', 'g:SB', 'b:SB'];
    await until(async () => (await calls(page)).length >= want.length, 5000, 'calls');
    await settle();
    assert.deepEqual(await calls(page), want);
  });

  test(`${label}: a throwing handler is reported per message, the others get every message`, async () => {
    const page = await lab();
    await page.evaluate(() => {
      window.push.subscribe('T*', () => { throw new Error('boom'); });
      window.push.subscribe('T*', (m) => window.calls.push(m.code));
    });
    const before = (await page.evaluate(() => window.rec.errors.length));
    await push(['T1', 'T2', 'T3']);
    await until(async () => (await calls(page)).length >= 3, 5000, 'calls');
    await settle();
    assert.deepEqual(await calls(page), ['T1', 'T2', 'T3']);
    const errs = (await page.evaluate(() => window.rec.errors)).slice(before);
    assert.deepEqual(errs.map((e) => `${e.code}:${e.messageCode}`), ['handler-threw:T1', 'handler-threw:T2', 'handler-threw:T3']);
  });
}

test('off() and unsubscribe() are idempotent and stop delivery', async () => {
  const page = await lab();
  const r = await page.evaluate(() => {
    const p = window.push;
    const seen = [];
    const off = p.on('state', (e) => seen.push(e.state));
    const sub = p.subscribe('Q', () => seen.push('q'));
    const first = [off(), off(), off()].map((x) => x === undefined);
    const u = [sub.unsubscribe(), sub.unsubscribe()];
    p.close();
    p.open();
    return { first, u, seen, active: sub.active, handlers: p.stats().resources.handlers };
  });
  assert.deepEqual(r.first, [true, true, true]);
  assert.deepEqual(r.u, [true, false]);
  assert.deepEqual(r.seen, [], 'a removed listener hears nothing');
  assert.equal(r.active, false);
  assert.deepEqual(page.pageErrors, []);
});

test('a JSON push server (one notification object or array per frame, no //EOM//)', async () => {
  const page = await lab();
  // The GET /notifications made at the open answered first: each answer replaces the
  // seen-set with the store's listing (crates/core/src/dedupe.rs), so one landing between
  // the two pushes below would rightly let the second through (CI, once; every time with
  // the feed answering 50 ms late).
  await until(() => page.evaluate(() => { const s = window.push.stats(); return s.fetches >= 1 && s.resources.fetch === 0; }),
    5000, 'the first GET /notifications answered');
  await page.evaluate(() => window.push.subscribe('KCH*', (m) => window.calls.push(`${m.code}|${m.message}|${m.timestamp}`)));
  await env.control('push-raw', { text: JSON.stringify({ code: 'KCHVM0001E', message: 'KCHVM0001E: gone', timestamp: '2026-11-30T12:00:00.000001' }) });
  await env.control('push-raw', { text: JSON.stringify([{ code: 'KCHVM0002E', message: 'KCHVM0002E: a' }, { code: 'KCHVM0003E', message: 'KCHVM0003E: b' }]) });
  await until(async () => (await calls(page)).length >= 3, 5000, 'json messages');
  assert.deepEqual(await calls(page), [
    'KCHVM0001E|KCHVM0001E: gone|2026-11-30T12:00:00.000001',
    'KCHVM0002E|KCHVM0002E: a|undefined',
    'KCHVM0003E|KCHVM0003E: b|undefined',
  ]);
  // The same JSON pushed again (same code and timestamp) is a duplicate.
  await env.control('push-raw', { text: JSON.stringify({ code: 'KCHVM0001E', message: 'KCHVM0001E: gone', timestamp: '2026-11-30T12:00:00.000001' }) });
  await settle();
  assert.deepEqual((await calls(page)).slice(3), []);
});

for (const first of ['ui', 'plugin']) {
  test(`two releases on one page (${first} first): one socket, one manager, everyone served`, async () => {
    await env.control('reset', {});
    const page = await env.page(`/test/copies.html?first=${first}`);
    await until(() => page.evaluate(() => window.ready === true), 20000, 'ready');
    await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open');
    const r = await page.evaluate(() => ({ same: window.same, slot: window.slot, version: window.push.version, contract: window.push.contract }));
    assert.equal(r.same, true, 'both copies got the same manager');
    const release = JSON.parse(readFileSync(join(import.meta.dirname, '../../pkg/package.json'), 'utf8')).version;
    const want = first === 'ui' ? release : '0.1.99-other';
    assert.deepEqual(r.slot, { contract: 2, version: want });
    assert.equal(r.version, want, 'the manager is the first release loaded');
    assert.equal(r.contract, 2, 'contract 2: coalesceMs');
    await env.control('push', { messages: ['POST:/kimchi/vms', 'POST:/kimchi/templates'] });
    await until(() => page.evaluate(() => window.got.length >= 3), 5000, 'deliveries');
    await settle();
    assert.deepEqual((await page.evaluate(() => window.got)).sort(),
      ['plugin|POST:/kimchi/vms', 'ui|POST:/kimchi/templates', 'ui|POST:/kimchi/vms']);
    assert.equal((await env.control('sockets')).open, 1, 'exactly one socket');
    assert.deepEqual(page.pageErrors, []);
  });
}
