//! The connection manager state machine. Owns: intent, state, the websocket attempt
//! lifecycle (generation ids, connect timeout, usefulness), reconnect backoff, fallback to
//! polling and the probe back, liveness, catch-up fetches, resync announcements and dispatch.
//!
//! Sans-IO: every input comes with `now_ms`; outputs are drained with
//! [`Manager::poll_output`]; the next deadline is [`Manager::poll_timeout`].
//!
//! # Liveness rule (WoK's push server never answers)
//! 1. A heartbeat is sent every `heartbeatMs`; it keeps proxies from idling the socket out
//!    and lets TCP notice a dead path (the browser then fires `close`).
//! 2. At each heartbeat, if the socket's `bufferedAmount` was non-zero at the previous
//!    heartbeat and still is, the socket is stuck: it is closed and replaced.
//! 3. If a timer fires more than [`SLEEP_MARGIN_MS`] + `heartbeatMs` late, the machine slept
//!    or the tab was frozen: the socket is assumed dead and replaced at once (a gap).
//! 4. `online` retries at once when waiting, and replaces an open socket if `offline` was
//!    seen during its life (the network changed under it).
//! 5. The page becoming visible retries at once when waiting, and replaces an open socket
//!    when the page was hidden for longer than the sleep threshold.
//!
//! Replacing a live socket is a gap: a catch-up `GET /notifications` and a `resync` follow.

use super::backoff::Backoff;
use super::config::Config;
use super::dedupe::Seen;
use super::error::Error;
use super::frame::{Decoder, Protocol};
use super::io::{Gen, Input, Output, Stats};
use super::notice::{Message, Notice, Source};
use super::registry::{Registry, SubId};
use super::state::{Reason, State, StateChange};
use std::collections::VecDeque;

mod feed;
mod liveness;

/// Extra lateness, beyond `heartbeatMs`, that counts as sleep (covers background-tab
/// timer throttling, which aligns timers to one minute).
pub const SLEEP_MARGIN_MS: u64 = 60_000;

/// Which transport the manager is committed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    WebSocket,
    Polling,
}

/// The websocket of the current attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sock {
    None,
    Connecting {
        gen: Gen,
        deadline: u64,
    },
    Open {
        gen: Gen,
        protocol: Protocol,
        useful_at: Option<u64>,
        heartbeat_at: u64,
    },
}

/// Codes that tell WoK's UI to re-read `/notifications`.
const FEED_TRIGGERS: [&str; 2] = ["POST:/wok/notifications", "DELETE:/wok/notification"];

/// The sans-IO connection manager.
#[derive(Debug)]
pub struct Manager {
    cfg: Config,
    state: State,
    mode: Mode,
    sock: Sock,
    gen: Gen,
    failures: u32,
    backoff: Backoff,
    decoder: Decoder,
    seen: Seen,
    registry: Registry,
    retry_at: Option<u64>,
    poll_at: Option<u64>,
    fetch: Option<Gen>,
    fetch_gen: Gen,
    fetch_again: bool,
    fetch_deadline: Option<u64>,
    poll_errors: u32,
    session_expired: bool,
    paused: bool,
    gap: bool,
    last_buffered: u32,
    offline_seen: bool,
    hidden_since: Option<u64>,
    unavailable_reported: bool,
    out: VecDeque<Output>,
    stats: Stats,
}

