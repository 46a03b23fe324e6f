// The page singleton and the contract between copies of wok-push, shared by the ES module
// (js/api.js) and the classic loader (js/wok-push.js), which both bundle this file.
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
export const KEY = Symbol.for('wok-push');
export const CONTRACT = 2;
// The release, set by the build (WOK_PUSH_VERSION overrides it for the two-releases test).
export const VERSION = __WOK_PUSH_VERSION__;

/**
 * While a copy loads its wasm (`init()`, the classic loader from the moment it runs),
 * `globalThis[LOADING]` holds a promise that settles when it is done. Another copy's `init()`
 * that finds it waits for it (and one task more: that page calls `connect()` right after),
 * and loads no wasm of its own if a manager exists by then: one wasm per page whichever copy
 * comes first. Copies older than 0.4 neither set nor read it, and load their own.
 */
export const LOADING = Symbol.for('wok-push.loading');

/** The manager registered on this page by any copy, if it honours contract 1. */
export function current() {
  const slot = globalThis[KEY];
  const m = slot != null ? slot.manager : undefined;
  return m != null && typeof m.open === 'function' && typeof m.subscribe === 'function' ? m : undefined;
}
