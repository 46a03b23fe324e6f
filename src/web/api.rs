//! The `#[wasm_bindgen]` surface: `connect`, `PushManager`, `Subscription`. The names are the
//! public JS contract of DESIGN.md §3: extend, never rename.

use super::driver::{Event, Inner};
use super::handlers::Style;
use super::js::{get, seed, set, to_js_error};
use super::port::make_stats;
use super::{options, singleton};
use crate::core::{Error, Input, SubId};
use crate::prelude::*;
use alloc::rc::{Rc, Weak};
use js_sys::{Function, Object};
use wasm_bindgen::prelude::*;

// The TypeScript declarations are checked in (js/wok_push.d.ts) and shipped as is; the
// `unchecked_*_type` annotations below name its types, and the build checks that the two
// agree on every exported name.

/// The page's connection manager (one per page, see [`connect`]).
///
/// ```js
/// const push = connect();
/// push.subscribe('METHOD:/kimchi/vms', () => refresh(), { tab: 'kimchi-guests' });
/// ```
#[wasm_bindgen]
pub struct PushManager {
    inner: Rc<Inner>,
}

/// A handle on one subscription; `unsubscribe()` is idempotent.
///
/// ```js
/// const sub = push.subscribe('POST:/kimchi/*', fn);
/// sub.unsubscribe();
/// ```
#[wasm_bindgen]
pub struct Subscription {
    inner: Weak<Inner>,
    id: SubId,
}

fn js_err(e: &Error) -> JsValue {
    to_js_error(e).into()
}

/// The page's manager, created (closed) from `options` if the page has none yet.
fn get_or_create(options: &JsValue) -> Result<JsValue, JsValue> {
    let opts = options::parse(options).map_err(|e| js_err(&e))?;
    if let Some(m) = singleton::current() {
        return Ok(m);
    }
    let inner = Inner::new(opts.config, seed(), opts.url, opts.notifications_url)
        .map_err(|e| js_err(&e))?;
    let m: JsValue = PushManager { inner }.into();
    singleton::register(&m);
    Ok(m)
}

fn call_method(obj: &JsValue, name: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(obj, name).dyn_into()?;
    match args {
        [] => f.call0(obj),
        [a] => f.call1(obj, a),
        _ => Err(JsValue::NULL),
    }
}

/// Returns the page's one connection manager, connecting it.
///
/// The first call on a page creates it with `options`; later calls (from any copy or version
/// of wok-push on the page) return the same manager, reopen it if it was closed, and ignore
/// their options after validating them.
///
/// ```js
/// import init, { connect } from 'wok-push';
/// await init();
/// const push = connect({ pollIntervalMs: 5000 });
/// ```
///
/// # Errors
/// Throws an `Error` with `code: 'invalid-option'` naming a bad option; nothing is opened.
#[wasm_bindgen(unchecked_return_type = "PushManager")]
pub fn connect(
    #[wasm_bindgen(unchecked_param_type = "ConnectOptions")] options: Option<Object>,
) -> Result<JsValue, JsValue> {
    let m = get_or_create(&options.map_or(JsValue::UNDEFINED, JsValue::from))?;
    call_method(&m, "open", &[])?;
    Ok(m)
}

/// Installs WoK's notification API on an existing `wok` object, backed by the page's
/// manager: `wok.addNotificationListener(msg, fn, persist)` and
/// `wok.startNotificationWebSocket()`, with the stock semantics (listeners get the message
/// string; non-persistent ones are dropped on the next `hashchange`), and called again after
/// a gap so tabs refresh.
///
/// Deliberate differences from the stock `wok.main.js`: removing a listener that is already
/// gone removes nothing (stock `splice(-1, 1)` removed the last one); the socket reconnects
/// and falls back to polling; one socket per page. The two functions are the manager's own
/// methods bound to it, so no closure is created for them.
///
/// ```js
/// installWokCompat(window.wok);
/// wok.addNotificationListener('METHOD:/kimchi/vms', kimchi.listVmsAuto);
/// wok.startNotificationWebSocket();
/// ```
///
/// # Errors
/// Throws when `wok` is not an object.
#[wasm_bindgen(js_name = installWokCompat)]
pub fn install_wok_compat(
    #[wasm_bindgen(unchecked_param_type = "WokLike")] wok: JsValue,
) -> Result<(), JsValue> {
    if !wok.is_object() {
        return Err(js_err(&Error::InvalidOption("wok")));
    }
    let m = get_or_create(&JsValue::UNDEFINED)?;
    for (name, method) in [
        ("addNotificationListener", "addNotificationListener"),
        ("startNotificationWebSocket", "open"),
    ] {
        let f: Function = get(&m, method).dyn_into()?;
        set(wok.unchecked_ref(), name, &f.bind0(&m));
    }
    Ok(())
}

