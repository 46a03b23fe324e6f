// The public API of wok-push (DESIGN.md §3): `connect`, `installWokCompat`, `PushManager`,
// `Subscription`, and the page singleton. A thin facade over the wasm `Engine`
// (src/web/api.rs): it reads JS objects, keeps the handlers in the table of
// js/dispatch.js, and builds what users see; every check of a value and every decision
// stays in Rust. Bundled with the wasm-bindgen glue into pkg/wok_push.js by
// scripts/build.mjs, which resolves 'wok-push:engine' to that glue.
import { Engine, checkCoalesce } from 'wok-push:engine';
import { EVENTS, addSub, listen, makeTable } from './dispatch.js';
import { makeError, makePort } from './io.js';

/*
 * The page singleton: the slot `globalThis[Symbol.for('wok-push')]`.
 *
 * The first `connect()` on a page creates the manager and stores it in the slot; every later
 * `connect()`, from this copy or from any other copy or release loaded on the same page (the
 * WoK UI's npm bundle plus a plugin's `<script>` tag), returns that same manager. Later
 * options are validated (bad ones still throw) and then ignored: the first caller
 * configures the page's one connection. A closed manager stays in the slot and is reopened
 * by the next `connect()`.
 *
 * The contract between copies: the slot is `{ contract, version, manager }`. `contract` only
 * grows; contract 1 is what any copy may call on a manager made by another copy:
 *   open(), close(), reconnect(); subscribe(code, fn, { tab, persist, resync }) →
 *   { unsubscribe(), active, id }; on('state' | 'error' | 'resync', fn) → off();
 *   closeTab(tab), addNotificationListener(msg, fn, persist); state, transport, stats().
 * Contract 2 adds: subscribe(code, fn, { coalesceMs }) and
 *   addNotificationListener(msg, fn, persist, { coalesceMs }) (coalescing windows; a
 *   contract-1 manager ignores the option and calls every message: stock behaviour).
 * - A later contract may add members, never change or remove one; a newer copy that finds an
 *   older manager uses it as is and feature-tests anything newer than its contract.
 * - A slot without `contract` was written by wok-push 0.1.0, which has all of contract 1.
 * - A slot whose manager lacks `open` or `subscribe` is not a wok-push manager: it is replaced.
 * - A breaking change would need a new `Symbol.for` key, never this one.
 */
const KEY = Symbol.for('wok-push');
const CONTRACT = 2;
// The release, set by the build (WOK_PUSH_VERSION overrides it for the two-releases test).
const VERSION = __WOK_PUSH_VERSION__;

// Option names, in the order Engine takes them (src/web/options.rs).
const NUMBERS = ['heartbeatMs', 'reconnectMinMs', 'reconnectMaxMs', 'pollIntervalMs', 'connectTimeoutMs',
  'fetchTimeoutMs', 'usefulAfterMs', 'fallbackAfter'];
const FLAGS = ['autoTabCleanup', 'shareAcrossTabs'];
const STRINGS = ['format', 'url', 'notificationsUrl'];
const STAT_NAMES = ['attempts', 'opens', 'frames', 'messages', 'fetches', 'fetchErrors', 'duplicates',
  'resyncs', 'errors', 'failures', 'subscriptions'];
const RESOURCE_NAMES = ['socket', 'fetch', 'timer', 'pageListeners', 'handlers', 'channel'];
// Subscription flags (src/web/api.rs `flags`).
const PERSIST = 1, RESYNC = 2;

/**
 * `coalesceMs` of `o`, checked by Rust (`checkCoalesce`): 0 when absent (or null); throws
 * `invalid-option` for a bad value or another type.
 */
const coalesce = (o) => {
  const ms = o?.coalesceMs ?? 0;
  if (typeof ms !== 'number' || !checkCoalesce(ms)) throw invalid('coalesceMs');
  return ms;
};

/** The `invalid-option` error (the same text as crates/core/src/error.rs). */
const invalid = (name) => makeError(`wok-push: invalid option: ${name}`, 'invalid-option');

/**
 * The `Engine` arguments for `options`: each number or flag as is when it has the expected
 * type and as NaN when it has another, with a bit of `given` set when it is not undefined;
 * each string as is, '' for another type, absent when undefined. Rust checks them all and
 * names the bad one.
 */
