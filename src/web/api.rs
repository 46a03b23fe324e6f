//! The wasm side of the public API: [`Engine`], one per manager, driven by the JS facade
//! (`js/api.js`), which is the public JS contract (README "API", `js/wok_push.d.ts`: `connect`,
//! `PushManager`, `Subscription`, `installWokCompat`, the page singleton).
//!
//! The boundary is narrow on purpose (bytes): numbers and strings in, numbers and strings
//! out. The facade reads JS objects, keeps the handlers (in the `js/dispatch.js` table it
//! hands over here) and builds the objects users see; every decision stays in Rust.

use super::handlers::Table;
use super::js::{seed, to_js_error};
use super::options::{self, Raw};
use super::port::{self, JsPort, Port};
use crate::boundary::{ev, flags};
use crate::driver::Driver;
use wasm_bindgen::prelude::*;
use wok_push_core::prelude::*;
use wok_push_core::{Input, SubId, SubOptions};

/// One manager's core and browser resources, behind the JS `PushManager`.
///
/// ```js
/// // What js/api.js does; pages call connect() instead.
/// const engine = new Engine(given, numbers, format, url, notificationsUrl, makeTable(), makePort());
/// const id = engine.subscribe('METHOD:/kimchi/vms', 'kimchi-guests', 0);
/// ```
#[wasm_bindgen]
pub struct Engine {
    inner: Inner,
}

/// The driver of a page's manager: `js/io.js` and `js/dispatch.js`.
type Inner = Driver<Port, Table>;

#[wasm_bindgen]
impl Engine {
    /// A closed manager for the `connect()` options as `js/options.js` `readOptions` reads
    /// them, delivering through `table`, doing its I/O through `port`. `numbers` holds the
    /// number and flag options in the order of the core's `Opt::ALL`; bit `i` of `given` says
    /// whether option `i` was given at all; `format` is an index in `Format::ALL`; the URLs
    /// are absolute. The caller wires `port.cb` to [`Engine::input`] before opening it.
    ///
    /// ```js
    /// // heartbeatMs 5000 and shareAcrossTabs true set (bits 0 and 9), the rest absent.
    /// const port = makePort();
    /// const engine = new Engine(0b10_0000_0001, new Float64Array([5000, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    ///   0, 'ws://127.0.0.1:8000/websockify', '/notifications', makeTable(), port);
    /// port.cb = engine.input.bind(engine);
    /// ```
    ///
    /// # Errors
    /// Throws an `Error` with `code: 'invalid-option'` naming the first bad option.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        given: u32,
        numbers: &[f64],
        format: u32,
        url: String,
        notifications_url: String,
        table: Table,
        port: JsPort,
    ) -> Result<Engine, JsValue> {
        let raw = Raw {
            numbers: core::array::from_fn(|i| {
                (given >> i & 1 == 1).then(|| numbers.get(i).copied().unwrap_or(f64::NAN))
            }),
            format,
            url,
            notifications_url,
        };
        let o = options::parse(raw).map_err(|e| to_js_error(&e))?;
        let io = Port::new(port);
        let inner = Inner::new(o.config, seed(), o.url, o.notifications_url, table, io)
            .map_err(|e| to_js_error(&e))?;
        Ok(Engine { inner })
    }

    /// What the port reports: `cb(kind, gen, num, at, text, bytes, text2, text3)`, `at`
    /// being when it happened (see `js/io.js`). Anything malformed is dropped.
    ///
    /// ```js
    /// port.cb = engine.input.bind(engine);
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn input(
        &self,
        kind: u32,
        gen: u32,
        num: f64,
        at: f64,
        text: Option<String>,
        bytes: Option<Vec<u8>>,
        text2: Option<String>,
        text3: Option<String>,
    ) {
        let now = self.inner.io().event_time(at);
        if kind == ev::TIMER {
            self.inner.timer_fired(now);
        } else if let Some(i) = port::input(kind, gen, num, at, text, bytes, text2, text3) {
            self.inner.input_at(now, i);
        }
    }

    /// Adds a subscription to `pattern` (non-empty) for `tab`; `flags`: [`flags`];
    /// `coalesce`: the `coalesceMs` option, 0 for none, already checked by the facade
    /// (`js/options.js` `coalesceOf`). Returns its id; the facade registers the handler
    /// under it.
    ///
    /// ```js
    /// const id = engine.subscribe('POST:/kimchi/*', undefined, 2, 250);
    /// ```
    pub fn subscribe(
        &self,
        pattern: &str,
        tab: Option<String>,
        flags: u32,
        coalesce: f64,
    ) -> SubId {
        let options = SubOptions {
            tab: tab.filter(|t| !t.is_empty()),
            persist: flags & flags::PERSIST != 0,
            resync: flags & flags::RESYNC != 0,
            // Checked; the cast saturates and maps anything else to 0 (exact calls).
            coalesce_ms: coalesce as u64,
        };
        self.inner.subscribe(pattern, options)
    }

    /// Removes subscription `id`; `false` when it was already gone.
    ///
    /// ```js
    /// engine.unsubscribe(id);
    /// ```
    pub fn unsubscribe(&self, id: SubId) -> bool {
        self.inner.unsubscribe(id)
    }

    /// Whether subscription `id` is live.
    ///
    /// ```js
    /// engine.active(id);
    /// ```
    pub fn active(&self, id: SubId) -> bool {
        self.inner.with_core(|c| c.registry().contains(id))
    }

    /// Drops every subscription of `tab`; returns how many.
    ///
    /// ```js
    /// engine.closeTab('kimchi-guests');
    /// ```
    #[wasm_bindgen(js_name = closeTab)]
    pub fn close_tab(&self, tab: &str) -> u32 {
        self.inner.close_tab(tab) as u32
    }

    /// Connects now (reopens, retries at once, starts again after an ended session); what
    /// `open()` does when the manager is closed.
    ///
    /// ```js
    /// engine.reconnect();
    /// ```
    pub fn reconnect(&self) {
        self.inner.input(Input::Connect);
    }

    /// Closes the socket, aborts any fetch, removes page listeners; subscriptions stay.
    ///
    /// ```js
    /// engine.close();
    /// ```
    pub fn close(&self) {
        self.inner.input(Input::Close);
    }

    /// The state's code, and the role's in bits 8–15 (`js/dispatch.js` `STATES`, `ROLES`).
    ///
    /// ```js
    /// const status = engine.status();
    /// const [state, role] = [STATES[status & 255], ROLES[status >> 8]];
    /// ```
    pub fn status(&self) -> u32 {
        self.inner
            .with_core(|c| u32::from(c.state().code()) | u32::from(c.role() as u8) << 8)
    }

    /// Counter `i` of `stats()`, in the order of `crate::boundary::counters` (their names
    /// are generated into `js/dispatch.js` `STAT_NAMES`); 0 past the last.
    ///
    /// ```js
    /// const attempts = engine.counter(STAT_NAMES.indexOf('attempts'));
    /// ```
    pub fn counter(&self, i: u32) -> u32 {
        self.inner.with_core(|c| {
            let all = crate::boundary::counters(&c.stats(), c.registry().len() as u32);
            all.get(i as usize).map_or(0, |&(_, v)| v)
        })
    }
}
