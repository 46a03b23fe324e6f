/*! wok-push classic script: defines globalThis.WokPush for pages without a bundler.
 *  <script src=".../wok-push.js"></script>
 *  <script src="my-plugin.js"></script>   (WokPush.connect().subscribe('METHOD:/kimchi/vms', refresh))
 * Loads the ES module and the wasm next to this file (same singleton as the npm build), both
 * asked for with this release's content hash (`?v=`, written in by the build): a cached module
 * or wasm of another release is never paired with this loader. Calls made before the wasm is
 * ready are checked at once (the same errors as after) and replayed in order, not lost. */
// Built by scripts/build.mjs into pkg/wok-push.js (one classic script: the files imported here
// are bundled in, so the options are checked by the same code as connect()'s).
import { CONTRACT, LOADING, VERSION, current } from './slot.js';
import { STAT_NAMES } from './dispatch.js';
import { makePort, resources } from './io.js';
import { checkSubscription, coalesceOf, listenerKind, readOptions, readWokCompat } from './options.js';

const g = globalThis;
// Loaded twice: keep the first.
if (!(g.WokPush && g.WokPush.ready)) g.WokPush = makeLoader();

function makeLoader() {
  const script = document.currentScript;
  const base = script && script.src ? script.src : g.location.href;
  let real = null, failed = null, queue = [];
  // Subscriptions made before ready, page-wide: a manager made at ready numbers its
  // subscriptions from 1 in the order the queue replays them, so a stand-in's id is known now.
  let planned = 0, live = 0;
  const later = (fn) => { if (real) return fn(real); if (failed) throw failed; queue.push(fn); return undefined; };
  const report = (e) => { if (g.console) g.console.error('wok-push:', e); };
  const flush = () => { const q = queue; queue = []; q.forEach((fn) => { try { fn(real); } catch (e) { report(e); } }); };
  const release = '?v=' + __WOK_PUSH_RELEASE__;
  const wasmUrl = new URL('wok_push_bg.wasm' + release, base);
  // One wasm per page (js/slot.js LOADING): with no manager and no copy loading, the wasm is
  // fetched now, beside the module, not after it (one round trip instead of two; init()
  // compiles it as it streams in), and this copy says it is loading. Otherwise the module's
  // init() waits for the other copy and loads nothing if a manager exists by then.
  let wasm = wasmUrl;
  const first = current() === undefined && g[LOADING] === undefined;
  if (first) {
    wasm = fetch(wasmUrl);
    wasm.catch(() => {}); // a failure is reported once, through init() below
  }
  const ready = import(new URL('wok_push.js' + release, base).href)
    .then((mod) => {
      if (g[LOADING] === ready) delete g[LOADING]; // init() takes over (it waits for nobody)
      return mod.default({ module_or_path: wasm }).then(() => { real = mod; flush(); return mod; });
    })
    .catch((e) => { failed = e; report(e); throw e; });
  if (first) g[LOADING] = ready;

  // A WoK listener made before ready takes the next id too (the manager skips a bad one).
  const planListener = (msg, fn) => {
    if (typeof msg === 'string' && msg !== '' && typeof fn === 'function') { planned++; live++; }
  };
  // The stand-in subscriptions not yet made, with their tab (for closeTab before ready).
  const pending = new Map();
  // A stand-in for a Subscription until the real one exists.
  function pendingSub(make, tab) {
    const id = ++planned;
    live++;
    let sub = null, gone = false;
    // Made even when already gone (then removed at once), so the ids after it stay as planned.
    later(() => { pending.delete(me); sub = make(); if (gone) sub.unsubscribe(); });
    const me = {
      unsubscribe() {
        if (gone) return false;
        gone = true;
        if (sub) return sub.unsubscribe();
        live--;
        return true;
      },
      get active() { return !gone && (sub ? sub.active : true); },
      get id() { return sub ? sub.id : id; },
      free() {},
    };
    pending.set(me, tab);
    return me;
  }

  // A stand-in for the PushManager that forwards once ready: the object a page got early is
  // the one it keeps using.
  function pendingManager(options) {
    let m = null;
    later((mod) => { m = mod.connect(options); });
    const fwd = (name) => function (...a) { return m ? m[name](...a) : later(() => m[name](...a)); };
    return {
      subscribe(code, fn, opts) {
        if (m) return m.subscribe(code, fn, opts);
        checkSubscription(code, fn);
        coalesceOf(opts);
        const tab = opts != null && typeof opts === 'object' && typeof opts.tab === 'string' ? opts.tab : '';
        return pendingSub(() => m.subscribe(code, fn, opts), tab);
      },
      on(ev, fn) {
        if (m) return m.on(ev, fn);
        listenerKind(ev, fn);
        let off = null, gone = false;
        later(() => { if (!gone) off = m.on(ev, fn); });
        return () => { gone = true; if (off) off(); };
      },
      addNotificationListener(msg, fn, persist, opts) {
        if (m) return m.addNotificationListener(msg, fn, persist, opts);
        planListener(msg, fn);
        later(() => m.addNotificationListener(msg, fn, persist, opts));
        return undefined;
      },
      closeTab(tab) {
        if (m) return m.closeTab(tab);
        let n = 0;
        for (const [sub, t] of pending) if (typeof tab === 'string' && tab !== '' && t === tab && sub.unsubscribe()) n++;
        return n;
      },
      close: fwd('close'),
      open: fwd('open'),
      reconnect: fwd('reconnect'),
      stats() {
        if (m) return m.stats();
        const o = { state: 'connecting', transport: null, role: 'alone' };
        for (const k of STAT_NAMES) o[k] = 0;
        o.subscriptions = live;
        // What a port holds before it opened anything, and no handler yet.
        o.resources = resources(makePort());
        o.resources.handlers = 0;
        return o;
      },
      get state() { return m ? m.state : 'connecting'; },
      get transport() { return m ? m.transport : null; },
      get version() { return m ? m.version : VERSION; },
      get contract() { return m ? m.contract : CONTRACT; },
    };
  }

  return {
    ready,
    connect(options) {
      if (real) return real.connect(options);
      readOptions(options); // bad options throw now, as connect() does
      return pendingManager(options);
    },
    installWokCompat(wok, options) {
      if (real) return real.installWokCompat(wok, options);
      readWokCompat(wok, options);
      // Define the stock API at once; calls are queued until the wasm is ready.
      later((mod) => { mod.installWokCompat(wok, options); });
      wok.addNotificationListener = (...a) => {
        planListener(a[0], a[1]);
        later(() => { wok.addNotificationListener(...a); });
      };
      wok.startNotificationWebSocket = () => { later(() => { wok.startNotificationWebSocket(); }); };
      return undefined;
    },
  };
}