impl Manager {
    /// A closed manager with a validated config and an RNG seed (for jitter).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `cfg` does not validate.
    pub fn new(cfg: Config, seed: u64) -> Result<Manager, Error> {
        cfg.validate()?;
        Ok(Manager {
            backoff: Backoff::new(seed, cfg.reconnect_min_ms, cfg.reconnect_max_ms),
            decoder: Decoder::new(cfg.format, cfg.max_partial_bytes),
            seen: Seen::new(cfg.max_notifications),
            cfg,
            state: State::Closed,
            mode: Mode::WebSocket,
            sock: Sock::None,
            gen: 0,
            failures: 0,
            registry: Registry::default(),
            retry_at: None,
            poll_at: None,
            fetch: None,
            fetch_gen: 0,
            fetch_again: false,
            fetch_deadline: None,
            poll_errors: 0,
            session_expired: false,
            paused: false,
            gap: false,
            last_buffered: 0,
            offline_seen: false,
            hidden_since: None,
            unavailable_reported: false,
            out: VecDeque::new(),
            stats: Stats::default(),
        })
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The config in use.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Counters for `stats()`.
    pub fn stats(&self) -> Stats {
        Stats {
            failures: self.failures,
            ..self.stats
        }
    }

    /// The subscription registry (read-only).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Adds a subscription made at `now` (see [`Registry::add`]).
    pub fn subscribe(
        &mut self,
        now: u64,
        pattern: &str,
        tab: Option<String>,
        persist: bool,
        resync: bool,
    ) -> SubId {
        self.registry.add(pattern, tab, persist, resync, now)
    }

    /// Removes a subscription; `false` when already gone.
    pub fn unsubscribe(&mut self, id: SubId) -> bool {
        self.registry.remove(id)
    }

    /// Drops every subscription of `tab`; returns their ids.
    pub fn close_tab(&mut self, tab: &str) -> Vec<SubId> {
        self.registry.close_tab(tab)
    }

    /// Whether the application closed the manager (or never connected it).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// The next output to carry out, in order; `None` when drained.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// The earliest deadline (ms, same clock as `now_ms`) at which `Input::Timer` is due.
    pub fn poll_timeout(&self) -> Option<u64> {
        let sock = match self.sock {
            Sock::None => None,
            Sock::Connecting { deadline, .. } => Some(deadline),
            Sock::Open {
                useful_at,
                heartbeat_at,
                ..
            } => Some(useful_at.map_or(heartbeat_at, |u| u.min(heartbeat_at))),
        };
        [sock, self.retry_at, self.poll_at]
            .into_iter()
            .flatten()
            .min()
    }

    /// Feeds one input at time `now_ms`. Never panics on any input.
    pub fn handle(&mut self, now: u64, input: Input) {
        if self.state == State::Closed && !matches!(input, Input::Connect | Input::HashChange(_)) {
            // Closed means closed: nothing but `connect()` reopens (inputs of old sockets,
            // timers, lifecycle events are all ignored here).
            return;
        }
        match input {
            Input::Connect => self.connect(now),
            Input::Close => self.close(now),
            Input::SocketUnavailable(g) if self.is_current(g) => self.socket_unavailable(now),
            Input::SocketOpened(g, p) if self.is_current(g) => self.socket_opened(now, &p),
            Input::SocketFrame(g, f) if self.is_current(g) => self.socket_frame(now, &f),
            Input::SocketClosed(g) if self.is_current(g) => {
                self.socket_lost(now, Reason::SocketClosed)
            }
            Input::Fetched(g, r) if self.fetch == Some(g) => self.fetched(now, r),
            Input::Timer(buffered) => self.timer(now, buffered),
            Input::Online => self.online(now),
            Input::Offline => self.offline_seen = true,
            Input::Visibility(v) => self.visibility(now, v),
            Input::PageHide => self.page_hide(now),
            Input::PageShow => self.page_show(now),
            Input::HashChange(at) => {
                if self.cfg.auto_tab_cleanup {
                    let gone = self.registry.drop_tab_scoped(at.min(now));
                    if !gone.is_empty() {
                        self.out.push_back(Output::Dropped(gone));
                    }
                }
            }
            // Inputs from an older attempt or fetch: ignored, in this one place.
            _ => {}
        }
    }

    fn is_current(&self, g: Gen) -> bool {
        match self.sock {
            Sock::Connecting { gen, .. } | Sock::Open { gen, .. } => gen == g,
            Sock::None => false,
        }
    }

    /// The one place state changes and is announced.
    fn set_state(&mut self, now: u64, state: State, reason: Reason) {
        if state == self.state {
            return;
        }
        let previous = self.state;
        self.state = state;
        let retry_in = match state {
            State::Backoff | State::Polling => self.retry_at.map(|t| t.saturating_sub(now)),
            _ => None,
        };
        self.out.push_back(Output::State(StateChange {
            previous,
            state,
            transport: state.transport(),
            reason,
            retry_in,
        }));
    }

    fn error(&mut self, e: Error) {
        self.stats.errors += 1;
        self.out.push_back(Output::Error(e));
    }

    fn connect(&mut self, now: u64) {
        self.session_expired = false;
        if self.state != State::Closed {
            // Already wanted: lift pauses and retry what waits.
            if self.mode == Mode::Polling {
                self.poll_at = Some(now);
            } else if self.state == State::Backoff {
                self.retry_at = Some(now);
            }
            return;
        }
        self.mode = Mode::WebSocket;
        self.failures = 0;
        self.paused = false;
        self.start_attempt(now, Reason::Connect);
    }

    fn close(&mut self, now: u64) {
        self.halt();
        self.paused = false;
        self.gap = false;
        self.set_state(now, State::Closed, Reason::Closed);
    }

    /// Stops all I/O: closes the socket, aborts the fetch, clears retry and poll deadlines.
    /// Returns whether a live websocket was lost (a gap).
    fn halt(&mut self) -> bool {
        let (live, _) = self.abandon_socket();
        self.abort_fetch();
        self.retry_at = None;
        self.poll_at = None;
        live
    }

    fn start_attempt(&mut self, now: u64, reason: Reason) {
        self.gen = self.gen.wrapping_add(1);
        self.sock = Sock::Connecting {
            gen: self.gen,
            deadline: now + self.cfg.connect_timeout_ms,
        };
        self.retry_at = None;
        self.stats.attempts += 1;
        if self.mode == Mode::WebSocket {
            self.set_state(now, State::Connecting, reason);
        }
        self.out.push_back(Output::OpenSocket(self.gen));
    }

    /// Closes the current socket, if any, without deciding what comes next.
    /// Returns whether it was a live, announced websocket (so losing it is a gap) and
    /// whether it had proved useful.
    fn abandon_socket(&mut self) -> (bool, bool) {
        let (live, useful) = match self.sock {
            Sock::None => return (false, false),
            Sock::Connecting { gen, .. } => {
                self.out.push_back(Output::CloseSocket(gen));
                (false, false)
            }
            Sock::Open { gen, useful_at, .. } => {
                self.out.push_back(Output::CloseSocket(gen));
                (self.mode == Mode::WebSocket, useful_at.is_none())
            }
        };
        self.sock = Sock::None;
        self.decoder.reset();
        self.last_buffered = 0;
        (live, useful)
    }

    fn socket_unavailable(&mut self, now: u64) {
        self.sock = Sock::None;
        if !self.unavailable_reported {
            self.unavailable_reported = true;
            self.error(Error::WebSocketUnavailable);
        }
        self.failures = self.failures.saturating_add(1);
        if self.mode == Mode::Polling {
            self.retry_at = Some(now + self.backoff.delay(self.failures));
        } else {
            self.enter_polling(now, Reason::WebSocketUnavailable);
        }
    }

    fn socket_opened(&mut self, now: u64, protocol: &str) {
        let Sock::Connecting { gen, .. } = self.sock else {
            return;
        };
        self.stats.opens += 1;
        self.sock = Sock::Open {
            gen,
            protocol: Protocol::from_selected(protocol),
            useful_at: Some(now + self.cfg.useful_after_ms),
            heartbeat_at: now + self.cfg.heartbeat_ms,
        };
        self.decoder.reset();
        self.last_buffered = 0;
        self.offline_seen = false;
        if self.mode == Mode::WebSocket {
            self.session_expired = false;
            self.set_state(now, State::Open, Reason::Opened);
            self.went_live(now);
        }
        // While polling this is a probe: it switches over once useful.
    }

    /// A transport became live: catch up, and announce a gap if there was one.
    fn went_live(&mut self, now: u64) {
        self.request_fetch(now);
        self.announce_gap();
    }

    /// Emits `resync` if a live transport was lost since the last announcement.
    fn announce_gap(&mut self) {
        if self.gap {
            self.gap = false;
            self.stats.resyncs += 1;
            self.out
                .push_back(Output::Resync(self.registry.resync_targets()));
        }
    }

    fn mark_useful(&mut self, now: u64) {
        if let Sock::Open {
            useful_at: ref mut u @ Some(_),
            ..
        } = self.sock
        {
            *u = None;
            self.failures = 0;
            if self.mode == Mode::Polling {
                self.mode = Mode::WebSocket;
                self.poll_at = None;
                self.poll_errors = 0;
                self.session_expired = false;
                self.gap = true;
                self.set_state(now, State::Open, Reason::ProbeSucceeded);
                self.went_live(now);
            }
        }
    }

    fn socket_frame(&mut self, now: u64, frame: &super::frame::Frame) {
        let Sock::Open { protocol, .. } = self.sock else {
            return;
        };
        self.stats.frames += 1;
        let mut items = Vec::new();
        self.decoder.push(frame, protocol, &mut items);
        if items.iter().any(Result::is_ok) {
            self.mark_useful(now);
        }
        for item in items {
            match item {
                Ok(n) => {
                    if FEED_TRIGGERS.contains(&n.code.as_str()) {
                        self.request_fetch(now);
                    }
                    if n.timestamp.is_some() && !self.seen.insert(&n) {
                        self.stats.duplicates += 1;
                        continue;
                    }
                    self.deliver(n, Source::Push);
                }
                Err(e) => self.error(e),
            }
        }
    }

    fn deliver(&mut self, notice: Notice, source: Source) {
        self.stats.messages += 1;
        let subs = self.registry.matching(&notice.code);
        if !subs.is_empty() {
            self.out
                .push_back(Output::Deliver(Message { notice, source }, subs));
        }
    }

    /// The current socket is gone (closed, failed, timed out, stuck, assumed dead).
    fn socket_lost(&mut self, now: u64, reason: Reason) {
        let (live, useful) = self.abandon_socket();
        if live {
            self.gap = true;
        }
        if !useful {
            self.failures = self.failures.saturating_add(1);
        }
        let immediate = matches!(reason, Reason::Slept | Reason::Online | Reason::Visible);
        match self.mode {
            Mode::Polling => {
                self.retry_at = Some(now + self.backoff.delay(self.failures));
            }
            Mode::WebSocket if self.failures >= self.cfg.fallback_after => {
                self.enter_polling(now, Reason::Fallback);
            }
            Mode::WebSocket if immediate && useful => self.start_attempt(now, reason),
            Mode::WebSocket => {
                self.retry_at = Some(now + self.backoff.delay(self.failures.saturating_sub(1)));
                self.set_state(now, State::Backoff, reason);
            }
        }
    }

    fn enter_polling(&mut self, now: u64, reason: Reason) {
        self.mode = Mode::Polling;
        self.retry_at = Some(now + self.backoff.delay(self.failures));
        self.poll_errors = 0;
        self.set_state(now, State::Polling, reason);
        self.poll_at = None;
        if !self.session_expired {
            self.request_fetch(now);
        }
        self.announce_gap();
    }
}
