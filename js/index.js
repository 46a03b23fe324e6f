// The package entry (pkg/wok_push.js once bundled by scripts/build.mjs): the wasm loader and
// the public API (js/api.js).
import glueInit, { initSync as glueInitSync } from 'wok-push:engine';
import { initialized } from './api.js';
import { LOADING, current } from './slot.js';

export { connect, installWokCompat, PushManager, Subscription } from './api.js';

/**
 * Loads the wasm (`wok_push_bg.wasm` next to the module unless told where). When another copy
 * on the page is loading its own (js/slot.js `LOADING`), waits for it, and loads nothing if a
 * manager exists by then: `connect()` returns that manager. Resolves to the wasm's exports
 * (undefined when nothing was loaded).
 */
export default async function init(where) {
  // Up to the first await this runs at once: a copy that loads says so before anyone can look.
  const other = globalThis[LOADING];
  if (other !== undefined && current() === undefined) {
    await Promise.resolve(other).catch(() => {});
    await new Promise((r) => setTimeout(r, 0));
  }
  if (current() !== undefined) return undefined;
  const loading = glueInit(where);
  if (globalThis[LOADING] === undefined) globalThis[LOADING] = loading;
  const exports = await loading;
  initialized();
  return exports;
}

/** Loads the wasm synchronously from its bytes or a compiled module. */
export function initSync(module) {
  const exports = glueInitSync(module);
  initialized();
  return exports;
}