fn flag(options: &JsValue, name: &str) -> bool {
    get(options, name).is_truthy()
}

#[wasm_bindgen]
impl PushManager {
    /// Subscribes `handler` to a code or glob (`*` matches any run: `'POST:/kimchi/*'`).
    /// Handlers run in subscription order; one that throws is reported through
    /// `on('error')` and nobody else misses the message.
    ///
    /// ```js
    /// const sub = push.subscribe('METHOD:/kimchi/vms', (msg) => refresh(), { tab: 'kimchi-guests' });
    /// push.subscribe('KCHCONN*', (msg) => alert(msg.message), { persist: true, resync: true });
    /// ```
    ///
    /// # Errors
    /// Throws (`code: 'invalid-option'`) when `code` is empty.
    pub fn subscribe(
        &self,
        code: &str,
        #[wasm_bindgen(unchecked_param_type = "PushHandler")] handler: Function,
        #[wasm_bindgen(unchecked_param_type = "SubscribeOptions")] options: Option<Object>,
    ) -> Result<Subscription, JsValue> {
        let options = options.map_or(JsValue::UNDEFINED, JsValue::from);
        if code.is_empty() {
            return Err(js_err(&Error::InvalidOption("code")));
        }
        let tab = get(&options, "tab").as_string().filter(|t| !t.is_empty());
        let id = self.inner.subscribe(
            code,
            &handler,
            Style::Object,
            tab,
            flag(&options, "persist"),
            flag(&options, "resync"),
        );
        Ok(Subscription {
            inner: Rc::downgrade(&self.inner),
            id,
        })
    }

    /// WoK's own listener API: `fn(message)` is called with the code string; without
    /// `persist` the listener is dropped on the next `hashchange`; it is also called after a
    /// gap (resync) so the tab refreshes.
    ///
    /// ```js
    /// push.addNotificationListener('POST:/wok/logs', refreshLogs);
    /// ```
    #[wasm_bindgen(js_name = addNotificationListener)]
    pub fn add_notification_listener(
        &self,
        msg: &str,
        #[wasm_bindgen(unchecked_param_type = "(msg: string) => void")] handler: Function,
        #[wasm_bindgen(unchecked_param_type = "unknown")] persist: Option<JsValue>,
    ) {
        if msg.is_empty() {
            return;
        }
        let persist = persist.is_some_and(|p| !p.is_undefined());
        let tab = (!persist).then(|| String::from("wok"));
        self.inner
            .subscribe(msg, &handler, Style::Compat, tab, persist, true);
    }

    /// Adds a listener for `'state'` (`StateEvent`), `'error'` (`PushError`) or `'resync'`;
    /// returns a function that removes it. That function may be called any number of times
    /// (only the first call does something), and holds nothing once called.
    ///
    /// ```js
    /// const off = push.on('state', (e) => badge(e.state, e.reason));
    /// off();
    /// ```
    ///
    /// # Errors
    /// Throws (`code: 'invalid-option'`) for another event name.
    #[wasm_bindgen(unchecked_return_type = "() => void")]
    pub fn on(
        &self,
        #[wasm_bindgen(unchecked_param_type = "'state' | 'error' | 'resync'")] event: &str,
        #[wasm_bindgen(unchecked_param_type = "(e: never) => void")] listener: Function,
    ) -> Result<Function, JsValue> {
        let kind = Event::parse(event).ok_or_else(|| js_err(&Error::InvalidOption("event")))?;
        Ok(self.inner.on(kind, &listener))
    }

