// The package loads as an ES module and as a classic script, shares one socket, and
// receives pushes from the WoK-like backend.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, until } from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env.close(); });

async function openPage(path) {
  await env.control('reset', {});
  const page = await env.page(path);
  await until(() => page.evaluate(() => window.ready === true), 10000, 'page ready');
  await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'state open');
  return page;
}

test('ES module page receives a push', async () => {
  const page = await openPage('/test/esm.html');
  await env.control('push', { messages: ['POST:/kimchi/vms', 'POST:/wok/logs', 'PUT:/kimchi/template'] });
  const got = await until(async () => { const g = await page.evaluate(() => window.got); return g.length >= 1 && g; });
  assert.deepEqual(got, ['esm|POST:/kimchi/vms|push']);
  assert.deepEqual(await page.evaluate(() => window.states), ['open'], 'listener added after connect() sees the open');
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('bad arguments throw a typed error naming them, and change nothing', async () => {
  const page = await openPage('/test/esm.html');
  const r = await page.evaluate(async () => {
    const { connect, installWokCompat } = await import('/pkg/wok_push.js');
    const push = window.push;
    const before = push.stats().subscriptions;
    const attempt = (f) => { try { f(); return 'no throw'; } catch (e) { return `${e.code}: ${e.message}`; } };
    return {
      results: [
        attempt(() => connect({ heartbeatMs: -5 })), // the singleton exists: still validated
        attempt(() => connect({ heartbeatMs: '5' })), // a wrong type is not coerced
        attempt(() => connect({ shareAcrossTabs: 'yes' })),
        attempt(() => connect({ autoTabCleanup: 1 })), // a flag takes booleans only
        attempt(() => connect({ fallbackAfter: true })), // a number option takes numbers only
        attempt(() => connect({ reconnectMaxMs: -Infinity })),
        attempt(() => connect({ url: 5 })),
        attempt(() => connect({ format: 'xml' })),
        attempt(() => connect({ hearbeatMs: 5000 })), // a misspelt key is named, with the one meant
        attempt(() => connect({ retries: 5 })),
        attempt(() => connect(5)),
        attempt(() => push.subscribe('', () => {})),
        attempt(() => push.subscribe('X', 5)),
        attempt(() => push.on('bogus', () => {})),
        attempt(() => installWokCompat(null)),
      ],
      same: connect() === push,
      subscriptions: push.stats().subscriptions - before,
      state: push.state,
    };
  });
  const names = ['heartbeatMs', 'heartbeatMs', 'shareAcrossTabs', 'autoTabCleanup', 'fallbackAfter', 'reconnectMaxMs', 'url', 'format',
    'hearbeatMs (unknown; did you mean heartbeatMs?)', 'retries (unknown)', 'options', 'code', 'handler', 'event', 'wok'];
  assert.deepEqual(r.results, names.map((n) => `invalid-option: wok-push: invalid option: ${n}`));
  assert.equal(r.same, true);
  assert.equal(r.subscriptions, 0);
  assert.equal(r.state, 'open');
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('addNotificationListener: any persist but undefined and null (false too) survives a tab switch, as stock WoK\'s persist == undefined', async () => {
  const page = await openPage('/test/esm.html');
  await page.evaluate(() => {
    window.compat = [];
    const f = (code) => window.compat.push(code);
    window.push.addNotificationListener('COMPAT:null', f, null);
    window.push.addNotificationListener('COMPAT:false', f, false);
    window.push.addNotificationListener('COMPAT:none', f);
  });
  // Later than the subscriptions' millisecond: a hashchange drops what was made before it
  // (what a tab subscribes in its own hashchange handler survives).
  await new Promise((r) => setTimeout(r, 20));
  await page.evaluate(() => { location.hash = '#other-tab'; });
  await until(() => page.evaluate(() => location.hash === '#other-tab'));
  await new Promise((r) => setTimeout(r, 200));
  await env.control('push', { messages: ['COMPAT:null', 'COMPAT:false', 'COMPAT:none', 'POST:/kimchi/vms'] });
  await until(() => page.evaluate(() => window.got.length >= 1));
  assert.deepEqual(await page.evaluate(() => window.compat), ['COMPAT:false'], 'null is "not given", as in stock');
  await page.close();
});

// A hashchange drops what was subscribed before the event, by the event's own time: what a
// tab's code subscribes in a hashchange listener that runs before wok-push's stays, even when
// a later clock read (another subscribe) happened before wok-push's listener ran.
test('a hashchange keeps what listeners before wok-push\'s subscribed, however long they took', async () => {
  const page = await openPage('/test/esm.html');
  await page.evaluate(async () => {
    const p = window.push;
    window.hc = [];
    const spin = (ms) => { const end = performance.now() + ms; while (performance.now() < end); };
    p.close(); // its page listeners go; the page's own comes first once it reopens
    window.addEventListener('hashchange', () => {
      spin(3);
      p.subscribe('HC:a', (m) => window.hc.push(m.code), { tab: 'new' });
      spin(3);
      p.subscribe('HC:b', (m) => window.hc.push(m.code), { tab: 'new' });
    });
    p.open();
    while (p.state !== 'open') await new Promise((r) => setTimeout(r, 5));
  });
  await page.evaluate(() => { location.hash = '#new-tab'; });
  await until(() => page.evaluate(() => location.hash === '#new-tab'));
  await new Promise((r) => setTimeout(r, 200));
  await env.control('push', { messages: ['HC:a', 'HC:b'] });
  await until(() => page.evaluate(() => window.hc.length >= 2), 5000, 'both subscriptions called');
  assert.deepEqual(await page.evaluate(() => window.hc), ['HC:a', 'HC:b']);
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('classic script page: calls made before the wasm is ready are queued, then served', async () => {
  const page = await openPage('/test/classic.html');
  await env.control('push-split', { message: 'POST:/kimchi/vms', at: 4 });
  const got = await until(async () => { const g = await page.evaluate(() => window.got); return g.length >= 1 && g; });
  assert.deepEqual(got, ['classic|POST:/kimchi/vms|push']);
  assert.equal(await page.evaluate(() => window.early.active), true);
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('ES module + classic script on one page, 20 subscribers: exactly one socket, everyone served', async () => {
  const page = await openPage('/test/both.html');
  assert.equal(await page.evaluate(() => window.same), true, 'both builds return the same manager');
  await new Promise((r) => setTimeout(r, 200));
  const log = (await env.control('log')).map((l) => `${l.method} ${l.path}`);
  assert.equal((await env.control('sockets')).open, 1, log.join('\n'));
  await env.control('push', { messages: ['POST:/kimchi/vms'] });
  const got = await until(async () => { const g = await page.evaluate(() => window.got); return g.length >= 20 && g; });
  assert.equal(got.length, 20);
  const who = new Set(got.map((s) => s.split('|')[0]));
  assert.equal(who.size, 20, 'each of the 20 subscribers got the message once');
  // Order = subscription order, within each copy's (queued) calls.
  for (const who of ['classic', 'esm']) {
    assert.deepEqual(got.filter((s) => s.startsWith(who)), Array.from({ length: 10 }, (_, i) => `${who}${i}|POST:/kimchi/vms`));
  }
  assert.equal((await env.control('sockets')).open, 1);
  await page.close();
});

test('the demo page (npm start) connects and shows a pushed message', async () => {
  await env.control('reset', {});
  const page = await env.page('/');
  await until(() => page.evaluate(() => document.getElementById('badge').dataset.state === 'open'), 10000, 'badge open');
  await page.click('[data-act="create-guest"]');
  await until(() => page.evaluate(() => document.getElementById('guest-rows').textContent.includes('vm-1')), 5000, 'guest listed');
  assert.match(await page.textContent('#log'), /push: POST:\/kimchi\/vms/);
  // The savings panel: after 7 s the stock UI would have polled 3 times, wok-push once.
  await new Promise((r) => setTimeout(r, 7000));
  const savings = await page.textContent('#savings');
  assert.match(savings, /stock UI would have sent [3-9] GET \/notifications .*wok-push sent 1\. Avoided: [2-8] requests, ≈ \d+\.\d KB/, savings);
  assert.deepEqual(page.pageErrors, []);
  await page.close();
});

test('the url option: a path, an http: URL and the default all reach the push server as ws:', async () => {
  const token = '/websockify?token=d29rbm90aWZpY2F0aW9ucw';
  const host = new URL(env.backend.url).host;
  for (const url of [undefined, token, `http://${host}${token}`, `//${host}${token}`]) {
    await env.control('reset', {});
    const opts = encodeURIComponent(JSON.stringify(url === undefined ? {} : { url }));
    const page = await env.page(`/test/lab.html?opts=${opts}`);
    await until(() => page.evaluate(() => window.push?.state === 'open'), 10000, `open with url ${url}`);
    await env.control('push', { messages: ['URL:probe'] });
    await until(() => page.evaluate(() => window.rec.got.includes('URL:probe|push')), 5000, `push with url ${url}`);
    assert.deepEqual(page.pageErrors, []);
  }
});

// What the page downloads of wok-push (bytes on the wire, by file), with each request's URL.
function downloads(page) {
  const got = [];
  page.on('response', async (r) => {
    const url = new URL(r.url());
    if (!/\/pkg\/.*\.(wasm|js)$/.test(url.pathname)) return;
    const body = await r.body().catch(() => null);
    got.push({ file: url.pathname.split('/').pop(), bytes: body ? body.length : 0 });
  });
  return got;
}

for (const [order, path, calls] of [['plugin tag first', '/test/both.html', 20], ['UI module first', '/test/esm-first.html', 2]]) {
  test(`one wasm per page, ${order}: the second copy loads no wasm and uses the first one's manager`, async () => {
    // No page of an earlier test may hold the origin's connection (its lock and socket).
    await env.closePages();
    await env.control('reset', {});
    const page = await env.browser.newPage();
    const got = downloads(page);
    page.pageErrors = [];
    page.on('pageerror', (e) => page.pageErrors.push(String(e)));
    await page.goto(`${env.backend.url}${path}`);
    await until(() => page.evaluate(() => window.ready === true), 10000, 'ready');
    assert.equal(await page.evaluate(() => window.same), true, 'one manager');
    await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open');
    // One socket (the previous test's page may still be closing its own).
    await until(async () => (await env.control('sockets')).open === 1, 5000, 'one socket');
    const wasm = got.filter((d) => d.file.endsWith('.wasm'));
    assert.equal(wasm.length, 1, JSON.stringify(got));
    const total = got.reduce((a, d) => a + d.bytes, 0);
    console.log(`# ${order}: ${got.map((d) => `${d.file} ${d.bytes} B`).join(', ')}; ${total} B in all (uncompressed)`);
    await env.control('push', { messages: ['POST:/kimchi/vms'] });
    await until(() => page.evaluate((n) => window.got.length >= n, calls), 5000, 'delivered');
    assert.equal((await page.evaluate(() => window.got)).length, calls);
    assert.deepEqual(page.pageErrors, []);
    await page.close();
  });
}

test('connect() before init(): an error that says to call init() first', async () => {
  const page = await env.page('/test/empty-module.js');
  const r = await page.evaluate(async () => {
    const m = await import('/pkg/wok_push.js');
    try { m.connect(); return 'no throw'; } catch (e) { return `${e.code}: ${e.message}`; }
  });
  assert.equal(r, 'not-initialized: wok-push: call init() (the default export) and await it before connect()');
  await page.close();
});
