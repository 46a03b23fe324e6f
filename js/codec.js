// The browser's JSON and base64 for the wasm core (a wasm-bindgen snippet): JSON.parse and
// atob instead of a parser compiled into the wasm. Rules: crates/core/src/platform.rs.

/**
 * Reads `text` as a notification object or an array of them. Returns 1 (malformed),
 * 2 (other shape), 3 (more than `max` items) or `[isArray, code, message, timestamp, …]`.
 */
export function readNotices(text, max) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (_) {
    return 1;
  }
  const array = Array.isArray(v);
  const list = array ? v : [v];
  if (list.length > max) return 3;
  const out = [array];
  for (const n of list) {
    if (n === null || typeof n !== 'object' || Array.isArray(n) || typeof n.code !== 'string') return 2;
    const m = n.message ?? undefined;
    const t = n.timestamp ?? undefined;
    if ((m !== undefined && typeof m !== 'string') || (t !== undefined && typeof t !== 'string')) return 2;
    out.push(n.code, m, t);
  }
  return out;
}

/** base64 (padding optional) to a binary string, or undefined when invalid. */
export function fromBase64(text) {
  try {
    return atob(text.trim());
  } catch (_) {
    return undefined;
  }
}