function settings(o) {
  if (o === undefined || o === null) o = {};
  else if (typeof o !== 'object') throw invalid('options');
  let given = 0;
  const numbers = [...NUMBERS, ...FLAGS].map((k, i) => {
    const v = o[k];
    if (v === undefined) return 0;
    given |= 1 << i;
    return typeof v === (i < NUMBERS.length ? 'number' : 'boolean') ? +v : NaN;
  });
  return [given, numbers, ...STRINGS.map((k) => {
    const v = o[k];
    return v === undefined || typeof v === 'string' ? v : '';
  })];
}

/** The manager registered on this page by any copy, if it honours contract 1. */
function current() {
  const slot = globalThis[KEY];
  const m = slot != null ? slot.manager : undefined;
  return m != null && typeof m.open === 'function' && typeof m.subscribe === 'function' ? m : undefined;
}

/** The page's manager, created (closed) from `options` if the page has none yet. */
function getOrCreate(options) {
  const table = makeTable();
  const port = makePort();
  // Made first, so bad options throw even when the page has its manager (then freed: an
  // engine does nothing before it is opened).
  const engine = new Engine(...settings(options), table, port);
  const m = current();
  if (m !== undefined) {
    engine.free();
    return m;
  }
  // The port's only way back into wasm (no closure): wired before anything can open.
  port.cb = engine.input.bind(engine);
  const made = new PushManager(engine, table, port);
  globalThis[KEY] = { manager: made, contract: CONTRACT, version: VERSION };
  return made;
}

/**
 * Returns the page's one connection manager, connecting it. The first call on a page creates
 * it with `options`; later calls (from any copy or version of wok-push on the page) return
 * the same manager, reopen it if it was closed, and ignore their options after validating
 * them. Throws an `Error` with `code: 'invalid-option'` naming a bad option.
 *
 *   import init, { connect } from 'wok-push';
 *   await init();
 *   const push = connect({ pollIntervalMs: 5000 });
 */
export function connect(options) {
  const m = getOrCreate(options);
  m.open();
  return m;
}

/**
 * Installs WoK's notification API on an existing `wok` object, backed by the page's manager:
 * `wok.addNotificationListener(msg, fn, persist)` and `wok.startNotificationWebSocket()`,
 * with the stock semantics (listeners get the message string; non-persistent ones are
 * dropped on the next `hashchange`), and called again after a gap so tabs refresh.
 * Deliberate differences from stock `wok.main.js`: removing a listener that is already gone
 * removes nothing; the socket reconnects and falls back to polling; one socket per page.
 * With `{ coalesceMs }` every listener it adds coalesces (see `subscribe`); off by default.
 * Throws (`invalid-option`) when `wok` is not an object or `coalesceMs` is bad.
 *
 *   installWokCompat(window.wok, { coalesceMs: 250 });
 *   wok.addNotificationListener('METHOD:/kimchi/vms', kimchi.listVmsAuto);
 */
export function installWokCompat(wok, options) {
  if (wok === null || (typeof wok !== 'object' && typeof wok !== 'function')) throw invalid('wok');
  const o = { coalesceMs: coalesce(options) }; // checked once, and no later change of `options` counts
  const m = getOrCreate(undefined);
  wok.addNotificationListener = (msg, fn, persist) => m.addNotificationListener(msg, fn, persist, o);
  wok.startNotificationWebSocket = m.open.bind(m);
}

/** The page's connection manager (one per page, see `connect`). */
export class PushManager {
  /** @private Made by `connect()` only. */
  constructor(engine, table, port) {
    this._e = engine;
    this._t = table;
    this._p = port;
  }

  /** Frees the manager's wasm memory (the page singleton is normally never freed). */
  free() {
    const e = this._e;
    if (e === null) return;
    this._e = null;
    const slot = globalThis[KEY];
    if (slot != null && slot.manager === this) delete globalThis[KEY];
    e.free(); // detaches and closes everything the port holds
    this._p.cb = () => {};
  }

