// A WoK-like backend for the demo and the tests, on 127.0.0.1 only.
//  - static: www/ at /, pkg/ at /pkg/, target/consumer-out/ (the bundler consumer apps) at /consumer/, target/readme/ (the README's snippets) at /readme/, target/pkg-other/ (a second release) at /pkg-other/, tests/pages/ at /test/ (application/wasm for .wasm)
//  - GET /notifications, GET|DELETE /notifications/<code>  (wok-protocol.md §3)
//  - push websocket at /websockify?token=...  (websockify in front of WoK's push server, §1)
//  - a small kimchi-like REST API (/plugins/kimchi/vms, /plugins/kimchi/templates) that pushes
//    what WoK would push
//  - a control API for tests and the demo console under /_control/
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TOKEN = 'd29rbm90aWZpY2F0aW9ucw';
const EOM = '//EOM//';
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.ts': 'text/plain',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.md': 'text/plain; charset=utf-8',
};
const STATIC = [['/pkg/', join(ROOT, 'pkg')], ['/pkg-other/', join(ROOT, 'target', 'pkg-other')], ['/test/', join(ROOT, 'tests/pages')],
  ['/consumer/', join(ROOT, 'target/consumer-out')], ['/readme/', join(ROOT, 'target/readme')], ['/', join(ROOT, 'www')]];

