// The browser I/O of one manager (a wasm-bindgen snippet): the WebSocket, the fetch of
// /notifications, the one timer and the page lifecycle listeners. The Rust shell owns the
// port (src/web/port.rs) and decides everything; this file only does what it is told and
// reports events through the port's one callback: cb(kind, gen, num, text, bytes).
// One callback per manager, never one closure per connection.

export const EV = { OPEN: 0, TEXT: 1, BINARY: 2, CLOSED: 3, FETCHED: 4, FETCH_FAILED: 5, TIMER: 6,
  ONLINE: 7, OFFLINE: 8, VISIBLE: 9, HIDDEN: 10, PAGEHIDE: 11, PAGESHOW: 12, HASHCHANGE: 13 };

/** A port for one manager; `cb` is its only way back into wasm. */
export function makePort(cb) {
  return { cb, ws: null, gen: 0, fetch: null, timer: null, page: null };
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
  ws.onopen = () => port.cb(EV.OPEN, gen, 0, ws.protocol, undefined);
  ws.onmessage = (e) => {
    if (typeof e.data === 'string') port.cb(EV.TEXT, gen, 0, e.data, undefined);
    else if (e.data instanceof ArrayBuffer) port.cb(EV.BINARY, gen, 0, undefined, new Uint8Array(e.data));
  };
  ws.onclose = ws.onerror = () => port.cb(EV.CLOSED, gen, 0, undefined, undefined);
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

/** The open socket's bufferedAmount (0 without one). */
export function buffered(port) {
  return port.ws === null ? 0 : port.ws.bufferedAmount;
}

/** Starts GET `url` as fetch `gen` (WoK's headers, the session cookie, abortable). */
export function startFetch(port, url, gen) {
  abortFetch(port);
  const ctrl = new AbortController();
  port.fetch = ctrl;
  const mine = () => port.fetch === ctrl;
  fetch(url, { method: 'GET', credentials: 'same-origin', signal: ctrl.signal,
    headers: { Accept: 'application/json', 'Wok-Robot': 'wok-robot' } })
    .then((r) => r.text().then((t) => { if (mine()) { port.fetch = null; port.cb(EV.FETCHED, gen, r.status, t, undefined); } }))
    .catch(() => { if (mine()) { port.fetch = null; port.cb(EV.FETCH_FAILED, gen, 0, undefined, undefined); } });
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
  port.timer = ms < 0 ? null : setTimeout(() => { port.timer = null; port.cb(EV.TIMER, 0, 0, undefined, undefined); }, ms);
}

/** Adds the page lifecycle listeners (online, offline, visibility, pagehide/show, hashchange). */
export function installPage(port) {
  if (port.page !== null || typeof window === 'undefined') return;
  const cb = port.cb;
  const on = [
    [window, 'online', () => cb(EV.ONLINE, 0, 0, undefined, undefined)],
    [window, 'offline', () => cb(EV.OFFLINE, 0, 0, undefined, undefined)],
    [window, 'pagehide', () => cb(EV.PAGEHIDE, 0, 0, undefined, undefined)],
    [window, 'pageshow', () => cb(EV.PAGESHOW, 0, 0, undefined, undefined)],
    [window, 'hashchange', (e) => cb(EV.HASHCHANGE, 0, e.timeStamp, undefined, undefined)],
    [document, 'visibilitychange', () => cb(document.visibilityState === 'visible' ? EV.VISIBLE : EV.HIDDEN, 0, 0, undefined, undefined)],
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

/** Owned resources: [socket, fetch, timer, page listeners]. */
export function resources(port) {
  return new Uint32Array([port.ws === null ? 0 : 1, port.fetch === null ? 0 : 1,
    port.timer === null ? 0 : 1, port.page === null ? 0 : port.page.length]);
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

/** `protocol//host` of the page (for the default URLs), or '' without a location. */
export function pageOrigin() {
  return typeof location === 'undefined' ? '' : `${location.protocol}//${location.host}`;
}

/** An `Error` with a stable `code`. */
export function makeError(message, code) {
  const e = new Error(message);
  e.code = code;
  return e;
}