  /**
   * Subscribes `handler` to a code or glob (`*` matches any run: `'POST:/kimchi/*'`).
   * Handlers run in subscription order; one that throws is reported through `on('error')`
   * and nobody else misses the message. With `coalesceMs` (contract 2), the first message
   * after a quiet window is delivered at once and the rest of each `coalesceMs` window are
   * folded into one trailing call with the latest message and `coalesced: n`. Throws
   * (`invalid-option`) for an empty code, a handler that is not a function or a bad
   * `coalesceMs`.
   *
   *   push.subscribe('METHOD:/kimchi/vms', (msg) => refresh(), { tab: 'kimchi-guests' });
   *   push.subscribe('POST:/wok/logs', reloadLog, { coalesceMs: 250 });
   */
  subscribe(code, handler, options) {
    if (typeof code !== 'string' || code === '') throw invalid('code');
    if (typeof handler !== 'function') throw invalid('handler');
    const o = options != null && typeof options === 'object' ? options : {};
    const flags = (o.persist ? PERSIST : 0) | (o.resync ? RESYNC : 0);
    const id = this._e.subscribe(code, typeof o.tab === 'string' ? o.tab : undefined, flags, coalesce(o));
    addSub(this._t, id, handler, false);
    return new Subscription(this, id);
  }

  /**
   * WoK's own listener API: `fn(message)` is called with the code string; without `persist`
   * the listener is dropped on the next `hashchange`; it is also called after a gap (resync).
   * `options.coalesceMs` (contract 2) coalesces as in `subscribe`.
   *
   *   push.addNotificationListener('POST:/wok/logs', refreshLogs);
   */
  addNotificationListener(msg, handler, persist, options) {
    if (typeof msg !== 'string' || msg === '' || typeof handler !== 'function') return;
    // Stock WoK tests `persist == undefined`: any value but undefined and null (false too)
    // makes it persistent.
    const keep = persist != null;
    const id = this._e.subscribe(msg, keep ? undefined : 'wok', (keep ? PERSIST : 0) | RESYNC, coalesce(options));
    addSub(this._t, id, handler, true);
  }

  /**
   * Adds a listener for `'state'`, `'error'` or `'resync'`; returns a function that removes
   * it (idempotent; holds nothing once called). Throws (`invalid-option`) for another name.
   *
   *   const off = push.on('state', (e) => badge(e.state, e.reason));
   */
  on(event, listener) {
    const kind = EVENTS.indexOf(event);
    if (kind < 0) throw invalid('event');
    if (typeof listener !== 'function') throw invalid('listener');
    return listen(this._t, kind, listener);
  }

  /** Drops every subscription of `tab`; returns how many were dropped. */
  closeTab(tab) {
    return typeof tab === 'string' ? this._e.closeTab(tab) : 0;
  }

  /** Opens the manager if it is closed (what `connect()` does); no-op otherwise. */
  open() {
    this._e.open();
  }

  /** Connects now: reopens, retries at once, starts again after an ended session (`session-expired`). */
  reconnect() {
    this._e.reconnect();
  }

  /** Closes the socket and aborts any fetch; no handler is called afterwards. Subscriptions stay. */
  close() {
    this._e.close();
  }

  /** The release of the copy of wok-push that made this manager, e.g. `'0.3.0'`. */
  get version() {
    return VERSION;
  }

  /** The contract between copies this manager honours (see the singleton above). */
  get contract() {
    return CONTRACT;
  }

  /** The current state: `'connecting' | 'open' | 'polling' | 'backoff' | 'closed'`. */
  get state() {
    return this._e.names().split(' ')[0];
  }

  /** The current transport: `'websocket' | 'polling' | null`. */
  get transport() {
    return this._e.names().split(' ')[1] || null;
  }

  /** Counters and owned resources, for dashboards and tests. */
  stats() {
    const [state, transport, role] = this._e.names().split(' ');
    const n = this._e.counters();
    const o = { state, transport: transport || null, role };
    STAT_NAMES.forEach((k, i) => { o[k] = n[i]; });
    o.resources = {};
    RESOURCE_NAMES.forEach((k, i) => { o.resources[k] = n[STAT_NAMES.length + i]; });
    return o;
  }
}

/** A handle on one subscription; `unsubscribe()` is idempotent. */
export class Subscription {
  /** @private Made by `subscribe()` only. */
  constructor(manager, id) {
    this._m = manager;
    this._id = id;
  }

  /** Removes the subscription; calling it again does nothing. Returns whether it was live. */
  unsubscribe() {
    const e = this._m._e;
    return e !== null && e.unsubscribe(this._id);
  }

  /** Whether the subscription is still live (not unsubscribed, not dropped with its tab). */
  get active() {
    const e = this._m._e;
    return e !== null && e.active(this._id);
  }

  /** Nothing to free (a plain object since 0.3.0; kept for callers of 0.2's wasm object). */
  free() {}

  /** The subscription's id (unique per manager). */
  get id() {
    return this._id;
  }
}
