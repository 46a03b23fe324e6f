// The hot path of delivery, in JS: wasm makes one call per message instead of one per
// handler (each wasm→JS call costs a boundary crossing and a try/catch shim).
// Shipped as a wasm-bindgen snippet next to the glue; no eval, no globals.

/** A handler record: the subscriber's function and how to call it. */
export function makeRecord(f, compat, id) {
  return { f, compat, id, live: true };
}

/** The object a subscription handler receives. */
export function makeMessage(code, source, message, timestamp) {
  const m = { code, source };
  if (message !== undefined) m.message = message;
  if (timestamp !== undefined) m.timestamp = timestamp;
  return m;
}

/**
 * Calls each live record of `list`, in order, with `msg` (or `code` for WoK-compat records);
 * stops if the manager is closed meanwhile (`gate.closed`). Records removed by an earlier
 * handler (`live = false`) are skipped. Returns `[record, error, …]` for the handlers that
 * threw, or undefined: a throw affects nobody else.
 */
export function dispatch(list, msg, code, gate) {
  let failed;
  for (let i = 0; i < list.length; i++) {
    if (gate.closed) break;
    const h = list[i];
    if (!h.live) continue;
    try {
      h.f(h.compat ? code : msg);
    } catch (e) {
      (failed || (failed = [])).push(h, e);
    }
  }
  return failed;
}
