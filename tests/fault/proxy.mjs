// A TCP fault proxy on loopback, for the liveness tests: it sits between the browser and a
// push server and, on command, adds latency, caps the bandwidth, blackholes the path (TCP
// stays open and every byte is acknowledged, nothing gets through: a hung server end or a
// middlebox that keeps acking), resets every connection, stalls new handshakes, refuses new
// connections, or heals (back to a plain pipe; bytes held by a blackhole or a stall then go
// through, as after a path comes back). Only 127.0.0.1, as every test here.
import net from 'node:net';

const PLAIN = () => ({ latencyMs: 0, bytesPerSec: 0, blackhole: false, stall: false, refuse: false });

/** One direction of a connection: chunks wait until due (latency, bandwidth) or held. */
function lane(mode, out) {
  const queue = [];
  let timer = null;
  let last = 0;
  const held = [];
  const flush = () => {
    timer = null;
    const now = Date.now();
    while (queue.length && queue[0].due <= now) out.write(queue.shift().chunk);
    if (queue.length) timer = setTimeout(flush, queue[0].due - now);
  };
  const schedule = (chunk) => {
    const now = Date.now();
    const wire = mode.bytesPerSec > 0 ? (chunk.length * 1000) / mode.bytesPerSec : 0;
    last = Math.max(now + mode.latencyMs, last) + wire;
    queue.push({ chunk, due: last });
    if (timer === null) timer = setTimeout(flush, Math.max(0, queue[0].due - now));
  };
  return {
    push(chunk) {
      if (mode.blackhole) held.push(chunk);
      else schedule(chunk);
    },
    /** The blackhole ended: what it held goes on, in order. */
    release() { for (const c of held.splice(0)) schedule(c); },
    stop() { if (timer !== null) clearTimeout(timer); queue.length = 0; held.length = 0; },
  };
}

/**
 * Starts the proxy in front of `target` (`{ host, port }`). Returns its `port`, `mode`
 * (change fields directly, or with `set`), `heal()`, `reset()`, `connections()`, `close()`.
 */
export async function startFaultProxy(target) {
  const mode = PLAIN();
  const pairs = new Set();
  const server = net.createServer((client) => {
    if (mode.refuse) { client.resetAndDestroy(); return; }
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream, stalled: [] };
    pair.up = lane(mode, upstream);
    pair.down = lane(mode, client);
    pairs.add(pair);
    client.on('data', (c) => {
      // A stalled handshake: a new connection's bytes wait until heal.
      if (mode.stall && pair.stalled !== null) pair.stalled.push(c);
      else pair.up.push(c);
    });
    upstream.on('data', (c) => pair.down.push(c));
    const end = () => {
      if (!pairs.delete(pair)) return;
      pair.up.stop(); pair.down.stop();
      client.destroy(); upstream.destroy();
    };
    for (const s of [client, upstream]) { s.on('close', end); s.on('error', end); }
    // Once a connection got through unstalled, a later stall does not hold it.
    if (!mode.stall) pair.stalled = null;
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    mode,
    set(fields) { Object.assign(mode, fields); },
    heal() {
      Object.assign(mode, PLAIN());
      for (const p of pairs) {
        p.up.release(); p.down.release();
        if (p.stalled !== null) { for (const c of p.stalled.splice(0)) p.up.push(c); p.stalled = null; }
      }
    },
    /** Resets every connection (RST to the browser). */
    reset() {
      for (const p of [...pairs]) { p.client.resetAndDestroy(); p.upstream.destroy(); }
    },
    connections: () => pairs.size,
    async close() {
      for (const p of [...pairs]) { p.client.destroy(); p.upstream.destroy(); }
      await new Promise((r) => server.close(() => r()));
    },
  };
}
