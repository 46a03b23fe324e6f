// wok-push in the real WoK (tests/wok-real/README.md): WoK 5761c37 built with the patch series
// of scripts/wok-series.mjs, real wokd + nginx + websockify 0.10 + PAM login, the real UI, in
// Chromium and Firefox. Each browser runs the whole story in order, on one wokd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, ORIGIN, count, inPage, login, net, raise, restartWebsockify, restartWok, session,
  shell, startNginx, startWok, stopAll, stopNginx, until } from './harness.mjs';

before(async () => { console.log(`# wokd started in ${await startWok()} ms`); });
after(stopAll);

const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));
const state = (page) => inPage(page, () => WokPush.connect().state);
const alerts = (page) => inPage(page, () => [...document.querySelectorAll('#alert-container .alert')].map((e) => e.textContent.trim()));
const sockets = (log) => log.filter((r) => r[0] === 'ws');

for (const name of Object.keys(BROWSERS)) {
  test(`${name}: the login page and the shell load with no page error, and login works`, async () => {
    const browser = await BROWSERS[name]();
    try {
      const page = await browser.newPage();
      await page.goto(`${ORIGIN}/login.html`);
      await until(() => inPage(page, () => typeof wok === 'object' && typeof wok.login_main === 'function'), 20000, 'login page');
      const onLogin = await inPage(page, () => ({ push: typeof WokPush, listen: typeof wok.addNotificationListener,
        session: typeof wok.session, user: typeof wok.user, sockets: (window.__net || []).filter((r) => r[0] === 'ws').length }));
      assert.deepEqual(onLogin, { push: 'object', listen: 'function', session: 'object', user: 'object', sockets: 0 },
        'wok.min.js ran to its end on the login page, which opens no push socket');
      await login(page);
      const log = await net(page);
      assert.equal(sockets(log).length, 1, 'one push websocket');
      assert.match(sockets(log)[0][1], /^wss:\/\/127\.0\.0\.1:8001\/websockify\?token=/, 'through nginx');
      assert.deepEqual(page.errors, []);
      await page.screenshot({ path: `target/wok-real/${name}-shell.png` });
    } finally {
      await browser.close();
    }
  });
}