    /// Drops every subscription of `tab`; returns how many were dropped.
    ///
    /// ```js
    /// push.closeTab('kimchi-guests');
    /// ```
    #[wasm_bindgen(js_name = closeTab)]
    pub fn close_tab(&self, tab: &str) -> u32 {
        self.inner.close_tab(tab) as u32
    }

    /// Opens the manager if it is closed (what `connect()` does); no-op otherwise.
    ///
    /// ```js
    /// push.open();
    /// ```
    pub fn open(&self) {
        if self.inner.with_core(|c| c.is_closed()) {
            self.inner.input(Input::Connect);
        }
    }

    /// Connects now: reopens a closed manager, retries at once when waiting, and resumes
    /// polling paused by an expired session (call it after the user logged in again).
    ///
    /// ```js
    /// push.reconnect();
    /// ```
    pub fn reconnect(&self) {
        self.inner.input(Input::Connect);
    }

    /// Closes the socket, aborts any fetch, removes page listeners; no handler is called
    /// afterwards. Subscriptions are kept for a later `open()`/`connect()`.
    ///
    /// ```js
    /// push.close();
    /// ```
    pub fn close(&self) {
        self.inner.input(Input::Close);
    }

    /// The release of the copy of wok-push that made this manager, e.g. `'0.2.0'`.
    ///
    /// ```js
    /// if (push.version !== undefined) console.log('wok-push', push.version);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        singleton::VERSION.into()
    }

    /// The contract between copies this manager honours (see README "Two copies on one page").
    #[wasm_bindgen(getter)]
    pub fn contract(&self) -> u32 {
        singleton::CONTRACT
    }

    /// The current state: `'connecting' | 'open' | 'polling' | 'backoff' | 'closed'`.
    #[wasm_bindgen(getter, unchecked_return_type = "ConnectionState")]
    pub fn state(&self) -> String {
        self.inner.with_core(|c| c.state().as_str()).into()
    }

    /// The current transport: `'websocket' | 'polling' | null`.
    #[wasm_bindgen(getter, unchecked_return_type = "TransportKind | null")]
    pub fn transport(&self) -> Option<String> {
        self.inner
            .with_core(|c| c.state().transport().as_str())
            .map(String::from)
    }

    /// Counters and owned resources, for dashboards and tests.
    ///
    /// ```js
    /// console.log(push.stats().messages);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "PushStats")]
    pub fn stats(&self) -> JsValue {
        let (s, state, subs, role) = self
            .inner
            .with_core(|c| (c.stats(), c.state(), c.registry().len(), c.role()));
        let [socket, fetch, timer, page, handlers, channel] = self.inner.resources();
        let numbers = [
            s.attempts,
            s.opens,
            s.frames,
            s.messages,
            s.fetches,
            s.fetch_errors,
            s.duplicates,
            s.resyncs,
            s.errors,
            s.failures,
            subs as u32,
            socket as u32,
            fetch as u32,
            timer as u32,
            page as u32,
            handlers as u32,
            channel as u32,
        ]
        .map(f64::from);
        make_stats(
            &numbers,
            state.as_str(),
            state.transport().as_str(),
            role.as_str(),
        )
    }
}

#[wasm_bindgen]
impl Subscription {
    /// Removes the subscription; calling it again does nothing. Returns whether it was live.
    ///
    /// ```js
    /// sub.unsubscribe();
    /// ```
    pub fn unsubscribe(&self) -> bool {
        self.inner.upgrade().is_some_and(|i| i.unsubscribe(self.id))
    }

    /// Whether the subscription is still live (not unsubscribed, not dropped with its tab).
    #[wasm_bindgen(getter)]
    pub fn active(&self) -> bool {
        self.inner
            .upgrade()
            .is_some_and(|i| i.is_subscribed(self.id))
    }

    /// The subscription's id (unique per manager).
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> u32 {
        self.id
    }
}
