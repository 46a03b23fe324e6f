/* wok-push: the public API, declared once (checked in as js/wok_push.d.ts, shipped as is).
 * `npm run build` fails when the wasm's exports and this file disagree on a name. */

/** Options of `connect()`; every one is optional. */
export interface ConnectOptions {
  /** Websocket URL. Default: `ws:`/`wss:` (by page protocol), page host, `/websockify?token=d29rbm90aWZpY2F0aW9ucw`. */
  url?: string;
  /** Notifications feed. Default `/notifications`. */
  notificationsUrl?: string;
  /** How a message is read. Default `'auto'` (JSON notification objects or WoK code strings). */
  format?: 'auto' | 'wok' | 'json';
  /** Client heartbeat interval (ms). Default 30000. */
  heartbeatMs?: number;
  /** Lower bound of reconnect/probe backoff (ms). Default 500. */
  reconnectMinMs?: number;
  /** Upper bound of reconnect/probe backoff (ms). Default 30000. */
  reconnectMaxMs?: number;
  /** Polling interval of `GET /notifications`, jittered ±20 % (ms). Default 3000. */
  pollIntervalMs?: number;
  /** Failed websocket attempts in a row before polling. Default 3. */
  fallbackAfter?: number;
  /** Bound on a websocket handshake (ms). Default 10000. */
  connectTimeoutMs?: number;
  /** Bound on one `GET /notifications` (ms); a hanging one is aborted. Default 15000. */
  fetchTimeoutMs?: number;
  /** A socket open this long (or that delivered a message) counts as useful (ms). Default 5000. */
  usefulAfterMs?: number;
  /** Drop non-persistent tab subscriptions on `hashchange`. Default true. */
  autoTabCleanup?: boolean;
  /**
   * One push connection per origin and endpoint, held by one tab (Web Locks) and shared with
   * the others (BroadcastChannel). Default true; false: this page always runs alone.
   */
  shareAcrossTabs?: boolean;
}

/** Where a message came from. */
export type MessageSource = 'push' | 'poll' | 'resync';

/** What a subscription handler receives. */
export interface PushMessage {
  /** The code, e.g. `'METHOD:/kimchi/vms'` or `'KCHCONN0002E'` (for `'resync'`: the subscribed pattern). */
  code: string;
  /** Notification text (notifications only). */
  message?: string;
  /** Notification first-seen time, WoK local ISO format (notifications only). */
  timestamp?: string;
  source: MessageSource;
  /**
   * How many messages this call stands for: 1 for an ordinary call; n for the trailing call
   * of a subscription with `coalesceMs` (the latest of n messages folded in its window);
   * 0 for a `'resync'` call.
   */
  coalesced: number;
}

export type PushHandler = (msg: PushMessage) => void;
export type ConnectionState = 'connecting' | 'open' | 'polling' | 'backoff' | 'closed';
export type TransportKind = 'websocket' | 'polling';

/** Argument of `on('state')` listeners. */
export interface StateEvent {
  previous: ConnectionState;
  state: ConnectionState;
  transport: TransportKind | null;
  /** Stable reason name, e.g. `'socket-closed'`; `'leader'` when this page takes the shared connection over. */
  reason: string;
  /** Stable numeric reason code (see README). */
  reasonCode: number;
  /** Milliseconds until the next websocket attempt (backoff and polling). */
  retryIn?: number;
}

/** Stable codes of `PushError.code`. */
export type PushErrorCode =
  | 'invalid-option' | 'frame-too-long' | 'invalid-utf8' | 'invalid-base64' | 'invalid-json'
  | 'session-expired' | 'http-status' | 'not-json' | 'malformed-json' | 'bad-shape'
  | 'too-many-notifications' | 'network' | 'fetch-timeout' | 'websocket-unavailable'
  | 'handler-threw';

/** Argument of `on('error')` listeners (and what `connect()` throws for a bad option). */
export interface PushError extends Error {
  /** Stable error code. */
  code: PushErrorCode;
  /** For `'handler-threw'`: what the handler threw. */
  cause?: unknown;
  /** For `'handler-threw'`: the message code being dispatched. */
  messageCode?: string;
  /** For `'handler-threw'`: the subscription's tab. */
  tab?: string;
  /** For `'handler-threw'`: the subscription's id. */
  subscription?: number;
}

/** Argument of `on('resync')` listeners. */
export interface ResyncEvent { source: 'resync'; }

