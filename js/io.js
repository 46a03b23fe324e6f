// The browser I/O of one manager (a wasm-bindgen snippet): the WebSocket, the fetch of
// /notifications, the one timer and the page lifecycle listeners. The Rust shell owns the
// port (src/web/port.rs) and decides everything; this file only does what it is told and
// reports events through the port's one callback: cb(kind, gen, num, at, text?, bytes?, text2?, text3?)
// (`at`: when it happened, the event's own `timeStamp` where there is an event, else
// `performance.now()`, so no event crosses back into JS to read the clock; missing
// arguments are undefined, read as None),
// the manager's exported Engine.input. No wasm closure at all.

// Event kinds (src/web/port.rs `ev`): plain constants, which the bundler inlines.
const OPEN = 0, TEXT = 1, BINARY = 2, CLOSED = 3, FETCHED = 4, FETCH_FAILED = 5, TIMER = 6,
  ONLINE = 7, OFFLINE = 8, VISIBLE = 9, HIDDEN = 10, PAGEHIDE = 11, PAGESHOW = 12, HASHCHANGE = 13,
  LEAD = 14, FOLLOW = 15, RELAY = 16, RELAY_STATE = 17, RELAY_RESYNC = 18, HELLO = 19;

/**
 * A port for one manager; `cb` is its only way back into wasm: js/api.js sets it to the
 * manager's `Engine.input` before anything can open.
 */
export function makePort() {
  return { cb: () => {}, ws: null, gen: 0, fetch: null, timer: null, page: null, ch: null, lock: null, batch: null };
}

function detach(ws) {
  ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
}

/** Opens websocket attempt `gen` (offering binary, then base64); false when it cannot. */
export function openSocket(port, url, gen) {
  closeSocket(port, -1);
  let ws;
  try {
    ws = new WebSocket(url, ['binary', 'base64']);
  } catch (_) {
    return false;
  }
  ws.binaryType = 'arraybuffer';
  ws.onopen = (e) => port.cb(OPEN, gen, 0, e.timeStamp, ws.protocol);
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') port.cb(TEXT, gen, 0, e.timeStamp, e.data);
    else if (e.data instanceof ArrayBuffer) port.cb(BINARY, gen, 0, e.timeStamp, undefined, new Uint8Array(e.data));
  };
  ws.onclose = ws.onerror = (e) => port.cb(CLOSED, gen, 0, e.timeStamp);
  port.ws = ws;
  port.gen = gen;
  return true;
}

/**
 * Detaches the handlers of attempt `gen`'s socket (any socket for -1), then closes it:
 * nothing it does reaches wasm after.
 */
export function closeSocket(port, gen) {
  const ws = port.ws;
  if (ws === null || (gen !== -1 && gen !== port.gen)) return;
  port.ws = null;
  detach(ws);
  try { ws.close(); } catch (_) { /* already closing */ }
}

/** The heartbeat: raw bytes on `binary`, its base64 text on `base64` (websockify 0.8). */
export function sendHeartbeat(port, gen, base64) {
  const ws = port.ws;
  if (ws === null || port.gen !== gen || ws.readyState !== 1) return;
  try { ws.send(base64 ? 'aGVhcnRiZWF0' : new TextEncoder().encode('heartbeat')); } catch (_) { /* closing */ }
}


/** Starts GET `url` as fetch `gen` (WoK's headers, the session cookie, abortable). */
export function startFetch(port, url, gen) {
  abortFetch(port);
  const ctrl = new AbortController();
  port.fetch = ctrl;
  const mine = () => port.fetch === ctrl;
  fetch(url, { method: 'GET', credentials: 'same-origin', signal: ctrl.signal,
    headers: { Accept: 'application/json', 'Wok-Robot': 'wok-robot' } })
    .then((r) => r.text().then((t) => { if (mine()) { port.fetch = null; port.cb(FETCHED, gen, r.status, now(), t); } }))
    .catch(() => { if (mine()) { port.fetch = null; port.cb(FETCH_FAILED, gen, 0, now()); } });
}

/** Aborts the fetch in flight, if any (its outcome is never reported). */
export function abortFetch(port) {
  const ctrl = port.fetch;
  port.fetch = null;
  if (ctrl !== null) ctrl.abort();
}

/** Arms the one timer `ms` from now (replacing any), or disarms it with ms < 0. */
export function armTimer(port, ms) {
  if (port.timer !== null) clearTimeout(port.timer);
  port.timer = ms < 0 ? null : setTimeout(() => { port.timer = null; port.cb(TIMER, 0, 0, now()); }, ms);
}

/** Adds the page lifecycle listeners (online, offline, visibility, pagehide/show, hashchange). */
export function installPage(port) {
  if (port.page !== null || typeof window === 'undefined') return;
  const cb = port.cb;
  const report = (kind) => (e) => cb(kind, 0, 0, e.timeStamp);
  const on = [
    [window, 'online', report(ONLINE)],
    [window, 'offline', report(OFFLINE)],
    [window, 'pagehide', report(PAGEHIDE)],
    [window, 'pageshow', report(PAGESHOW)],
    [window, 'hashchange', report(HASHCHANGE)],
    [document, 'visibilitychange', (e) => cb(document.visibilityState === 'visible' ? VISIBLE : HIDDEN, 0, 0, e.timeStamp)],
  ];
  for (const [t, k, f] of on) t.addEventListener(k, f);
  port.page = on;
}

