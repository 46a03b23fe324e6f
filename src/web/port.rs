//! The browser I/O port of one manager (`js/io.js`). Owns: the JS port object that holds the
//! `WebSocket`, the `fetch` and its `AbortController`, the one timer and the page lifecycle
//! listeners, and the decoding of what it reports. Dropping the port detaches and closes
//! all of them.
//!
//! The way back into wasm is no `Closure`: the port's one callback, `port.cb`, is the
//! manager's exported `Engine.input` (wired by `js/api.js`), so no closure exists at all,
//! let alone one per connection.
//!
//! The JS side only does what it is told and reports events; every decision stays in the
//! core. Socket events carry their attempt's generation, so the core drops stale ones.

use super::js::Clock;
use crate::boundary::{ev, relay};
use crate::driver::Io;
use core::cell::Cell;
use wasm_bindgen::prelude::*;
use wok_push_core::prelude::*;
use wok_push_core::{Frame, Gen, Input, Protocol};

#[wasm_bindgen(module = "/js/io.js")]
extern "C" {
    /// A manager's I/O port (opaque to Rust), made by `makePort()` in `js/io.js`.
    pub type JsPort;
    #[wasm_bindgen(js_name = openSocket)]
    fn open_socket(p: &JsPort, url: &str, gen: u32) -> bool;
    #[wasm_bindgen(js_name = closeSocket)]
    fn close_socket(p: &JsPort, gen: f64);
    #[wasm_bindgen(js_name = sendHeartbeat)]
    fn send_heartbeat(p: &JsPort, gen: u32, base64: bool);
    #[wasm_bindgen(js_name = startFetch)]
    fn start_fetch(p: &JsPort, url: &str, gen: u32);
    #[wasm_bindgen(js_name = abortFetch)]
    fn abort_fetch(p: &JsPort);
    #[wasm_bindgen(js_name = armTimer)]
    fn arm_timer(p: &JsPort, ms: f64);
    #[wasm_bindgen(js_name = installPage)]
    fn install_page(p: &JsPort);
    #[wasm_bindgen(js_name = removePage)]
    fn remove_page(p: &JsPort);
    /// Whether Web Locks and BroadcastChannel exist.
    #[wasm_bindgen(js_name = tabsSupported)]
    pub fn tabs_supported() -> bool;
    fn elect(p: &JsPort, name: &str);
    fn resign(p: &JsPort);
    #[wasm_bindgen(js_name = publishMessage)]
    fn publish_message(
        p: &JsPort,
        code: &str,
        message: Option<&str>,
        timestamp: Option<&str>,
        source: u32,
    );
    #[wasm_bindgen(js_name = publishState)]
    fn publish_state(p: &JsPort, previous: u32, state: u32, reason: u32, retry_in: f64);
    #[wasm_bindgen(js_name = publishResync)]
    fn publish_resync(p: &JsPort);
    #[wasm_bindgen(js_name = publishHello)]
    fn publish_hello(p: &JsPort);
    /// Milliseconds on the page's monotonic clock (`performance.now()`).
    pub fn now() -> f64;
    /// 53 random bits (`crypto.getRandomValues`).
    pub fn seed() -> f64;
    /// `new Error(message)` with `code` set.
    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(message: &str, code: &str) -> JsValue;
}

/// The I/O of one manager.
pub struct Port {
    js: JsPort,
    clock: Clock,
    /// The deadline the JS timer is armed for.
    deadline: Cell<Option<u64>>,
}