/** Options of `subscribe()`. */
export interface SubscribeOptions {
  /** The tab this subscription belongs to (`closeTab(tab)` drops it). */
  tab?: string;
  /** Keep it across tab switches (`hashchange`). Default false. */
  persist?: boolean;
  /** Also call the handler with `source: 'resync'` after a gap. Default false. */
  resync?: boolean;
  /**
   * Coalescing window in ms (contract 2; `push.contract >= 2`): the first message after a
   * quiet window is delivered at once, the others matching within `coalesceMs` are folded into
   * ONE trailing call at the window's end, with the latest message and `coalesced: n`.
   * Absent or 0: every message is its own call.
   */
  coalesceMs?: number;
}

/** Options of `installWokCompat()`. */
export interface WokCompatOptions {
  /** Applied to every `wok.addNotificationListener` listener (see `SubscribeOptions.coalesceMs`). Off by default. */
  coalesceMs?: number;
}

/** This page's part in the shared connection: runs it, follows another tab, or not shared. */
export type TabRole = 'leader' | 'follower' | 'alone';

/** Counters of `stats()`. */
export interface PushStats {
  state: ConnectionState;
  transport: TransportKind | null;
  role: TabRole;
  attempts: number; opens: number; frames: number; messages: number; fetches: number;
  fetchErrors: number; duplicates: number; resyncs: number; errors: number; failures: number;
  subscriptions: number;
  /** Owned JS resources: open socket, fetch in flight, armed timer, page listeners, handlers, tab channel. */
  resources: { socket: number; fetch: number; timer: number; pageListeners: number; handlers: number; channel: number };
}

/** The minimal shape of WoK's global `wok` object for `installWokCompat`. */
export interface WokLike {
  addNotificationListener?: (msg: string, fn: (msg: string) => void, persist?: unknown) => void;
  startNotificationWebSocket?: () => void;
  [key: string]: unknown;
}

/** The page's connection manager (one per page, see `connect`). */
export class PushManager {
  private constructor();
  /** Subscribes `handler` to a code or a glob (`*` matches any run). Handlers run in subscription order. */
  subscribe(code: string, handler: PushHandler, options?: SubscribeOptions): Subscription;
  /** WoK's listener API: `fn(code)`; unless `persist` is given (any value but `undefined` and `null`, as stock WoK's `persist == undefined`) dropped on the next `hashchange`; also called after a gap. `options.coalesceMs`: contract 2. */
  addNotificationListener(msg: string, handler: (msg: string) => void, persist?: unknown, options?: WokCompatOptions): void;
  /** Adds a listener; returns an idempotent function that removes it. */
  on(event: 'state', listener: (e: StateEvent) => void): () => void;
  on(event: 'error', listener: (e: PushError) => void): () => void;
  on(event: 'resync', listener: (e: ResyncEvent) => void): () => void;
  /** Drops every subscription of `tab`; returns how many. */
  closeTab(tab: string): number;
  /** Opens the manager if it is closed (what `connect()` does). */
  open(): void;
  /** Connects now: reopens, retries at once, starts again after an ended session (`session-expired`). */
  reconnect(): void;
  /** Closes the socket and aborts any fetch; no handler is called afterwards. Subscriptions are kept. */
  close(): void;
  /** Counters and owned resources. */
  stats(): PushStats;
  /** The current state. */
  readonly state: ConnectionState;
  /** The current transport. */
  readonly transport: TransportKind | null;
  /** The release of the copy of wok-push that made this manager. */
  readonly version: string;
  /** The contract between copies this manager honours (README "Two copies on one page"). */
  readonly contract: number;
}

/** A handle on one subscription. */
export class Subscription {
  private constructor();
  /** Nothing to free (kept for callers of 0.2, whose subscriptions were wasm objects). */
  free(): void;
  /** Removes the subscription; `true` the first time, `false` after (idempotent). */
  unsubscribe(): boolean;
  /** Whether it is still live (not unsubscribed, not dropped with its tab). */
  readonly active: boolean;
  /** Its id, unique per manager. */
  readonly id: number;
}

/**
 * Returns the page's one connection manager, connected. The first call on a page creates it
 * with `options`; later calls (from any copy or release on the page) return the same manager.
 * Throws a `PushError` (`code: 'invalid-option'`) naming a bad option.
 */
export function connect(options?: ConnectOptions): PushManager;

/**
 * Installs `wok.addNotificationListener` and `wok.startNotificationWebSocket` on `wok`, backed
 * by the page's manager; with `{ coalesceMs }` every listener coalesces. Throws a `PushError`
 * (`invalid-option`) for a bad `coalesceMs`.
 */
export function installWokCompat(wok: WokLike, options?: WokCompatOptions): void;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;
export type SyncInitInput = BufferSource | WebAssembly.Module;

/** Loads the wasm synchronously from bytes or a compiled module. */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): unknown;

/** Loads the wasm (fetches `wok_push_bg.wasm` next to the module by default). Idempotent. */
export default function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;
