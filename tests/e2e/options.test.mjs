// The options are checked twice from one declaration (crates/core/src/config.rs `Opt`): in JS
// by js/options.js (generated tables; what connect() and the classic loader run, before any
// wasm) and in the engine by Config::set and Manager::new. Over a grid of values for every
// option, the two agree on accepting and on the option an error names. Runs in Node with the
// built package (pkg/), no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
globalThis.__WOK_PUSH_VERSION__ = 'test'; // js/slot.js reads the build's define
// The wasm-bindgen glue the build bundles (it exports Engine; the package does not).
const { initSync, Engine } = await import(join(root, 'target', 'pkg-build', 'glue', 'wok_push.js'));
const { readOptions } = await import(join(root, 'js', 'options.js'));
const { makeTable } = await import(join(root, 'js', 'dispatch.js'));
const { makePort } = await import(join(root, 'js', 'io.js'));
initSync({ module: readFileSync(join(root, 'pkg', 'wok_push_bg.wasm')) });

const outcome = (f) => { try { f(); return 'ok'; } catch (e) { return `${e.code}: ${e.message}`; } };
/** What the engine says of already-read arguments (a closed engine does nothing; freed at once). */
const engine = (args) => outcome(() => new Engine(...args, makeTable(), makePort()).free());

const NUMBERS = [undefined, 0, 0.5, 1, 1.5, 2, 40000, 2147483647, 2147483648, 1e6, 1e6 + 1, -1, NaN, Infinity, -Infinity];
const OTHERS = ['5', true, false, null, {}, '', 'auto', 'wok', 'json', 'xml', '/x', 'ws://127.0.0.1:1/'];
const FORMATS = ['auto', 'wok', 'json'];
const NAMES = ['heartbeatMs', 'reconnectMinMs', 'reconnectMaxMs', 'pollIntervalMs', 'connectTimeoutMs', 'fetchTimeoutMs',
  'usefulAfterMs', 'fallbackAfter', 'autoTabCleanup', 'shareAcrossTabs', 'format', 'url', 'notificationsUrl'];

test('js/options.js and the engine accept and reject the same options, naming the same one', () => {
  let compared = 0, rejected = 0;
  const check = (o) => {
    let args;
    const js = outcome(() => { args = readOptions(o); });
    // What the engine would say of the same values had JS let them through: the numbers and
    // flags as given (a wrong type as NaN), a format not known as an index past the list, an
    // empty or mistyped URL as ''.
    let raw = args;
    if (raw === undefined) {
      raw = [0, Array(10).fill(0), o.format === undefined ? 0 : FORMATS.indexOf(o.format), 'ws://127.0.0.1:1/', '/notifications'];
      NAMES.slice(0, 10).forEach((k, i) => {
        const v = o[k];
        if (v === undefined) return;
        raw[0] |= 1 << i;
        raw[1][i] = typeof v === (i < 8 ? 'number' : 'boolean') ? +v : NaN;
      });
      if (raw[2] < 0) raw[2] = 99;
      if (o.url !== undefined && (typeof o.url !== 'string' || o.url === '')) raw[3] = '';
      if (o.notificationsUrl !== undefined && (typeof o.notificationsUrl !== 'string' || o.notificationsUrl === '')) raw[4] = '';
    }
    const rust = engine(raw);
    assert.equal(js, rust, JSON.stringify(o));
    compared++;
    if (js !== 'ok') rejected++;
  };
  for (const k of NAMES) for (const v of [...NUMBERS, ...OTHERS]) check({ [k]: v });
  // Relations: reconnectMaxMs may not be below reconnectMinMs (their defaults count).
  for (const min of [undefined, 1, 1.5, 500, 30000, 40000]) {
    for (const max of [undefined, 1, 1.2, 499, 500, 30000, 40000]) check({ reconnectMinMs: min, reconnectMaxMs: max });
  }
  check({ heartbeatMs: -1, format: 'xml' }); // the first bad one, in the engine's order
  check({ format: 'xml', reconnectMinMs: 40000 });
  assert.ok(compared > 350 && rejected > 250, `${compared} compared, ${rejected} rejected`);
});