/// Turns one reported event, `cb(kind, gen, num, at, text, bytes, text2, text3)`, into a
/// core input (`None` for the timer, handled apart, and for anything malformed).
#[allow(clippy::too_many_arguments)]
pub fn input(
    kind: u32,
    gen: Gen,
    num: f64,
    at: f64,
    text: Option<String>,
    bytes: Option<Vec<u8>>,
    text2: Option<String>,
    text3: Option<String>,
) -> Option<Input> {
    use wok_push_core::{FetchResult, Message, Notice, Reason, Source, State, StateChange};
    Some(match kind {
        ev::OPEN => Input::SocketOpened(gen, text.unwrap_or_default()),
        ev::TEXT => Input::SocketFrame(gen, Frame::Text(text.unwrap_or_default())),
        ev::BINARY => Input::SocketFrame(gen, Frame::Binary(bytes.unwrap_or_default())),
        ev::CLOSED => Input::SocketClosed(gen),
        ev::FETCHED => Input::Fetched(
            gen,
            FetchResult::Answer(num as u16, text.unwrap_or_default()),
        ),
        ev::FETCH_FAILED => Input::Fetched(gen, FetchResult::Failed),
        ev::ONLINE => Input::Online,
        ev::OFFLINE => Input::Offline,
        ev::VISIBLE => Input::Visibility(true),
        ev::HIDDEN => Input::Visibility(false),
        ev::PAGEHIDE => Input::PageHide,
        ev::PAGESHOW => Input::PageShow,
        // The event's own time, not the manager's clamped clock: a tab's listener that
        // subscribed after the event (a clock read later than its timeStamp) must stay.
        ev::HASHCHANGE => Input::HashChange(at as u64),
        ev::LEAD => Input::Lead,
        ev::FOLLOW => Input::Follow,
        ev::RELAY => Input::Relayed(Message {
            notice: Notice {
                code: text?,
                message: text2,
                timestamp: text3,
            },
            source: if num == f64::from(relay::FROM_POLL) {
                Source::Poll
            } else {
                Source::Push
            },
        }),
        ev::RELAY_STATE => {
            // gen packs the reason, the previous state and the state (`relay`).
            let state = State::from_code((gen >> relay::STATE_SHIFT) as u8)?;
            Input::LeaderState(StateChange {
                previous: State::from_code((gen >> relay::PREVIOUS_SHIFT) as u8)?,
                state,
                transport: state.transport(),
                reason: Reason::from_code((gen & relay::REASON_MASK) as u16)?,
                retry_in: (num >= 0.0).then_some(num as u64),
            })
        }
        ev::RELAY_RESYNC => Input::LeaderResync,
        ev::HELLO => Input::Hello,
        _ => return None,
    })
}

impl Port {
    /// The manager's side of `js`.
    pub fn new(js: JsPort) -> Port {
        Port {
            js,
            clock: Clock::new(),
            deadline: Cell::new(None),
        }
    }

    /// The manager's time of an event that happened at `ms` (its `timeStamp`), see
    /// [`Clock::at`].
    pub fn event_time(&self, ms: f64) -> u64 {
        self.clock.at(ms)
    }
}

impl Io for Port {
    fn now(&self) -> u64 {
        self.clock.now()
    }

    fn open_socket(&self, url: &str, gen: Gen) -> bool {
        open_socket(&self.js, url, gen)
    }

    fn close_socket(&self, gen: Gen) {
        close_socket(&self.js, f64::from(gen));
    }

    fn send_heartbeat(&self, gen: Gen, protocol: Protocol) {
        send_heartbeat(&self.js, gen, protocol == Protocol::Base64);
    }

    fn start_fetch(&self, url: &str, gen: Gen) {
        start_fetch(&self.js, url, gen);
    }

    fn abort_fetch(&self) {
        abort_fetch(&self.js);
    }

    /// Re-armed only when the deadline changes.
    fn arm(&self, deadline: Option<u64>, now: u64) {
        if deadline == self.deadline.get() {
            return;
        }
        self.deadline.set(deadline);
        arm_timer(
            &self.js,
            deadline.map_or(-1.0, |d| d.saturating_sub(now).min(i32::MAX as u64) as f64),
        );
    }

    fn fired(&self) {
        self.deadline.set(None);
    }

    fn page(&self, on: bool) {
        if on {
            install_page(&self.js);
        } else {
            remove_page(&self.js);
        }
    }

    fn elect(&self, name: &str) {
        elect(&self.js, name);
    }

    fn resign(&self) {
        resign(&self.js);
    }

    fn publish(&self, b: &wok_push_core::Broadcast) {
        use wok_push_core::{Broadcast, Source};
        match b {
            Broadcast::Message(m) => publish_message(
                &self.js,
                &m.notice.code,
                m.notice.message.as_deref(),
                m.notice.timestamp.as_deref(),
                if m.source == Source::Poll {
                    relay::FROM_POLL
                } else {
                    0
                },
            ),
            Broadcast::State(c) => publish_state(
                &self.js,
                u32::from(c.previous.code()),
                u32::from(c.state.code()),
                u32::from(c.reason.code()),
                c.retry_in.map_or(-1.0, |ms| ms as f64),
            ),
            Broadcast::Resync => publish_resync(&self.js),
            Broadcast::Hello => publish_hello(&self.js),
        }
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        close_socket(&self.js, -1.0);
        abort_fetch(&self.js);
        arm_timer(&self.js, -1.0);
        remove_page(&self.js);
        resign(&self.js);
    }
}
