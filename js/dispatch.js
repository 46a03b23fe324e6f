// The handler table of one manager, in JS: the only place a subscription id or a listener
// meets its function. The core (wasm) owns every other fact of a subscription (pattern,
// tab, persistence) and decides who is called; this file calls them. Shipped as a
// wasm-bindgen snippet next to the glue; no eval, no globals.
//
// Rules (the DOM EventTarget rule, per message):
// - a handler is looked up at call time: one removed by an earlier handler is skipped;
// - `epoch` changes when the manager closes: a delivery under way stops at once;
// - a throwing handler is reported, the others still run;
// - removal functions are idempotent and keep nothing once called or once the table is freed.

/** The `on()` event names; a name's index is its kind. */
export const EVENTS = ['state', 'error', 'resync'];
const STATE = 0, ERROR = 1, RESYNC = 2;

/**
 * A new, empty table: subscription handlers by id, `on()` listeners by kind, and the
 * handlers that threw during the last dispatch (`[id, error, …]`), the last dispatch's code,
 * and the codes and id lists the wasm named by slot (src/web/driver.rs `call`).
 */
export function makeTable() {
  return { subs: new Map(), on: EVENTS.map(() => new Set()), epoch: 0, failed: [], code: '', codes: [], lists: [] };
}

/** Registers subscription `id`: `f(msg)`, or `f(code)` for WoK-compat listeners. */
export function addSub(t, id, f, compat) {
  t.subs.set(id, { f, compat });
}

/** Forgets subscription `id`; whether it was there. */
export function removeSub(t, id) {
  return t.subs.delete(id);
}

/** Handlers and listeners held. */
export function handlerCount(t) {
  let n = t.subs.size;
  for (const set of t.on) n += set.size;
  return n;
}

/** The manager closed: any delivery under way stops before its next handler. */
export function bumpEpoch(t) {
  t.epoch++;
}

/**
 * Calls the handlers of `ids` (or those `slot` holds) in order with the message `{ code, source, message?,
 * timestamp?, coalesced }` (or `code` for compat ones), built here: one wasm→JS call per
 * message. `coalesced` is how many messages the call stands for: 1, n for a coalescing
 * subscription's trailing call, 0 for a resync call.
 * Returns how many handlers threw (the wasm then reports each, see `failedId`); usually 0,
 * so the common path hands nothing back to wasm.
 */
export function dispatch(t, slot, ids, code, source, message, timestamp, coalesced) {
  // An undefined code or id list is the one `slot` holds (src/web/driver.rs `call`). A new
  // `ids` views wasm memory, which a handler may grow: copied before anyone is called.
  if (code === undefined) code = t.codes[slot];
  else t.codes[slot] = code;
  t.code = code;
  const list = ids === undefined ? t.lists[slot] : (t.lists[slot] = ids.slice());
  const msg = makeMessage(code, source, message, timestamp, coalesced);
  const epoch = t.epoch;
  let failed = 0;
  for (const id of list) {
    if (t.epoch !== epoch) break;
    const h = t.subs.get(id);
    if (h === undefined) continue;
    try {
      h.f(h.compat ? code : msg);
    } catch (e) {
      if (failed++ === 0) t.failed = [];
      t.failed.push(id, e);
    }
  }
  return failed;
}

/** The id of the `i`-th handler that threw in the last dispatch. */
export function failedId(t, i) {
  return t.failed[2 * i];
}

/**
 * Adds an `on(kind)` listener; returns its removal function. Calling that function again
 * does nothing; once called (or once the table is freed) it holds neither the listener
 * nor the table.
 */
export function listen(t, kind, f) {
  let set = t.on[kind];
  let rec = { f };
  set.add(rec);
  return () => {
    if (set !== null) {
      set.delete(rec);
      rec.f = null;
      set = rec = null;
    }
  };
}

/** Calls the `on(kind)` listeners present when the event starts; a throw is ignored. */
function emit(t, kind, arg) {
  const set = t.on[kind];
  for (const rec of Array.from(set)) {
    if (!set.has(rec)) continue;
    try {
      rec.f(arg);
    } catch (_) {
      // A listener's failure is its own.
    }
  }
}

/** Emits 'state' with its event object (`retryIn` < 0: none). */
export function emitState(t, previous, state, transport, reason, reasonCode, retryIn) {
  const e = { previous, state, transport: transport ?? null, reason, reasonCode };
  if (retryIn >= 0) e.retryIn = retryIn;
  emit(t, STATE, e);
}

/** Emits 'resync'. */
export function emitResync(t) {
  emit(t, RESYNC, { source: 'resync' });
}

/** Emits 'error' with `err`. */
export function emitError(t, err) {
  emit(t, ERROR, err);
}

/**
 * Emits 'error' with `err` (a `handler-threw` error) for the `i`-th handler that threw in
 * the last dispatch: what it threw, that dispatch's code, the handler's tab and its id.
 */
export function reportThrew(t, i, err, tab) {
  const f = t.failed;
  err.cause = f[2 * i + 1];
  err.messageCode = t.code;
  err.tab = tab;
  err.subscription = f[2 * i];
  if (2 * i + 2 >= f.length) t.failed = []; // the last one: keep no thrown value
  emitError(t, err);
}

/** Forgets everything (the manager was freed). */
export function clearTable(t) {
  t.subs.clear();
  for (const set of t.on) {
    for (const rec of set) rec.f = null;
    set.clear();
  }
  t.epoch++;
}

const SOURCES = ['push', 'poll', 'resync'];

/** The object a subscription handler receives (`source`: 0 push, 1 poll, 2 resync). */
function makeMessage(code, source, message, timestamp, coalesced) {
  source = SOURCES[source];
  const m = { code, source, coalesced };
  if (message !== undefined) m.message = message;
  if (timestamp !== undefined) m.timestamp = timestamp;
  return m;
}