/** WoK's timestamp: local time, ISO, microseconds, no zone (datetime.now().isoformat()). */
export function wokTimestamp(d = new Date()) {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}${p(Math.floor(Math.random() * 1000), 3)}`;
}

function defaults() {
  return {
    upgrades: true,          // accept websocket upgrades
    base64: false,           // websockify 0.8 with a base64-preferring client: base64 text frames
    json: false,             // push frames as JSON notification objects
    feed: 'ok',              // /notifications mode: ok | 500 | html | malformed | shape | 401 | slow | hang | reset
    slowMs: 2000,
    killAfterMs: 0,          // middlebox: kill every socket this long after it opens (0 = off)
    answer: false,           // answer each client heartbeat on its own socket (the optional WoK
                             // patch, contrib/wok/); stock WoK never answers
    hung: false,             // the push server hangs: sockets stay open, nothing is sent or answered
    session: true,           // the browser's session is valid; without it /notifications answers
                             // 401 and the upgrade is refused with 401 (WoK with the auth_request
                             // patch 0005 of contrib/wok/); open sockets stay, as nginx's do
  };
}

export async function startBackend({ port = 0, host = '127.0.0.1', quiet = true } = {}) {
  const state = {
    modes: defaults(),
    store: new Map(),        // code -> { message, timestamp }
    log: [],                 // request log
    clientFrames: 0,
    upgrades: 0,
    refused: 0,              // upgrades refused for want of a session
    vms: [], templates: [], users: [], userLog: [],
    hung: 0, aborted: 0,
  };
  const sockets = new Set();

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols(protocols) {
      if (state.modes.base64 && protocols.has('base64')) return 'base64';
      if (protocols.has('binary')) return 'binary';
      if (protocols.has('base64')) return 'base64';
      return false;
    },
  });

  function frameOf(ws, text) {
    return ws.protocol === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : Buffer.from(text, 'utf8');
  }
  function send(ws, text) {
    if (ws.readyState !== 1 || state.modes.hung) return;
    ws.send(frameOf(ws, text), { binary: ws.protocol !== 'base64' });
  }
  function encode(code) {
    return state.modes.json ? JSON.stringify({ code }) + EOM : code + EOM;
  }
  /** Broadcast messages in one write (one frame), as websockify does for one recv(). */
  function push(codes) {
    const text = codes.map(encode).join('');
    for (const ws of sockets) send(ws, text);
    return sockets.size;
  }
  /** One message cut across two writes (two frames). */
  function pushSplit(code, at) {
    const text = encode(code);
    const buf = Buffer.from(text, 'utf8');
    const cut = Math.max(1, Math.min(buf.length - 1, at ?? Math.floor(buf.length / 2)));
    for (const ws of sockets) {
      if (ws.readyState !== 1) continue;
      const parts = [buf.subarray(0, cut), buf.subarray(cut)];
      for (const part of parts) {
        ws.send(ws.protocol === 'base64' ? part.toString('base64') : part, { binary: ws.protocol !== 'base64' });
      }
    }
    return sockets.size;
  }
  function dropAll() {
    const n = sockets.size;
    for (const ws of sockets) ws.terminate();
    sockets.clear();
    return n;
  }
  function addNotification(code, text) {
    const prev = state.store.get(code);
    state.store.set(code, { message: `${code}: ${text || 'Notification raised'}`, timestamp: prev ? prev.timestamp : wokTimestamp() });
    push(['POST:/wok/notifications']);
  }
  function delNotification(code) {
    if (!state.store.delete(code)) return false;
    push(['DELETE:/wok/notification']);
    return true;
  }
  /** A REST call as WoK logs it: the resource message, then POST:/wok/logs. */
  function restPush(code) {
    state.userLog.push({ time: wokTimestamp(), action: code });
    if (state.userLog.length > 200) state.userLog.shift();
    push([code]); push(['POST:/wok/logs']);
  }

  const json = (res, status, body, extra = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8', 'Cache-Control': 'no-store', ...extra });
    res.end(body === undefined ? '' : JSON.stringify(body, null, 2));
  };
  const readBody = (req) => new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => { data += c; if (data.length > 8e6) req.destroy(); });
    req.on('end', () => { try { resolve(data ? JSON.parse(data) : {}); } catch { resolve({}); } });
  });

  async function notifications(req, res, url) {
    const wantsJson = (req.headers.accept || '').split(';')[0].includes('application/json');
    const m = state.modes.feed;
    if (m === 'hang') { // never answers (until the client aborts)
      state.hung++;
      req.on('close', () => { if (!res.writableEnded) state.aborted++; });
      return;
    }
    if (m === 'reset') { req.socket.destroy(); return; }
    if (m === 'slow') await new Promise((r) => setTimeout(r, state.modes.slowMs));
    // As WoK's wokauth(): a 401 to a request that is not marked as the UI's own AJAX
    // (X-Requested-With: XMLHttpRequest, what jQuery sends) asks for HTTP Basic auth, which
    // makes Firefox hold the request behind a login prompt.
    if (m === '401' || !state.modes.session) {
      const basic = req.headers['x-requested-with'] === 'XMLHttpRequest' ? {} : { 'WWW-Authenticate': 'Basic realm=wok' };
      return json(res, 401, { code: '401 Unauthorized', reason: 'sessionTimeout' }, basic);
    }
    if (m === '500') return json(res, 500, { code: '500 Internal Server Error', reason: 'WOKNOT0002E' });
    if (m === 'html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      return res.end('<!DOCTYPE html><html><body><form action="/login">Log in to WoK</form></body></html>');
    }
    if (m === 'malformed') { res.writeHead(200, { 'Content-Type': 'application/json' }); return res.end('[{"code": "KCH'); }
    if (m === 'shape') return json(res, 200, [{ message: 'no code here' }, { code: 42 }]);
    if (m === 'huge') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(Array.from({ length: 100000 }, (_, i) => ({ code: `X${i}`, message: 'x', timestamp: 't' }))));
    }
    const parts = url.pathname.split('/').filter(Boolean);
    const headers = { 'Session-Expires-On': String(Math.floor(Date.now() / 1000) + 600) };
    if (!wantsJson) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
      return res.end('<html><body>notifications</body></html>');
    }
    if (parts.length === 1) {
      if (req.method !== 'GET') return json(res, 405, { code: '405 Method Not Allowed', reason: '' });
      const items = [...state.store].map(([code, n]) => ({ code, message: n.message, timestamp: n.timestamp }));
      return json(res, 200, items, headers);
    }
    const code = decodeURIComponent(parts[1]);
    const n = state.store.get(code);
    if (!n) return json(res, 404, { code: '404 Not Found', reason: `WOKNOT0001E: Unable to find notification ${code}` });
    if (req.method === 'DELETE') {
      delNotification(code);
      push(['DELETE:/wok/notification']);
      push(['POST:/wok/logs']);
      res.writeHead(204); return res.end();
    }
    return json(res, 200, { code, message: n.message, timestamp: n.timestamp }, headers);
  }

  async function kimchi(req, res, url) {
    // /plugins/kimchi/vms, /plugins/kimchi/templates[/<name>], /plugins/ginger/users
    const [, , app, coll, name] = url.pathname.split('/');
    const lists = { 'kimchi/vms': state.vms, 'kimchi/templates': state.templates, 'ginger/users': state.users };
    const list = lists[`${app}/${coll}`];
    if (!list) return json(res, 404, { code: '404 Not Found', reason: '' });
    const one = coll.replace(/s$/, '');
    if (req.method === 'GET') return json(res, 200, name ? list.find((x) => x.name === name) ?? null : list);
    if (req.method === 'POST' && !name) {
      const body = await readBody(req);
      const item = { name: String(body.name || `${one}-${list.length + 1}`).slice(0, 64) };
      list.push(item);
      restPush(`POST:/${app}/${coll}`);
      return json(res, 201, item);
    }
    if (req.method === 'PUT' && name) { restPush(`PUT:/${app}/${one}`); return json(res, 200, { name }); }
    if (req.method === 'DELETE' && name) {
      const i = list.findIndex((x) => x.name === name);
      if (i >= 0) list.splice(i, 1);
      restPush(`DELETE:/${app}/${one}`);
      res.writeHead(204); return res.end();
    }
    return json(res, 405, { code: '405 Method Not Allowed', reason: '' });
  }

  async function control(req, res, url) {
    const what = url.pathname.slice('/_control/'.length);
    const body = req.method === 'GET' ? {} : await readBody(req);
    switch (what) {
      case 'push': { // `frames: 'each'`: one frame per message, in the same tick
        const codes = Array.isArray(body.messages) ? body.messages.map(String) : [String(body.message ?? body.code ?? '')];
        if (body.frames === 'each') { for (const c of codes) push([c]); return json(res, 200, { sockets: sockets.size }); }
        return json(res, 200, { sockets: push(codes) });
      }
      case 'push-split': return json(res, 200, { sockets: pushSplit(String(body.message ?? body.code), body.at) });
      case 'push-raw': { // raw text as one write (tests of hostile frames)
        for (const ws of sockets) send(ws, String(body.text ?? ''));
        return json(res, 200, { sockets: sockets.size });
      }
      case 'push-bulk': { // benchmark: `count` messages, `perFrame` per write, as fast as possible;
        // `codes`: several codes in turn (WoK's REST pattern: a resource code, then POST:/wok/logs)
        const count = Math.min(Number(body.count) || 0, 1e7);
        const perFrame = Math.max(1, Number(body.perFrame) || 1);
        const codes = Array.isArray(body.codes) ? body.codes.map(String) : [String(body.code || 'BENCH')];
        const run = (n, from) => Array.from({ length: n }, (_, i) => encode(codes[(from + i) % codes.length])).join('');
        const frame = run(perFrame, 0);
        let sent = 0;
        const t0 = performance.now();
        while (sent < count) {
          const n = Math.min(perFrame, count - sent);
          const text = n === perFrame && (perFrame % codes.length === 0 || codes.length === 1) ? frame : run(n, sent);
          for (const ws of sockets) send(ws, text);
          sent += n;
        }
        return json(res, 200, { sent, sockets: sockets.size, ms: performance.now() - t0 });
      }
      case 'push-stamped': { // benchmark: `count` messages `STAMP:<epoch ms>`, `intervalMs` apart
        const count = Math.min(Number(body.count) || 0, 1e5);
        const interval = Math.max(1, Number(body.intervalMs) || 5);
        let i = 0;
        const tick = () => {
          if (i++ >= count) return;
          push([`STAMP:${(performance.timeOrigin + performance.now()).toFixed(3)}`]);
          setTimeout(tick, interval);
        };
        tick();
        return json(res, 200, { scheduled: count });
      }
      case 'notify': addNotification(String(body.code), body.message); return json(res, 200, { ok: true });
      case 'unnotify': return json(res, 200, { ok: delNotification(String(body.code)) });
      case 'rest': restPush(String(body.code)); return json(res, 200, { ok: true });
      // The session ends (WoK: auth.logout(), then the push) or begins: REST calls as WoK logs them.
      case 'logout': state.modes.session = false; restPush('POST:/wok/logout'); return json(res, 200, { ok: true });
      case 'login': state.modes.session = true; restPush('POST:/wok/login'); return json(res, 200, { ok: true });
      case 'drop': return json(res, 200, { dropped: dropAll() });
      case 'upgrades': state.modes.upgrades = !!body.accept; return json(res, 200, state.modes);
      case 'mode': Object.assign(state.modes, body); return json(res, 200, state.modes);
      case 'sockets': return json(res, 200, { open: sockets.size, upgrades: state.upgrades, refused: state.refused, clientFrames: state.clientFrames });
      case 'log': return json(res, 200, state.log);
      case 'state': return json(res, 200, { modes: state.modes, open: sockets.size, upgrades: state.upgrades, hung: state.hung, aborted: state.aborted,
        clientFrames: state.clientFrames, notifications: [...state.store.keys()], vms: state.vms, templates: state.templates });
      case 'reset':
        dropAll(); state.modes = defaults(); state.store.clear(); state.log.length = 0;
        state.clientFrames = 0; state.upgrades = 0; state.refused = 0; state.vms.length = 0; state.templates.length = 0; state.users.length = 0; state.userLog.length = 0;
        return json(res, 200, { ok: true });
      default: return json(res, 404, { error: 'unknown control' });
    }
  }

  async function serveStatic(req, res, url) {
    for (const [prefix, dir] of STATIC) {
      if (!url.pathname.startsWith(prefix)) continue;
      let rel = decodeURIComponent(url.pathname.slice(prefix.length)) || 'index.html';
      if (rel.endsWith('/')) rel += 'index.html';
      const file = normalize(join(dir, rel));
      if (!file.startsWith(dir)) break;
      try {
        const data = await readFile(file);
        const headers = { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' };
        // Test pages named csp*.html get a strict CSP: no inline script, no eval, wasm allowed.
        if (/\/csp[^/]*\.html$/.test(file)) headers['Content-Security-Policy'] = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws: wss:";
        res.writeHead(200, headers);
        return res.end(data);
      } catch { /* try the next root */ }
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    // Loopback CORS, so wasm-bindgen-test pages (served from another port) can reach us.
    const origin = req.headers.origin;
    if (origin && /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'Accept, Content-Type, Wok-Robot');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
      if (req.method === 'OPTIONS') { res.writeHead(204); return res.end(); }
    }
    if (!url.pathname.startsWith('/_control/')) {
      state.log.push({ t: Date.now(), method: req.method, path: url.pathname + url.search,
        accept: req.headers.accept || '', wokRobot: req.headers['wok-robot'] || null, cookie: !!req.headers.cookie });
      if (state.log.length > 20000) state.log.splice(0, 10000);
    }
    try {
      if (url.pathname === '/notifications' || url.pathname.startsWith('/notifications/')) return await notifications(req, res, url);
      if (url.pathname.startsWith('/plugins/')) return await kimchi(req, res, url);
      if (url.pathname === '/logs') return json(res, 200, state.userLog.slice(-50).reverse());
      if (url.pathname.startsWith('/_control/')) return await control(req, res, url);
      return await serveStatic(req, res, url);
    } catch (e) {
      if (!quiet) console.error(e);
      if (!res.headersSent) json(res, 500, { error: String(e) });
    }
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    state.log.push({ t: Date.now(), method: 'UPGRADE', path: url.pathname + url.search, accept: '', wokRobot: null });
    const offered = (req.headers['sec-websocket-protocol'] || '').split(',').map((s) => s.trim()).filter(Boolean);
    const bad = url.pathname !== '/websockify' || url.searchParams.get('token') !== TOKEN || !state.modes.upgrades
      || (state.modes.base64 && !offered.some((p) => p === 'binary' || p === 'base64'));
    if (bad) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!state.modes.session) {
      state.refused++;
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      state.upgrades++;
      sockets.add(ws);
      ws.on('message', (data) => {
        state.clientFrames++;
        // Stock WoK ignores what clients send; the patched push server answers a heartbeat
        // (`heartbeat`, or its base64 on a `base64` socket) on the same socket only.
        const text = ws.protocol === 'base64' ? Buffer.from(String(data), 'base64').toString() : String(data);
        if (state.modes.answer && text.includes('heartbeat')) send(ws, encode('heartbeat'));
      });
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      if (state.modes.killAfterMs > 0) setTimeout(() => { ws.terminate(); sockets.delete(ws); }, state.modes.killAfterMs);
    });
  });

  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, host, resolve); });
  const addr = server.address();
  const base = `http://${host}:${addr.port}`;
  return {
    url: base,
    port: addr.port,
    state,
    push, pushSplit, dropAll, addNotification, delNotification,
    sockets: () => sockets.size,
    async close() {
      dropAll();
      await new Promise((r) => { server.close(() => r()); server.closeAllConnections?.(); });
    },
  };
}
