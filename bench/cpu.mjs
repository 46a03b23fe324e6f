// CPU per message, no network: bench.html's stand-in WebSocket feeds the same frames to
// wok-push and to the raw-JS baseline in one headless Chromium (tests/pages/bench.html
// `B.cpu`). Without the server and the kernel in the way this is the clients' own work; each
// side runs in fresh pages in turn and the figure is the median over pages (see
// `cpuFigures`): raw JS within about ±10 % from run to run, and one build against itself
// within 5 % in 8 of 9 rows (17 % in the ninth), so it also compares two builds:
//
//   node bench/cpu.mjs                 this checkout's pkg/ against raw JS
//   node bench/cpu.mjs ../other        and the other checkout's pkg/ (built), in turn
//
// Used by bench/run.mjs (`cpuFigures`) and on its own while optimising.
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launch } from '../tests/e2e/helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The workloads: messages, messages per frame, the page's query (codes in turn). */
export const CPU_WORKLOADS = [
  { key: 'one code, 20/frame', n: 100000, perFrame: 20, query: '' },
  { key: 'one code, 1/frame', n: 25000, perFrame: 1, query: '' },
  { key: 'two codes in turn, 20/frame', n: 100000, perFrame: 20, query: '?codes=2' },
];

/** The middle value of `a` (the upper one of an even count). */
export const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

/**
 * Runs every workload on raw JS and on each build, in `pages` fresh pages per side (each
 * warmed up, then timed `rounds` times), and returns `{ [workload]: { raw: msg/s, [build]:
 * msg/s } }`: the median over the pages of each page's median.
 *
 * Fresh pages, not more rounds in one: a page's JIT state moves a side by up to 1.8 × (the
 * same build measured 2.9 M and 4.1 M msg/s in two pages of one run, raw JS 3.8 M and 6.9 M),
 * while the rounds of one page agree within a few percent. Raw JS has pages of its own, so
 * it never shares the JIT's feedback (the handler `hit`) with wok-push.
 */
export async function cpuFigures(builds, { pages = 5, rounds = 3, subs = 10 } = {}) {
  const browser = await launch();
  const out = {};
  const sides = [{ name: 'raw', side: 'raw', url: builds[0].url }, ...builds.map((b) => ({ name: b.name, side: 'wok', url: b.url }))];
  try {
    for (const w of CPU_WORKLOADS) {
      const perPage = Object.fromEntries(sides.map((s) => [s.name, []]));
      for (let i = 0; i < pages; i++) {
        // The sides in turn, page by page (the machine drifts).
        for (const s of sides) {
          const page = await browser.newPage();
          await page.goto(`${s.url}/test/bench.html${w.query}`);
          await page.waitForFunction(() => window.ready === true);
          const one = () => page.evaluate(([side, n, f, k]) => window.bench.cpu(side, n, f, k), [s.side, w.n, w.perFrame, subs]);
          await one(); await one(); // warm-up (JIT, wasm tier-up)
          const ms = [];
          for (let r = 0; r < rounds; r++) ms.push(await one());
          perPage[s.name].push(median(ms));
          await page.close();
        }
      }
      out[w.key] = Object.fromEntries(Object.entries(perPage).map(([k, v]) => [k, (w.n / median(v)) * 1000]));
    }
  } finally {
    await browser.close();
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dirs = [root, ...process.argv.slice(2).map((d) => resolve(d))];
  const backends = [];
  const builds = [];
  for (const [i, d] of dirs.entries()) {
    const { startBackend } = await import(pathToFileURL(join(d, 'server/backend.mjs')).href);
    const b = await startBackend({ port: 0 });
    backends.push(b);
    builds.push({ name: i === 0 ? 'this' : d, url: b.url });
  }
  const figs = await cpuFigures(builds);
  for (const [w, f] of Object.entries(figs)) {
    const parts = Object.entries(f).map(([k, v]) => `${k} ${Math.round(v)}` + (k === 'raw' ? '' : ` (${(v / f.raw).toFixed(2)}×)`));
    console.log(`${w}: ${parts.join(' · ')} msg/s`);
  }
  for (const b of backends) await b.close();
  process.exit(0);
}
