// wok-push in the real WoK (tests/wok-real/README.md): WoK 5761c37 built with the patch series
// of scripts/wok-series.mjs, real wokd + nginx + websockify 0.10 + PAM login, the real UI, in
// Chromium and Firefox. Each browser runs the whole story in order, on one wokd: login, a
// REST call's push, two tabs, tab cleanup, websockify restart, an outage, a wokd restart.
//
// What a page did is read from its own requests (harness.mjs records every fetch, XHR and
// WebSocket): 'GET /logs' is the Activity Log's stock listener re-reading the log (WoK's
// wok.user-log.js registers it for POST:/wok/logs), 'GET /notifications' any read of the
// notifications, by wok-push or by WoK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROWSERS, ORIGIN, anonymous, api, count, inPage, login, net, raise, restartWebsockify, restartWok, session,
  shell, startNginx, startWok, stopAll, stopNginx, until, upstreams } from './harness.mjs';

// A session of the test's own (node, not the browser) raises the notifications; made once per
// wokd, since each login is itself pushed (POST:/wok/login, POST:/wok/logs) and would count.
let cookie;
before(async () => {
  console.log(`# wokd started in ${await startWok()} ms`);
  cookie = await session();
});
after(stopAll);

const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));
const text = (page) => inPage(page, () => document.body.innerText);
const alerts = (page) => inPage(page, () => [...document.querySelectorAll('#alert-container .alert')].map((e) => e.textContent.trim()));
const sockets = (log) => log.filter((r) => r[0] === 'ws').length;
const logsReads = (log) => count(log, 'xhr', 'GET', '/logs');
const noticeReads = (log) => count(log, 'fetch', 'GET', '/notifications') + count(log, 'xhr', 'GET', '/notifications');
// The page's state changes, resyncs and messages, recorded from now on (listeners added once).
const watch = (page) => inPage(page, () => {
  window.__states = [];
  if (window.__watched) return;
  window.__watched = true;
  const push = WokPush.connect();
  push.on('state', (e) => window.__states.push(`${e.state}:${e.reason}`));
  push.on('resync', (e) => window.__states.push(`resync:${e.reason}`));
  push.subscribe('*', (m) => window.__states.push(`${m.source}:${m.code}`));
});
const states = (page) => inPage(page, () => window.__states);
const STALE = 'Can not contact the host system';
// A new code for each notification of the run: WoK keeps a raised code's first timestamp, and
// wok-push (like the stock UI) shows a notification once.
let code = 0;
const nextCode = () => `WPTEST${String(++code).padStart(4, '0')}I`;
const noticeText = (c) => `wok-push test notice ${Number(c.slice(6, 10))}`;
const tab = async (page, hash, ready) => {
  await inPage(page, (h) => { location.hash = h; }, hash);
  await until(() => inPage(page, ready), 15000, `tab ${hash}`);
  await settle(500);
};
// WoK's own race on loading the Activity Log tab (Firefox, now and then): the tab's markup
// calls wok.initUserLog before the scripts it loads have defined it or wok.createBootgrid.
// Seen with stock WoK code (the options step's reload) and once in the logout step's second
// tab in CI; these two errors only are passed over, every other page error fails a step.
const WOK_TAB_RACE = /wok\.(initUserLog|createBootgrid) is not a function/;
const notWokTabRace = (e) => !WOK_TAB_RACE.test(e);
const onActivityLog = () => !!document.getElementById('user-log-grid');
const onSettings = () => /tabs\/settings/.test(location.hash) && !document.getElementById('user-log-grid');

