// Coalescing subscriptions (`coalesceMs`) end to end, in Chromium (Playwright) and Firefox ESR
// (puppeteer-core over WebDriver BiDi), against the backend's real websocket: a burst gives
// one call at once and one trailing call with the latest message and its count, in one frame
// and one message per frame; no trailing call after unsubscribe, closeTab, the tab cleanup on
// hashchange or close; a throwing trailing handler is reported and hurts nobody; the WoK
// drop-in applies it to every listener; bad values are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBackend } from '../../server/backend.mjs';
import { BROWSERS, controlOf, until } from './helpers.mjs';

let backend;
before(async () => { backend = await startBackend({ port: 0 }); });
after(async () => { await backend.close(); });

const control = (what, body) => controlOf(backend)(what, body);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


/** A lab page, open, with `window.calls` and the page's errors collected (the previous one is closed). */
let last = null;
async function lab(browser) {
  if (last) await last.close().catch(() => {});
  await control('reset', {});
  const page = last = await browser.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(`${backend.url}/test/lab.html?opts=${encodeURIComponent(JSON.stringify({ shareAcrossTabs: false }))}`);
  await until(() => page.evaluate(() => window.ready === true && window.push.state === 'open'), 10000, 'open');
  await page.evaluate(() => { window.calls = []; window.rec.errors.length = 0; });
  return page;
}
const calls = (page) => page.evaluate(() => window.calls.slice());

