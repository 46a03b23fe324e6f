/*! wok-push classic script: defines globalThis.WokPush for pages without a bundler.
 *  <script src=".../wok-push.js"></script>
 *  <script>WokPush.connect().subscribe('METHOD:/kimchi/vms', refresh);</script>
 * Loads the ES module and the wasm next to this file (same singleton as the npm build), both
 * asked for with this release's content hash (`?v=`, written in by the build): a cached module
 * or wasm of another release is never paired with this loader. Calls made before the wasm is
 * ready are queued and replayed in order, not lost. */
(function () {
  'use strict';
  var g = globalThis;
  if (g.WokPush && g.WokPush.ready) return; // loaded twice: keep the first
  var script = document.currentScript;
  var base = script && script.src ? script.src : g.location.href;
  var real = null, failed = null, queue = [];
  function later(fn) { if (real) return fn(real); if (failed) throw failed; queue.push(fn); }
  function flush() { var q = queue; queue = []; q.forEach(function (fn) { try { fn(real); } catch (e) { report(e); } }); }
  function report(e) { if (g.console) g.console.error('wok-push:', e); }
  // The wasm is fetched now, beside the module, not after it: one round trip instead of two
  // (init() takes the response promise and compiles it as it streams in).
  var release = '?v=' + __WOK_PUSH_RELEASE__;
  var wasm = fetch(new URL('wok_push_bg.wasm' + release, base));
  wasm.catch(function () {}); // a failure is reported once, through init() below
  var ready = import(new URL('wok_push.js' + release, base).href).then(function (mod) {
    return mod.default({ module_or_path: wasm }).then(function () {
      real = mod; flush(); return mod;
    });
  }, null).catch(function (e) { failed = e; report(e); throw e; });

  // A stand-in for a Subscription until the real one exists.
  function pendingSub(make) {
    var sub = null, gone = false;
    later(function () { if (!gone) sub = make(); });
    return {
      unsubscribe: function () { if (gone) return false; gone = true; return sub ? sub.unsubscribe() : true; },
      get active() { return !gone && (sub ? sub.active : true); },
    };
  }
  // A stand-in for the PushManager that forwards once ready.
  function pendingManager(options) {
    var m = null;
    later(function (mod) { m = mod.connect(options); });
    function fwd(name) { return function () { var a = arguments; return m ? m[name].apply(m, a) : later(function () { return m[name].apply(m, a); }); }; }
    return {
      subscribe: function (code, fn, opts) {
        if (m) return m.subscribe(code, fn, opts);
        return pendingSub(function () { return m.subscribe(code, fn, opts); });
      },
      on: function (ev, fn) {
        if (m) return m.on(ev, fn);
        var off = null, gone = false;
        later(function () { if (!gone) off = m.on(ev, fn); });
        return function () { gone = true; if (off) off(); };
      },
      addNotificationListener: fwd('addNotificationListener'),
      closeTab: fwd('closeTab'), close: fwd('close'), open: fwd('open'), reconnect: fwd('reconnect'),
      stats: function () { return m ? m.stats() : { state: 'connecting', transport: null, pending: queue.length }; },
      get state() { return m ? m.state : 'connecting'; },
      get transport() { return m ? m.transport : null; },
    };
  }
  g.WokPush = {
    ready: ready,
    connect: function (options) { return real ? real.connect(options) : pendingManager(options); },
    installWokCompat: function (wok, options) {
      if (real) return real.installWokCompat(wok, options);
      // Define the stock API at once; calls are queued until the wasm is ready.
      later(function (mod) { mod.installWokCompat(wok, options); });
      wok.addNotificationListener = function () {
        var a = arguments; later(function () { wok.addNotificationListener.apply(wok, a); });
      };
      wok.startNotificationWebSocket = function () { later(function () { wok.startNotificationWebSocket(); }); };
    },
  };
})();
