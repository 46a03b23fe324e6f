// Type test of the published .d.ts (`tsc --noEmit`): correct usage compiles, misuse does not.
import init, { connect, installWokCompat } from '../../pkg/wok_push.js';
import type { PushMessage, StateEvent, PushError, Subscription, PushStats, ConnectionState } from '../../pkg/wok_push.js';

async function main(): Promise<void> {
  await init();
  const push = connect({ pollIntervalMs: 5000, format: 'auto' });
  connect();
  const sub: Subscription = push.subscribe('METHOD:/kimchi/vms', (msg: PushMessage) => {
    const code: string = msg.code;
    const source: 'push' | 'poll' | 'resync' = msg.source;
    const text: string | undefined = msg.message;
    const folded: number = msg.coalesced;
    void code; void source; void text; void folded;
  }, { tab: 'kimchi-guests', persist: false, resync: true });
  push.subscribe('POST:/wok/logs', () => {}, { coalesceMs: 250 });
  push.addNotificationListener('POST:/wok/logs', (code: string) => void code, true, { coalesceMs: 250 });
  installWokCompat({ name: 'wok' }, { coalesceMs: 250 });
  installWokCompat({ name: 'wok' }, { coalesceMs: 0, heartbeatMs: 10000, shareAcrossTabs: false });
  push.subscribe('POST:/kimchi/*', () => {});
  const ok: boolean = sub.unsubscribe();
  const off: () => void = push.on('state', (e: StateEvent) => {
    const s: ConnectionState = e.state;
    const n: number = e.reasonCode;
    void s; void n;
  });
  push.on('error', (e: PushError) => { const c: string = e.code; void c; });
  push.on('resync', (e) => { const s: 'resync' = e.source; void s; });
  off();
  const stats: PushStats = push.stats();
  const sockets: number = stats.resources.socket;
  const state: ConnectionState = push.state;
  const transport: 'websocket' | 'polling' | null = push.transport;
  installWokCompat({ name: 'wok' });
  const release: string = push.version;
  const contract: number = push.contract;
  push.on('error', (e) => { if (e.code === 'malformed-json' || e.code === 'bad-shape') void e.message; });
  void release; void contract;
  void ok; void sockets; void state; void transport;

  // @ts-expect-error: unknown option value
  connect({ format: 'xml' });
  // @ts-expect-error: wrong option type
  connect({ heartbeatMs: '30s' });
  // @ts-expect-error: unknown event name
  push.on('message', () => {});
  // @ts-expect-error: a state listener does not get an error
  push.on('state', (e: PushError) => e.code);
  // @ts-expect-error: not an error code
  push.on('error', (e) => e.code === 'no-such-code');
  // @ts-expect-error: coalesceMs is a number of ms
  push.subscribe('X', () => {}, { coalesceMs: '250ms' });
  // @ts-expect-error: state is read-only
  push.state = 'open';
}
void main;
