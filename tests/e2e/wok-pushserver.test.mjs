// WoK's real push server (`../shared/upstream/wok/src/wok/pushserver.py`, run by
// tests/wok/harness.py) behind Debian's websockify, as wokd runs it: the patch series in
// contrib/wok/ applies to the upstream tree; stock, the server answers nothing; patched, it
// answers a client heartbeat on that client's connection only; and wok-push in Chromium and
// Firefox, through the fault proxy, notices a blackhole against the patched server within
// 3 × heartbeatMs and never replaces a socket of the stock one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startBackend } from '../../server/backend.mjs';
import { startFaultProxy } from '../fault/proxy.mjs';
import { BROWSERS, until } from './helpers.mjs';

const root = join(import.meta.dirname, '..', '..');
const upstream = join(root, '..', 'shared', 'upstream', 'wok');
const series = readdirSync(join(root, 'contrib', 'wok')).filter((f) => f.endsWith('.patch')).sort()
  .map((f) => join(root, 'contrib', 'wok', f));
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-websockify is
const HB = 500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** Starts the real push server (stock or with the series applied) behind websockify. */
async function startWok(patched) {
  const dir = mkdtempSync(join(tmpdir(), 'wok-push-'));
  mkdirSync(join(dir, 'src', 'wok'), { recursive: true });
  mkdirSync(join(dir, 'sock'));
  copyFileSync(join(upstream, 'src', 'wok', 'pushserver.py'), join(dir, 'src', 'wok', 'pushserver.py'));
  chmodSync(join(dir, 'src', 'wok', 'pushserver.py'), 0o644); // shared/ may be read-only
  if (patched) for (const p of series) execFileSync('git', ['apply', '--include=src/wok/pushserver.py', p], { cwd: dir });
  const procs = [];
  const server = spawn(PYTHON, [join(root, 'tests', 'wok', 'harness.py'), join(dir, 'src'), join(dir, 'sock')],
    { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  procs.push(server);
  const sock = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => { out += d; const m = /ready (\S+)/.exec(out); if (m) resolve(m[1]); });
    server.on('exit', (c) => reject(new Error(`push server exited ${c}`)));
  });
  const port = await freePort();
  const ws = spawn(PYTHON, ['-m', 'websockify', `--unix-target=${sock}`, `127.0.0.1:${port}`],
    { stdio: 'ignore', detached: true });
  procs.push(ws);
  await until(() => new Promise((r) => { const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); }); c.on('error', () => r(false)); }), 10000, 'websockify');
  return {
    port,
    notify: (code) => server.stdin.write(`${code}\n`),
    async close() {
      for (const p of procs) { try { process.kill(-p.pid, 'SIGTERM'); } catch { /* gone */ } }
      await sleep(100);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw client of websockify: what it receives, decoded. */
async function client(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/websockify?token=d29rbm90aWZpY2F0aW9ucw`, ['binary']);
  const got = [];
  ws.on('message', (d) => got.push(String(d)));
  await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
  return { ws, got: () => got.join(''), send: (t) => ws.send(Buffer.from(t)) };
}

test('the WoK patch series applies to upstream WoK 5761c37, in order (git apply)', () => {
  assert.ok(series.length >= 1);
  // A later patch may build on an earlier one (0006 on 0003 and 0004): applied one after the
  // other to a copy of the tree (0002, the built package, is made by scripts/wok-series.mjs).
  const tree = mkdtempSync(join(tmpdir(), 'wok-series-'));
  try {
    cpSync(upstream, tree, { recursive: true });
    for (const p of series) execFileSync('git', ['apply', p], { cwd: tree });
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

for (const patched of [false, true]) {
  test(`${patched ? 'patched' : 'stock'} pushserver.py: ${patched ? 'answers a heartbeat on that connection only' : 'answers nothing'}; notifications reach everyone`, async () => {
    const wok = await startWok(patched);
    try {
      const a = await client(wok.port);
      const b = await client(wok.port);
      // (websockify 0.10 refuses a client that offers only `base64`, as the stock UI does.)
      a.send('heartbeat');
      await sleep(700);
      assert.equal(a.got(), patched ? 'heartbeat//EOM//' : '');
      assert.equal(b.got(), '', 'never broadcast');
      wok.notify('POST:/kimchi/vms');
      await until(() => b.got().endsWith('POST:/kimchi/vms//EOM//'), 3000, 'notification');
      for (const x of [a, b]) x.ws.close();
    } finally {
      await wok.close();
    }
  });
}


let backend;
before(async () => { backend = await startBackend({ port: 0 }); });
after(async () => { await backend.close(); });

for (const name of Object.keys(BROWSERS)) {
  for (const patched of [true, false]) {
    test(`${name}, ${patched ? 'patched' : 'stock'} WoK push server through the fault proxy: ${patched ? 'a blackhole is noticed within 3 × heartbeatMs' : 'no replacement over 16 heartbeats'}`, async () => {
      const wok = await startWok(patched);
      const proxy = await startFaultProxy({ host: '127.0.0.1', port: wok.port });
      const browser = await BROWSERS[name]();
      try {
        const page = await browser.newPage();
        const opts = { url: `ws://127.0.0.1:${proxy.port}/websockify?token=d29rbm90aWZpY2F0aW9ucw`, heartbeatMs: HB,
          connectTimeoutMs: 1500, reconnectMinMs: 100, reconnectMaxMs: 400, shareAcrossTabs: false };
        await page.goto(`${backend.url}/test/lab.html?opts=${encodeURIComponent(JSON.stringify(opts))}`);
        await until(() => page.evaluate(() => window.ready === true && window.push.state === 'open'), 10000, 'open');
        await page.evaluate(() => {
          window.changes = [];
          window.push.on('state', (e) => window.changes.push({ t: performance.now(), reason: e.reason }));
        });
        wok.notify('METHOD:/kimchi/vms');
        await until(() => page.evaluate(() => window.rec.got.includes('METHOD:/kimchi/vms|push')), 5000, 'a real push');
        await sleep(3 * HB);
        const changes = () => page.evaluate(() => window.changes.slice());
        if (!patched) {
          proxy.set({ latencyMs: 300 });
          await sleep(16 * HB);
          assert.deepEqual(await changes(), [], 'the stock server never answers: the socket is kept');
          assert.ok(!(await page.evaluate(() => window.rec.got.some((g) => g.startsWith('heartbeat')))));
          return;
        }
        assert.deepEqual(await changes(), [], 'answered: alive');
        const t0 = await page.evaluate(() => performance.now());
        proxy.set({ blackhole: true });
        await until(async () => (await changes()).some((c) => c.reason === 'silent'), 6 * HB, 'silent');
        const ms = (await changes()).find((c) => c.reason === 'silent').t - t0;
        console.log(`# ${name}, real WoK push server, blackhole noticed after ${ms.toFixed(0)} ms (heartbeatMs ${HB})`);
        assert.ok(ms <= 3 * HB + 250, `noticed after ${ms} ms`);
        proxy.heal();
        await until(() => page.evaluate(() => window.push.state === 'open'), 10000, 'open again');
        wok.notify('POST:/wok/logs');
        await until(() => page.evaluate(() => window.rec.got.includes('POST:/wok/logs|push')), 5000, 'pushes after heal');
        assert.ok(!(await page.evaluate(() => window.rec.got.some((g) => g.startsWith('heartbeat')))), 'heartbeats never delivered');
      } finally {
        await browser.close();
        await proxy.close();
        await wok.close();
      }
    });
  }
}
