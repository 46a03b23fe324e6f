// CPU per message, no network: bench.html's stand-in WebSocket feeds the same frames to
// wok-push and to the raw-JS baseline in one headless Chromium (tests/pages/bench.html
// `B.cpu`). Without the server and the kernel in the way this is the clients' own work,
// steady to a few percent, so it also compares two builds:
//
//   node bench/cpu.mjs                 this checkout's pkg/ against raw JS
//   node bench/cpu.mjs ../other        and the other checkout's pkg/ (built), alternating
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
 * Runs every workload `rounds` times on each build's page and on raw JS, alternating, and
 * returns `{ [workload]: { raw: msg/s, [build]: msg/s } }` (medians).
 */
export async function cpuFigures(builds, { rounds = 7, subs = 10 } = {}) {
  const browser = await launch();
  const out = {};
  try {
    const pages = [];
    for (const b of builds) pages.push({ name: b.name, page: await browser.newPage(), url: b.url });
    for (const w of CPU_WORKLOADS) {
      const runs = { raw: [] };
      for (const p of pages) {
        runs[p.name] = [];
        await p.page.goto(`${p.url}/test/bench.html${w.query}`);
        await p.page.waitForFunction(() => window.ready === true);
      }
      const one = (p, side) => p.page.evaluate(([s, n, f, k]) => window.bench.cpu(s, n, f, k), [side, w.n, w.perFrame, subs]);
      for (const p of pages) { await one(p, 'wok'); await one(p, 'raw'); } // warm-up (JIT, wasm tier-up)
      for (let i = 0; i < rounds; i++) {
        runs.raw.push(await one(pages[i % pages.length], 'raw'));
        for (const p of pages) runs[p.name].push(await one(p, 'wok'));
      }
      out[w.key] = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, (w.n / median(v)) * 1000]));
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
