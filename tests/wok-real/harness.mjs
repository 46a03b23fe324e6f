// The real WoK for the tests of this layer (tests/wok-real/README.md): wokd from the patched
// tree (target/wok-series/tree), its nginx and websockify, the browsers, and helpers that
// read what a page did. Runs inside the layer's network namespace (tests/wok-real/run.sh).
import { spawn, execFileSync } from 'node:child_process';
import { openSync, mkdirSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { TOKEN } from '../../server/backend.mjs';
import { BROWSERS as E2E_BROWSERS, NETWORK_ERROR, beforeScripts, until } from '../e2e/helpers.mjs';

export { until };
const root = join(import.meta.dirname, '..', '..');
export const TREE = process.env.WOK_TREE || join(root, 'target', 'wok-series', 'tree');
const LOGS = join(root, 'target', 'wok-real', 'logs');
mkdirSync(LOGS, { recursive: true });
// WoK runs on Debian's Python and packages, never a Python of the developer's PATH.
const SYSTEM = { ...process.env, PATH: '/usr/bin:/bin:/usr/sbin:/sbin' };
export const ORIGIN = 'https://127.0.0.1:8001';
export const USER = { username: process.env.WOK_USER || 'wokpushtest', password: process.env.WOK_PASSWORD || '' };
const PORTS = { nginx: 8001, wokd: 8010, websockify: 64667 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const listening = (port) => new Promise((res) => {
  const s = tcpConnect(port, '127.0.0.1');
  s.once('connect', () => { s.destroy(); res(true); });
  s.once('error', () => res(false));
});
/** The pid listening on `port` (ss), or null. */
function listener(port) {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : null;
}
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
async function kill(pid, what) {
  if (!pid || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
  if (alive(pid)) { process.kill(pid, 'SIGKILL'); console.log(`# ${what} (${pid}) needed SIGKILL`); }
}

/** One HTTPS request to WoK (its certificate is self-signed): { status, headers, body }. */
function request(method, path, { body, cookie } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${ORIGIN}${path}`, { method, rejectUnauthorized: false, headers: {
      Accept: 'application/json', 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * One request of the test's own (node, not the browser) to WoK through nginx, tried again for
 * up to 10 s when the connection itself fails (reset, refused): just after wokd starts, it
 * reloads nginx (a new config), which resets the requests in flight, the login's or the next
 * one's. (A reset POST may have been carried out: the ones here log in or raise a fresh code.)
 */
export function api(method, path, options) {
  const reset = (e) => { if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE'].includes(e.code)) return null; throw e; };
  return until(() => request(method, path, options).catch(reset), 10000, `${method} ${path} past a connection reset`);
}

/** A session of the test user of its own (not the browser's): its cookie. */
export async function session() {
  const r = await api('POST', '/login', { body: USER });
  if (r.status !== 200) throw new Error(`login as ${USER.username}: HTTP ${r.status} ${r.body}`);
  return String(r.headers['set-cookie']).split(';')[0];
}

/** Raises a WoK notification through the test plugin (a real REST call: POST, logged, pushed), in `cookie`'s session. */
export async function raise(code, cookie) {
  const r = await api('POST', '/plugins/pushtest/notices', { body: { code }, cookie });
  if (r.status !== 201) throw new Error(`raise ${code}: HTTP ${r.status} ${r.body}`);
}

let wokd = null;
/** Starts wokd (it starts its push server, websockify, and nginx if nginx is not running). */
export async function startWok() {
  const started = Date.now();
  const log = openSync(join(LOGS, 'wokd.log'), 'a');
  wokd = spawn('python3', ['src/wokd'], { cwd: TREE, env: SYSTEM, stdio: ['ignore', log, log] });
  await until(async () => await listening(PORTS.websockify) && await listening(PORTS.nginx)
    && (await request('GET', '/login.html').catch(() => ({}))).status === 200, 60000, 'wokd up');
  return Date.now() - started;
}
/** Stops wokd (and websockify, its child) by pid; nginx keeps running, as with `systemctl restart wokd`. */
export async function stopWok() {
  if (wokd) await kill(wokd.pid, 'wokd');
  wokd = null;
  await kill(listener(PORTS.websockify), 'websockify');
  await kill(listener(PORTS.wokd), 'wokd');
}
export async function restartWok() { await stopWok(); return startWok(); }

/** Replaces websockify by a new one (WoK's own, from the tree: it reads the same token files). */
let proxy = null;
export async function restartWebsockify() {
  await kill(listener(PORTS.websockify), 'websockify');
  const log = openSync(join(LOGS, 'websockify.log'), 'a');
  proxy = spawn('python3', ['-c', 'import sys; sys.path.insert(0, "src"); from wok import websocket; websocket.new_ws_proxy().join()'],
    { cwd: TREE, env: SYSTEM, stdio: ['ignore', log, log] });
  await until(() => listening(PORTS.websockify), 20000, 'websockify up');
}

/** Push connections that reach websockify: nginx's established upstream connections to its port. */
export const upstreams = () => execFileSync('ss', ['-tnH', 'state', 'established', `( dport = :${PORTS.websockify} )`],
  { encoding: 'utf8' }).split('\n').filter(Boolean).length;

/** A websocket client with no session cookie for `ms`: the handshake's status (101 when upgraded) and what it heard. */
export function anonymous(ms) {
  return new Promise((resolve) => {
    const heard = [];
    let status = 0;
    const ws = new WebSocket(`${ORIGIN.replace('https', 'wss')}/websockify?token=${TOKEN}`, ['binary', 'base64'],
      { rejectUnauthorized: false });
    ws.on('upgrade', () => { status = 101; });
    ws.on('message', (d) => heard.push(String(d)));
    ws.on('unexpected-response', (req, res) => { status = res.statusCode; req.destroy(); });
    ws.on('error', () => {});
    setTimeout(() => { ws.terminate(); resolve({ status, heard }); }, ms);
  });
}

export async function stopNginx() {
  execFileSync('nginx', ['-s', 'stop'], { env: SYSTEM, stdio: 'ignore' });
  await until(async () => !(await listening(PORTS.nginx)), 10000, 'nginx down');
}
export async function startNginx() {
  execFileSync('nginx', [], { env: SYSTEM, stdio: 'ignore' });
  await until(() => listening(PORTS.nginx), 10000, 'nginx up');
}

/** Everything this module started, by pid, and nginx. */
export async function stopAll() {
  if (proxy) await kill(proxy.pid, 'websockify');
  await stopWok();
  try { execFileSync('nginx', ['-s', 'stop'], { env: SYSTEM, stdio: 'ignore' }); } catch { /* not running */ }
}

// Records what the page does on the network: every fetch, XHR and WebSocket, by path, and
// when it last closed a websocket.
const NET_SPY = () => {
  const log = (window.__net = []);
  const path = (u) => { try { const x = new URL(String(u), location.href); return x.pathname; } catch { return String(u); } };
  const F = window.fetch;
  window.fetch = function (input, init) {
    log.push(['fetch', (init && init.method) || (input && input.method) || 'GET', path(input && input.url ? input.url : input)]);
    return F.apply(this, arguments);
  };
  const O = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (m, u) { log.push(['xhr', String(m).toUpperCase(), path(u)]); return O.apply(this, arguments); };
  const W = window.WebSocket;
  // The last time this tab's page closed a websocket, kept across its navigations
  // (sessionStorage): a page that leaves cannot be asked afterwards.
  function Spy(u, p) {
    log.push(['ws', String(u)]);
    const ws = p === undefined ? new W(u) : new W(u, p);
    // Frames the page sent (wok-push sends only heartbeats).
    const send = ws.send;
    ws.send = function () {
      window.__wsSends = (window.__wsSends || 0) + 1;
      return send.apply(this, arguments);
    };
    const close = ws.close;
    ws.close = function () {
      sessionStorage.setItem('__wsClosedAt', String(Date.now()));
      return close.apply(this, arguments);
    };
    return ws;
  }
  Spy.prototype = W.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Spy[k] = W[k];
  window.WebSocket = Spy;
};

/**
 * The two browsers of tests/e2e/helpers.mjs, trusting WoK's and the CDN's self-signed
 * certificates; every page records its requests (NET_SPY) and its page errors.
 */
export const BROWSERS = Object.fromEntries(Object.entries(E2E_BROWSERS).map(([name, open]) => [name, async () => {
  const b = await open({ insecure: true });
  return { newPage: async () => spied(await b.newPage()), close: b.close };
}]));
// Firefox's reports of websockets that cannot connect are kept apart (page.netErrors), since
// an outage makes them by design.
async function spied(page) {
  await beforeScripts(page, NET_SPY);
  page.errors = [];
  page.netErrors = [];
  // What the page logged with console.error (Playwright and puppeteer both name it 'error').
  page.consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => (NETWORK_ERROR.test(String(e)) ? page.netErrors : page.errors).push(String(e)));
  return page;
}

/** Evaluates `fn` in the page, retrying while a navigation replaces the page's context. */
export async function inPage(page, fn, arg) {
  for (let i = 0; ; i++) {
    try { return await page.evaluate(fn, arg); } catch (e) {
      if (i > 50 || !/context|navigat|destroyed|Target closed|frame/i.test(String(e))) throw e;
      await sleep(100);
    }
  }
}
/** The page's requests so far: [kind, method, path] (ws: [kind, url]). */
export const net = (page) => inPage(page, () => window.__net || []);
export const count = (log, kind, method, path) => log.filter((r) => r[0] === kind && r[1] === method && r[2] === path).length;

/** Logs in through the real login page and waits for the shell with its push connection open. */
export async function login(page) {
  // A page that WoK sent to its login page (a 401) logs in there, as a user would.
  const there = await inPage(page, () => /\/login\.html$/.test(location.pathname)).catch(() => false);
  if (!there) await page.goto(`${ORIGIN}/login.html`);
  // Loaded to its end: wok.login_main (body onload) binds the button; a click before that
  // would submit the bare form.
  await until(() => inPage(page, () => document.readyState === 'complete' && !!document.getElementById('btn-login')
    && typeof wok === 'object'), 20000, 'login page');
  await sleep(200);
  await inPage(page, (u) => {
    document.getElementById('username').value = u.username;
    document.getElementById('password').value = u.password;
    document.getElementById('btn-login').click();
  }, USER);
  await shell(page);
}
/** Waits for the shell (wok-ui.html) with its tabs and an open push connection. */
export async function shell(page) {
  await until(() => inPage(page, () => !!document.querySelector('#alert-container') && !/login/.test(location.pathname)
    && typeof WokPush === 'object' && WokPush.connect().state === 'open'), 30000, 'shell with an open push connection');
}