for (const name of Object.keys(BROWSERS)) {
  test(`${name}: wok-push in the real WoK UI`, async (t) => {
    const browser = await BROWSERS[name]();
    let page = await browser.newPage();
    try {
      await t.test('the login page loads with no page error and opens no socket; login works', async () => {
        await page.goto(`${ORIGIN}/login.html`);
        await until(() => inPage(page, () => typeof wok === 'object' && typeof wok.login_main === 'function'), 20000, 'login page');
        const onLogin = await inPage(page, () => ({ push: typeof WokPush, listen: typeof wok.addNotificationListener,
          session: typeof wok.session, user: typeof wok.user, sockets: window.__net.filter((r) => r[0] === 'ws').length }));
        assert.deepEqual(onLogin, { push: 'object', listen: 'function', session: 'object', user: 'object', sockets: 0 },
          'wok.min.js ran to its end on the login page, which opens no push socket');
        await login(page);
        await until(() => inPage(page, onActivityLog), 15000, 'the Activity Log');
        assert.deepEqual(page.errors, []);
        await page.screenshot({ path: `target/wok-real/${name}-shell.png` });
      });

      await t.test('one push websocket per page, through nginx, and one GET /notifications at start', async () => {
        const log = await net(page);
        assert.equal(sockets(log), 1);
        assert.match(log.find((r) => r[0] === 'ws')[1], /^wss:\/\/127\.0\.0\.1:8001\/websockify\?token=d29rbm90aWZpY2F0aW9ucw$/);
        assert.equal(noticeReads(log), 1, 'the shell read /notifications once (wok-push), not twice');
        assert.deepEqual(await inPage(page, () => [WokPush.connect().state, WokPush.connect().transport]), ['open', 'websocket']);
        // Served by WoK as installed: cherrypy's /libs (Python's own MIME map knows .wasm).
        const wasm = await api('GET', '/libs/wok-push/wok_push_bg.wasm');
        assert.equal(wasm.status, 200);
        assert.equal(wasm.headers['content-type'], 'application/wasm');
      });

      await t.test('a REST call\'s push reaches the stock listener and shows the notification, with one GET per event', async () => {
        const before = await net(page);
        const c = nextCode();
        await raise(c, cookie);
        await until(async () => (await alerts(page)).some((a) => a.includes(noticeText(c))), 10000, 'the alert');
        await until(async () => logsReads(await net(page)) > logsReads(before), 10000, 'the Activity Log re-read');
        await settle();
        const after = await net(page);
        assert.equal(logsReads(after) - logsReads(before), 1, 'POST:/wok/logs pushed once, the stock listener called once');
        assert.equal(noticeReads(after) - noticeReads(before), 1, 'one GET /notifications for the notification event');
        assert.ok(await inPage(page, () => document.getElementById('user-log-grid').innerText.includes('wokpushtest')));
        assert.deepEqual(page.errors, []);
      });

      await t.test('two tabs share one connection, and both are served', async () => {
        const second = await browser.newPage();
        try {
          await second.goto(`${ORIGIN}/`);
          await shell(second);
          await settle(500);
          assert.equal(sockets(await net(second)), 0, 'the second tab opened no websocket: it uses the first\'s');
          assert.equal(await inPage(second, () => WokPush.connect().stats().role), 'follower');
            const [a0, b0] = [await net(page), await net(second)];
          const c = nextCode();
          await raise(c, cookie);
          for (const p of [page, second]) await until(async () => (await alerts(p)).some((a) => a.includes(noticeText(c))), 10000, 'alerts in both tabs');
          await settle();
          const [a1, b1] = [await net(page), await net(second)];
          assert.equal(logsReads(a1) - logsReads(a0), 1, 'first tab: listener called once');
          assert.equal(logsReads(b1) - logsReads(b0), 1, 'second tab: listener called once');
          assert.equal(noticeReads(a1) - noticeReads(a0) + noticeReads(b1) - noticeReads(b0), 1, 'one GET /notifications for both tabs');
          assert.equal(sockets(a1) + sockets(b1), 1, 'still one websocket in all');
          assert.deepEqual(second.errors, []);
        } finally {
          await second.close();
        }
      });

      await t.test('tab cleanup: the Activity Log\'s listener is gone once the user is on Settings', async () => {
        await tab(page, '#tabs/settings', onSettings);
        const before = await net(page);
        const c = nextCode();
        await raise(c, cookie);
        await until(async () => (await alerts(page)).some((a) => a.includes(noticeText(c))), 10000, 'the alert');
        await settle();
        const after = await net(page);
        assert.equal(logsReads(after) - logsReads(before), 0, 'no GET /logs: the listener went with its tab');
        assert.equal(noticeReads(after) - noticeReads(before), 1);
        assert.deepEqual(page.errors, []);
      });

      await t.test('websockify restart: the page reconnects by itself and is served again', async () => {
        await watch(page);
        await restartWebsockify();
        await until(async () => (await states(page)).some((s) => s.startsWith('open:')), 30000, 'reopened');
        const before = await net(page);
        const c = nextCode();
        await raise(c, cookie);
        await until(async () => (await alerts(page)).some((a) => a.includes(noticeText(c))), 10000, 'the alert after the restart');
        assert.ok((await states(page)).some((s) => !s.startsWith('open')), `the close was seen: ${await states(page)}`);
        assert.equal(sockets(await net(page)) - sockets(before), 0);
        assert.deepEqual(page.errors, []);
      });

      await t.test('an outage long enough to fall back: no listener call while nothing answers, one after, no stale alert', async () => {
        await tab(page, '#tabs/user-log', onActivityLog);
        await settle();
        await watch(page);
        const before = await net(page);
        await stopNginx();
        await until(async () => (await states(page)).some((s) => s.startsWith('polling')), 60000, 'the polling fallback');
        await settle(4000); // a few polls fail
        const during = await net(page);
        await startNginx();
        await until(() => inPage(page, () => WokPush.connect().state === 'open'), 60000, 'back on the websocket');
        await until(async () => logsReads(await net(page)) > logsReads(during), 10000, 'the resync re-read');
        await settle(2000);
        const after = await net(page);
        console.log(`# ${name} outage: states ${await states(page)}`);
        const resyncs = (await states(page)).filter((s) => s.startsWith('resync:')).length;
        assert.equal(logsReads(during) - logsReads(before), 0, 'no refresh while the server was unreachable');
        // One resync when the websocket is back; two if a poll answered first (the first one
        // then, the second for the pushes that polling cannot see).
        assert.ok(resyncs === 1 || resyncs === 2, `resyncs: ${resyncs}`);
        assert.equal(logsReads(after) - logsReads(during), resyncs, 'the listener was called once per resync, all after the outage');
        assert.ok(!(await text(page)).includes(STALE), `no "${STALE}" alert on screen`);
        assert.deepEqual(page.errors, []);
      });

      await t.test('a client with no session is refused and hears nothing while a logged-in page is served', async () => {
        const before = await net(page);
        const c = nextCode();
        const listening = anonymous(4000);
        await settle(500);
        await raise(c, cookie);
        await until(async () => (await alerts(page)).some((a) => a.includes(noticeText(c))), 10000, 'the page is served');
        const { status, heard } = await listening;
        assert.equal(status, 401, 'the handshake is refused (no 101)');
        assert.deepEqual(heard, []);
        assert.ok(logsReads(await net(page)) > logsReads(before), 'the page heard POST:/wok/logs');
      });

      await t.test('logout in another tab: the page closes its push socket within 1 s, nothing until the next login, then pushes flow', async () => {
        // Chromium's renderer crashed once in a while during this step in CI (the two pages
        // leave for the login page at once; 2 of 6 clean-clone runs): the step is run once
        // more on a new page then, and the crash is printed. Any other failure fails it.
        for (let attempt = 1; ; attempt++) {
          try {
            await logoutStory();
            return;
          } catch (e) {
            if (attempt > 1 || !/Page crashed|Target crashed/.test(String(e))) throw e;
            console.log(`# ${name}: the renderer crashed in the logout step (${e.message}): once more, on a new page`);
            await page.close().catch(() => {});
            // Straight to the login page, as the first step does (loading the shell while
            // logged out makes WoK's own scripts throw 'i18n is not defined' on the way).
            page = await browser.newPage();
            await login(page);
            await shell(page);
          }
        }
        async function logoutStory() {
          await watch(page);
          const second = await browser.newPage();
          try {
            await second.goto(`${ORIGIN}/`);
            await shell(second);
            assert.equal(await inPage(second, () => WokPush.connect().stats().role), 'follower');
            assert.equal(upstreams(), 1, 'one push socket for the origin');
            // The Activity Log drawn (or failed by WoK's own race) before the logout, so the
            // logout does not land in the middle of the tab's script loading.
            await until(async () => await inPage(second, onActivityLog) || second.errors.some((e) => WOK_TAB_RACE.test(e)),
              15000, 'the Activity Log in the second tab');
            // The shell binds the logout button once it has the user's details (after the push
            // connection may already be open): a click before that does nothing.
            await until(() => inPage(second, () => {
              const b = document.getElementById('btn-logout');
              const events = b && window.jQuery && jQuery._data(b, 'events');
              return !!(events && events.click);
            }), 10000, 'the logout button bound');
            const t0 = Date.now();
            const clicked = await inPage(second, () => { document.getElementById('btn-logout').click(); return Date.now(); });
            const where = (p) => inPage(p, () => {
              const st = WokPush.connect().stats();
              return { href: location.href, role: st.role, state: st.state, fetches: st.fetches, fetchErrors: st.fetchErrors,
                fetching: st.resources.fetch, timer: st.resources.timer, visible: document.visibilityState,
                states: window.__states || null, closedAt: sessionStorage.getItem('__wsClosedAt'), at: Date.now() };
            }).catch((e) => String(e));
            await until(async () => upstreams() === 0, 20000, 'no push socket after the logout').catch(async (e) => {
              throw new Error(`${e.message}; clicked at ${clicked}; first tab ${JSON.stringify(await where(page))}; second ${JSON.stringify(await where(second))}`);
            });
            const gone = Date.now() - t0;
            for (const p of [page, second]) {
              await until(() => inPage(p, () => /login\.html/.test(location.pathname)), 10000, 'the login page');
            }
            // The leader page closes its socket within 1 s of the click: on the check's 401, or
            // as it leaves for the login page (WoK's own redirect on a listener's 401 may come
            // first). nginx's upstream goes when the close handshake ends, which Firefox,
            // navigating at the same moment, sometimes takes seconds over (seen: 5 s).
            const closed = Number(await inPage(page, () => sessionStorage.getItem('__wsClosedAt'))) - clicked;
            console.log(`# ${name}: push socket closed by the page ${closed} ms, gone at nginx ${gone} ms after the logout click`);
            assert.ok(closed >= 0 && closed < 1000, `the page closed its push socket ${closed} ms after the click`);
            // Nothing is attempted while logged out (the login page opens no socket, and the
            // shell that stayed open would be refused): no upstream, no socket in either page.
            await settle(3000);
            assert.equal(upstreams(), 0);
            for (const p of [page, second]) assert.equal(sockets(await net(p)), 0, 'no websocket on the login page');
            await login(page);
            const c = nextCode();
            await raise(c, cookie);
            await until(async () => (await alerts(page)).some((a) => a.includes(noticeText(c))), 10000, 'pushes flow after the login');
            assert.equal(upstreams(), 1);
            assert.deepEqual(page.errors.filter(notWokTabRace), []);
            assert.deepEqual(second.errors.filter(notWokTabRace), []);
          } finally {
            await second.close();
          }
        }
      });

      await t.test('wokd restart: back to the login page, log in again, the notification raised meanwhile is shown', async () => {
        await restartWok();
        cookie = await session(); // sessions live in wokd's memory: the old one is gone
        const c = nextCode();
        await raise(c, cookie);
        await until(() => inPage(page, () => /login\.html/.test(location.pathname)), 60000, 'the login page');
        await login(page);
        await until(async () => (await alerts(page)).some((a) => a.includes(noticeText(c))), 15000, 'the notification raised meanwhile');
        assert.deepEqual(page.errors, []);
      });

      await t.test('the installation\'s options (ui/js/wok-push-options.js, patch 0006): applied; a bad key is logged and the defaults used', async () => {
        const file = join(process.env.WOK_TREE, 'ui/js/wok-push-options.js');
        const original = readFileSync(file, 'utf8');
        // Served with WoK's cacheBust (the file's mtime) in its URL: each version its own time.
        let stamp = Date.now() / 1000;
        const options = (js) => { writeFileSync(file, js); stamp += 10; utimesSync(file, stamp, stamp); };
        const sends = () => inPage(page, () => window.__wsSends || 0);
        const before = page.errors.length;
        try {
          options('var wokPushOptions = { hearbeatMs: 1000 };\n');
          page.consoleErrors.length = 0;
          await page.reload();
          await shell(page);
          assert.deepEqual(page.consoleErrors.filter((e) => e.includes('wok-push-options.js')),
            ['wok-push-options.js: wok-push: invalid option: hearbeatMs (unknown; did you mean heartbeatMs?)']);
          let s0 = await sends();
          await settle(2500);
          assert.equal(await sends() - s0, 0, 'the default heartbeat (30 s): none in 2.5 s');
          options('var wokPushOptions = { heartbeatMs: 1000 };\n');
          await page.reload();
          await shell(page);
          s0 = await sends();
          await settle(2500);
          assert.ok(await sends() - s0 >= 2, 'a heartbeat a second');
          // This step's page errors, but WoK's own race on loading the Activity Log tab.
          const errors = page.errors.slice(before).filter(notWokTabRace);
          assert.deepEqual(errors, []);
        } finally {
          options(original);
        }
      });
    } finally {
      await browser.close();
    }
  });
}
