// Where the script CPU of a message goes: Chromium's sampling profiler over bench.html's
// no-network workload (the one bench/cpu.mjs times), self time per function, wasm included.
//
//   WOK_PUSH_NAMES=1 node scripts/build.mjs    a pkg/ whose wasm keeps its function names
//   node bench/profile.mjs                     one code, 20 per frame
//   node bench/profile.mjs '?codes=2'          two codes in turn
//   node scripts/build.mjs                     the shipped build again (names cost ~8 KB gz)
//
// The JS module is minified: a JS row names its column in pkg/wok_push.js.
import { launch } from '../tests/e2e/helpers.mjs';
import { startBackend } from '../server/backend.mjs';

const query = process.argv[2] || '';
const [n, perFrame, subs] = [100000, 20, 10];
const backend = await startBackend({ port: 0 });
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(`${backend.url}/test/bench.html${query}`);
  await page.waitForFunction(() => window.ready === true);
  const run = () => page.evaluate(([a, b, c]) => window.bench.cpu('wok', a, b, c), [n, perFrame, subs]);
  for (let i = 0; i < 3; i++) await run(); // warm-up (JIT, wasm tier-up)
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  let ms = 0;
  for (let i = 0; i < 5; i++) ms += await run();
  const { profile } = await cdp.send('Profiler.stop');
  console.log(`${((ms / 5) * 1e6 / n).toFixed(0)} ns per message (${subs} handlers each, ${perFrame} per frame${query ? ', ' + query : ''})`);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (const id of profile.samples) {
    const f = byId.get(id).callFrame;
    const where = f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}` : '';
    const key = `${(f.functionName || '(anonymous)').replace(/::h[0-9a-f]{16}$/, '')}${where}`;
    self.set(key, (self.get(key) || 0) + 1);
  }
  const total = profile.samples.length;
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`);
  }
} finally {
  await browser.close();
  await backend.close();
}
process.exit(0);
