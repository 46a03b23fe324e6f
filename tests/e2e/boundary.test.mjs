// The Rust↔JS vocabulary is written on both sides (the wasm boundary carries numbers and
// strings, not names): this test reads both and fails on any drift. Rust is the reference;
// each check names the two places.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const read = (p) => readFileSync(join(root, p), 'utf8');
const between = (text, from, to) => {
  const i = text.indexOf(from);
  assert.ok(i >= 0, `${from} not found`);
  const j = text.indexOf(to, i + from.length);
  assert.ok(j >= 0, `${to} not found after ${from}`);
  return text.slice(i + from.length, j);
};
const strings = (text) => [...text.matchAll(/["']([\w-]+)["']/g)].map((m) => m[1]);
const consts = (text, re) => Object.fromEntries([...text.matchAll(re)].map((m) => [m[1], Number(m[2])]));

test('event kinds: src/web/port.rs `mod ev` = js/io.js constants', () => {
  const rust = consts(between(read('src/web/port.rs'), 'pub mod ev {', '}'), /pub const (\w+): u32 = (\d+);/g);
  const js = consts(between(read('js/io.js'), '\nconst OPEN', ';').replace(/^/, 'OPEN'), /(\w+) = (\d+)/g);
  assert.ok(Object.keys(rust).length >= 20);
  assert.deepEqual(js, rust);
});

test('options: src/web/options.rs (Raw::NAMES, the string slots) = js/api.js NUMBERS, FLAGS, STRINGS', () => {
  const opts = read('src/web/options.rs');
  const api = read('js/api.js');
  const rustNumbers = strings(between(opts, 'pub const NAMES: [&\'static str; 10] = [', '];'));
  const jsNumbers = [...strings(between(api, 'const NUMBERS = [', '];')), ...strings(between(api, 'const FLAGS = [', '];'))];
  assert.deepEqual(jsNumbers, rustNumbers);
  // parse() takes `let [format, url, notifications_url] = raw.strings` and names each in its error.
  const order = between(opts, 'let [format, url, notifications_url] = raw.strings;', 'Ok(Options');
  const rustStrings = [...order.matchAll(/string\(\w+, "(\w+)"\)/g)].map((m) => m[1]);
  assert.deepEqual(strings(between(api, 'const STRINGS = [', '];')), rustStrings);
});

test('stats: src/web/api.rs Engine::counters() order = js/api.js STAT_NAMES then RESOURCE_NAMES', () => {
  const rs = read('src/web/api.rs');
  const body = between(rs, 'pub fn counters(&self) -> Vec<u32> {', '.to_vec()');
  const fields = between(body, '[\n', ']').split(',').map((s) => s.trim()).filter(Boolean)
    .map((s) => s.replace(/^s\./, '').replace(/ as u32$/, ''));
  const resources = between(body, 'let [', '] = self.inner.resources();').split(',').map((s) => s.trim());
  const camel = (s) => s.replace(/_(\w)/g, (_, c) => c.toUpperCase());
  const api = read('js/api.js');
  const stats = strings(between(api, 'const STAT_NAMES = [', '];'));
  const res = strings(between(api, 'const RESOURCE_NAMES = [', '];'));
  // `subs` is the subscription count; `page` the page listeners.
  const rename = { subs: 'subscriptions', page: 'pageListeners' };
  assert.deepEqual([...stats, ...res], fields.map((f) => rename[f] || camel(f)));
  assert.deepEqual(res.map((n) => Object.entries(rename).find(([, v]) => v === n)?.[0] || n), resources);
});

test('resources: js/io.js resources() → src/web/driver.rs resources() → js/api.js RESOURCE_NAMES', () => {
  // io.js answers [ws, fetch, timer, page, ch]; the driver destructures that and inserts the
  // handler count; api.js names the result.
  const io = between(read('js/io.js'), 'export function resources(port) {', '}\n');
  const portField = { ws: 'socket', fetch: 'fetch', timer: 'timer', page: 'page', ch: 'channel' };
  const fromIo = [...io.matchAll(/port\.(\w+) === null/g)].map((m) => portField[m[1]]);
  const driver = read('src/web/driver.rs');
  const fn = between(driver, 'pub fn resources(&self) -> [usize; 6] {', '\n    }');
  assert.deepEqual(between(fn, 'let [', '] = self.port.resources();').split(',').map((x) => x.trim()), fromIo);
  const out = between(fn, 'self.port.resources();\n        [', ']').split(',').map((x) => x.trim()).filter(Boolean)
    .map((x) => (x.startsWith('handler_count') ? 'handlers' : x === 'page' ? 'pageListeners' : x));
  assert.deepEqual(out, strings(between(read('js/api.js'), 'const RESOURCE_NAMES = [', '];')));
});

test('subscription flags: src/web/api.rs `mod flags` = js/api.js PERSIST, RESYNC', () => {
  const rust = consts(between(read('src/web/api.rs'), 'pub mod flags {', '}\n'), /pub const (\w+): u32 = (\d+);/g);
  const js = consts(between(read('js/api.js'), 'const PERSIST', ';').replace(/^/, 'PERSIST'), /(\w+) = (\d+)/g);
  assert.deepEqual(js, rust);
});

test('message sources: crates/core/src/notice.rs Source names = js/dispatch.js SOURCES, by discriminant', () => {
  const notice = read('crates/core/src/notice.rs');
  const names = Object.fromEntries([...notice.matchAll(/Source::(\w+) => "(\w+)"/g)].map((m) => [m[1], m[2]]));
  const variants = [...between(notice, 'pub enum Source {', '}').matchAll(/^\s*(\w+)(?: = (\d+))?,/gm)].map((m) => m[1]);
  const js = strings(between(read('js/dispatch.js'), 'const SOURCES = [', '];'));
  assert.deepEqual(js.slice(0, variants.length), variants.map((v) => names[v]));
  assert.equal(js.at(-1), 'resync', 'the last one is the resync call, made in JS');
});

test('heartbeat: crates/core/src/frame.rs payloads = what js/io.js sends', () => {
  const frame = read('crates/core/src/frame.rs');
  const raw = /Protocol::Binary => "(\w+)"/.exec(frame)[1];
  const b64 = /Protocol::Base64 => "([\w=]+)"/.exec(frame)[1];
  assert.equal(Buffer.from(raw).toString('base64').replace(/=+$/, ''), b64);
  const send = between(read('js/io.js'), 'export function sendHeartbeat(', '}\n');
  assert.ok(send.includes(`'${b64}'`) && send.includes(`encode('${raw}')`), send);
});

test('relayed state: the bits js/io.js packs are the bits src/web/port.rs unpacks', () => {
  const port = read('src/web/port.rs');
  const unpack = between(port, 'ev::RELAY_STATE => {', '}');
  const shifts = { state: /State::from_code\(\(gen >> (\d+)\) as u8\)/.exec(unpack)?.[1],
    previous: /previous: State::from_code\(\(gen >> (\d+)\) as u8\)/.exec(unpack)?.[1] };
  const pack = /cb\(RELAY_STATE, \(r \| \(p << (\d+)\) \| \(s << (\d+)\)\) >>> 0/.exec(read('js/io.js'));
  assert.ok(pack, 'js/io.js packs reason | previous << a | state << b');
  assert.deepEqual({ previous: pack[1], state: pack[2] }, shifts);
  assert.match(unpack, /gen & 0xffff|gen as u16/, 'the reason is the low 16 bits');
});