/** Removes them. */
export function removePage(port) {
  const on = port.page;
  port.page = null;
  if (on !== null) for (const [t, k, f] of on) t.removeEventListener(k, f);
}

/** Owned resources: [socket, fetch, timer, page listeners, channel] (src/web/driver.rs adds the handlers). */
export function resources(port) {
  return new Uint32Array([port.ws === null ? 0 : 1, port.fetch === null ? 0 : 1,
    port.timer === null ? 0 : 1, port.page === null ? 0 : port.page.length, port.ch === null ? 0 : 1]);
}

/** Milliseconds on the page's monotonic clock. */
export function now() {
  return performance.now();
}

/** 53 random bits for the backoff jitter. */
export function seed() {
  const a = crypto.getRandomValues(new Uint32Array(2));
  return (a[0] & 0x1fffff) * 4294967296 + a[1];
}

/** The page's `host` (for the default URLs), or '' without a location. */
export function pageHost() {
  return typeof location === 'undefined' ? '' : location.host;
}

/** Whether the page is served over `https:`. */
export function pageSecure() {
  return typeof location !== 'undefined' && location.protocol === 'https:';
}

/** An `Error` with a stable `code`. */
export function makeError(message, code) {
  const e = new Error(message);
  e.code = code;
  return e;
}

// ---- One connection per origin: a Web Lock elects the tab that runs the transport; a
// BroadcastChannel carries what it publishes. Both are named after the endpoint.

/** Whether this browser has what sharing needs (Web Locks and BroadcastChannel). */
export function tabsSupported() {
  return typeof BroadcastChannel === 'function' && typeof navigator !== 'undefined' && !!navigator.locks;
}

/**
 * Joins the election for `name`: LEAD when this tab holds the lock (now or once the holder
 * goes away: closed, crashed, resigned, bfcache), FOLLOW while another tab holds it.
 */
export function elect(port, name) {
  resign(port);
  const cb = port.cb;
  const ch = new BroadcastChannel(name);
  // Another tab may run another release: read only what has the expected type.
  const str = (v) => (typeof v === 'string' ? v : undefined);
  const num = (v) => (typeof v === 'number' && v >= 0 ? v : -1);
  let at = 0; // the time of the channel message under way
  const one = (d) => {
    if (d === null || typeof d !== 'object') return;
    if (d.k === 'm' && typeof d.c === 'string') cb(RELAY, 0, num(d.s), at, d.c, undefined, str(d.m), str(d.t));
    else if (d.k === 's') {
      // gen packs reason (16 bits), previous and state (8 bits each).
      const r = num(d.r), p = num(d.p), s = num(d.s);
      if (r < 65536 && p < 256 && s < 256 && r >= 0 && p >= 0 && s >= 0) cb(RELAY_STATE, (r | (p << 16) | (s << 24)) >>> 0, num(d.i), at);
    }
    else if (d.k === 'r') cb(RELAY_RESYNC, 0, 0, at);
    else if (d.k === 'h') cb(HELLO, 0, 0, at);
  };
  ch.onmessage = (e) => {
    const d = e.data;
    at = e.timeStamp;
    if (d !== null && typeof d === 'object' && d.k === 'b' && Array.isArray(d.b)) d.b.forEach(one);
    else one(d);
  };
  const lk = { ac: new AbortController(), release: null };
  port.ch = ch;
  port.lock = lk;
  // Held until resign() resolves it; the browser releases it when the page goes away.
  const lead = () => new Promise((resolve) => {
    if (port.lock !== lk) return resolve();
    lk.release = resolve;
    cb(LEAD, 0, 0, now());
  });
  navigator.locks.request(name, { ifAvailable: true }, (lock) => {
    if (port.lock !== lk) return undefined;
    if (lock !== null) return lead();
    cb(FOLLOW, 0, 0, now());
    navigator.locks.request(name, { signal: lk.ac.signal }, lead).catch(() => {});
    return undefined;
  }).catch(() => {});
}

/** Leaves the election: releases the lock or stops waiting for it, closes the channel. */
export function resign(port) {
  const lk = port.lock;
  port.lock = null;
  if (lk !== null) {
    lk.ac.abort();
    if (lk.release !== null) lk.release();
  }
  const ch = port.ch;
  port.ch = null;
  if (ch !== null) {
    ch.onmessage = null;
    ch.close();
  }
}

// Posts are batched: everything published during one task (a websocket frame of 20
// messages, say) goes to the other tabs as one postMessage, at the end of the task.
function post(port, d) {
  if (port.ch === null) return;
  if (port.batch === null) {
    port.batch = [];
    queueMicrotask(() => {
      const b = port.batch;
      port.batch = null;
      if (port.ch !== null && b.length > 0) port.ch.postMessage(b.length === 1 ? b[0] : { k: 'b', b });
    });
  }
  port.batch.push(d);
}

/** Publishes a message (source: 0 push, 1 poll). */
export function publishMessage(port, code, message, timestamp, source) {
  post(port, { k: 'm', c: code, m: message, t: timestamp, s: source });
}

/** Publishes a state change (numeric state and reason codes; retryIn < 0: none). */
export function publishState(port, previous, state, reason, retryIn) {
  post(port, { k: 's', p: previous, s: state, r: reason, i: retryIn });
}

/** Publishes a resync. */
export function publishResync(port) {
  post(port, { k: 'r' });
}

/** Asks the leader for its state. */
export function publishHello(port) {
  post(port, { k: 'h' });
}