for (const name of Object.keys(BROWSERS)) {
  let browser;
  test(`${name}: start the browser`, async () => { browser = await BROWSERS[name](); });

  for (const frames of ['one', 'each']) {
    const label = frames === 'one' ? 'five messages in one frame' : 'five messages, one per frame';
    const push = (messages) => control('push', { messages, frames });

    test(`${name}, ${label}: one call at once, one trailing call with the latest and coalesced: 4`, async () => {
      const page = await lab(browser);
      await page.evaluate(() => {
        window.push.subscribe('VM*', (m) => window.calls.push(`c:${m.code}:${m.coalesced}:${m.source}`), { coalesceMs: 400 });
        window.push.subscribe('VM*', (m) => window.calls.push(`x:${m.code}:${m.coalesced}`));
      });
      await push(['VM1', 'VM2', 'VM3', 'VM4', 'VM5']);
      await until(async () => (await calls(page)).length >= 6, 5000, 'leading and exact calls');
      const early = await calls(page);
      assert.deepEqual(early, ['c:VM1:1:push', 'x:VM1:1', 'x:VM2:1', 'x:VM3:1', 'x:VM4:1', 'x:VM5:1']);
      await until(async () => (await calls(page)).length >= 7, 5000, 'the trailing call');
      await sleep(600);
      assert.deepEqual((await calls(page)).slice(6), ['c:VM5:4:push'], 'one trailing call, nothing after');
      assert.deepEqual(page.errors, []);
    });

    for (const what of ['unsubscribe', 'closeTab', 'close']) {
      test(`${name}, ${label}: ${what}() from the leading call's handler: no trailing call`, async () => {
        const page = await lab(browser);
        await page.evaluate((what) => {
          const act = { unsubscribe: () => window.sub.unsubscribe(), closeTab: () => window.push.closeTab('guests'),
            close: () => window.push.close() }[what];
          window.sub = window.push.subscribe('VM*', (m) => { window.calls.push(`c:${m.code}:${m.coalesced}`); act(); },
            { coalesceMs: 300, tab: 'guests' });
        }, what);
        await push(['VM1', 'VM2', 'VM3']);
        await until(async () => (await calls(page)).length >= 1, 5000, 'the leading call');
        await sleep(800);
        assert.deepEqual(await calls(page), ['c:VM1:1']);
        assert.deepEqual(page.errors, []);
      });
    }

    test(`${name}, ${label}: a hashchange inside the window drops the tab's subscription and its trailing call`, async () => {
      const page = await lab(browser);
      await page.evaluate(() => {
        window.push.subscribe('VM*', (m) => window.calls.push(`c:${m.code}:${m.coalesced}`), { coalesceMs: 500, tab: 'guests' });
        window.push.subscribe('VM*', (m) => window.calls.push(`p:${m.code}:${m.coalesced}`), { coalesceMs: 500, tab: 'guests', persist: true });
      });
      await sleep(20); // the subscriptions are older than the hashchange
      await push(['VM1', 'VM2', 'VM3']);
      await until(async () => (await calls(page)).length >= 2, 5000, 'the leading calls');
      await page.evaluate(() => { location.hash = '#other-tab'; });
      await until(async () => (await calls(page)).length >= 3, 5000, 'the persistent trailing call');
      await sleep(700);
      assert.deepEqual(await calls(page), ['c:VM1:1', 'p:VM1:1', 'p:VM3:2']);
    });

    test(`${name}, ${label}: a trailing handler that throws is reported; the others still run`, async () => {
      const page = await lab(browser);
      await page.evaluate(() => {
        window.push.subscribe('VM*', (m) => { window.calls.push(`a:${m.code}:${m.coalesced}`); if (m.coalesced > 1) throw new Error('boom'); },
          { coalesceMs: 300, tab: 'guests' });
        window.push.subscribe('VM*', (m) => window.calls.push(`b:${m.code}:${m.coalesced}`), { coalesceMs: 300 });
      });
      await push(['VM1', 'VM2', 'VM3']);
      await until(async () => (await calls(page)).length >= 4, 5000, 'four calls');
      await sleep(500);
      assert.deepEqual(await calls(page), ['a:VM1:1', 'b:VM1:1', 'a:VM3:2', 'b:VM3:2']);
      const errors = await page.evaluate(() => window.rec.errors);
      assert.deepEqual(errors, [{ code: 'handler-threw', messageCode: 'VM3', tab: 'guests', cause: 'Error: boom' }]);
    });
  }

  test(`${name}: installWokCompat(wok, { coalesceMs }) coalesces every stock listener; bad values are refused`, async () => {
    const page = await lab(browser);
    const refused = await page.evaluate(async () => {
      const { installWokCompat } = await import('/pkg/wok_push.js');
      const codes = [];
      for (const bad of [-1, '250', Number.NaN, Infinity, 3e9, true]) {
        try { window.push.subscribe('X', () => {}, { coalesceMs: bad }); codes.push('none'); } catch (e) { codes.push(`${e.code}:${e.message.endsWith('coalesceMs')}`); }
        try { installWokCompat({}, { coalesceMs: bad }); codes.push('none'); } catch (e) { codes.push(`${e.code}:${e.message.endsWith('coalesceMs')}`); }
      }
      window.wok = {};
      installWokCompat(window.wok, { coalesceMs: 1500 });
      window.wok.addNotificationListener('POST:/wok/logs', (code) => window.calls.push(`log:${code}`));
      window.wok.addNotificationListener('METHOD:/kimchi/vms', (code) => window.calls.push(`vms:${code}`), true);
      return { codes, contract: window.push.contract, subs: window.push.stats().subscriptions };
    });
    assert.deepEqual(refused.codes, Array(12).fill('invalid-option:true'));
    assert.equal(refused.contract, 2);
    assert.equal(refused.subs, 3, 'the lab page\'s own and the two listeners; nothing from the refused calls');
    // WoK's REST pattern, five times: the resource code, then POST:/wok/logs.
    for (let i = 0; i < 5; i++) await control('rest', { code: 'METHOD:/kimchi/vms' });
    await until(async () => (await calls(page)).length >= 4, 5000, 'leading and trailing calls');
    await sleep(1700);
    const got = await calls(page);
    assert.deepEqual(got.slice(0, 2), ['vms:METHOD:/kimchi/vms', 'log:POST:/wok/logs'], 'the first of each at once');
    // Windows that end in the same millisecond go in subscription order (log's was first).
    assert.deepEqual(got.slice(2).sort(), ['log:POST:/wok/logs', 'vms:METHOD:/kimchi/vms'], 'then one trailing call each');
    assert.deepEqual(page.errors, []);
  });

  test(`${name}: close the browser`, async () => { last = null; await browser.close(); });
}
