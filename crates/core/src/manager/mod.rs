//! The connection manager state machine. Owns: intent and connection state (`Conn`, with
//! the connection's deadlines), the outbox, and the public surface of the core; its next
//! deadline is the soonest of its parts' own (`poll_timeout`). The parts live in
//! `socket` (attempts, backoff, fallback, probes), `feed` (`GET /notifications`),
//! `liveness` (the timer input and the page lifecycle), `deliver` (messages, one at a time) and
//! `tabs` (the followers of a shared connection and the snapshot a new one is given).
//!
//! Sans-IO: every input comes with `now_ms`; outputs are drained with
//! [`Manager::poll_output`]; the next deadline is [`Manager::poll_timeout`].
//!
//! # Liveness rule
//! 1. A heartbeat is sent every `heartbeatMs`; it keeps proxies from idling the socket out.
//!    Stock WoK's push server never answers it, and then nothing else can tell a silently
//!    dead connection from a quiet one (TCP gives up on a dead path only after minutes).
//! 2. A server that answers shows it on each connection by sending a message whose code is
//!    [`HEARTBEAT`] (an echo of the client's, or its own at a steady interval; never
//!    delivered to subscribers). From then on, at each heartbeat, if nothing at all arrived
//!    since the two previous heartbeats were sent (two heartbeat intervals of silence), the
//!    connection is silent: it is closed and replaced (`silent`). A fault is so noticed
//!    2–3 × `heartbeatMs` after it (1–2 × when the last echo was lost too); a server's own
//!    heartbeat interval must stay under 2 × `heartbeatMs`. Counted in heartbeats sent, not
//!    in clock time, so the throttled timers of a background tab cannot make a live socket
//!    look silent.
//! 3. If a timer fires more than [`SLEEP_MARGIN_MS`] + `heartbeatMs` late, the machine slept
//!    or the tab was frozen: the socket is assumed dead and replaced at once (a gap).
//! 4. `online` retries at once when waiting, and replaces an open socket if `offline` was
//!    seen during its life (the network changed under it).
//! 5. The page becoming visible retries at once when waiting, and replaces an open socket
//!    when the page was hidden for longer than the sleep threshold.
//!
//! Replacing a live socket is a gap: a catch-up `GET /notifications` and a `resync` follow.
//!
//! # Session rule
//! A browser reports a refused upgrade (a server that wants a session, e.g. WoK's nginx with
//! the `auth_request` patch) only as a socket closed before it opened, like a server that is
//! down. `GET /notifications` tells the two apart, so it is the session check:
//! 1. A handshake that fails in websocket mode asks for one `GET /notifications`: at most
//!    `fallbackAfter - 1` of them at the backoff's pace before the fallback, whose polls are
//!    the checks from then on (probes that fail ask for none). A 2xx or an error means the
//!    path is at fault, not the session: the backoff and the fallback go on as before.
//! 2. A `POST:/wok/logout` push (anyone's logout: WoK broadcasts it) asks for one too.
//! 3. Any `GET /notifications` that answers 401 ends the session (`Conn::Expired`,
//!    reason `session-expired`, the `session-expired` error once): the socket is closed,
//!    nothing is attempted or polled, no timer runs, and the state is `closed`.
//! 4. `connect()`/`reconnect()` start again. On a shared connection the expired leader
//!    keeps its lock: a tab of the origin that connects (after a login) says hello, and
//!    the leader checks the session once more and, when it answers 2xx, reconnects for
//!    every tab. Coming back is a gap (catch-up and `resync`) when a live transport was lost.

use super::config::Config;
use super::dedupe::Seen;
use super::error::Error;
use super::frame::Protocol;
use super::io::{Broadcast, Gen, Input, Output, Role, Stats};
use super::registry::{Registry, SubId, SubOptions};
use super::state::{Reason, State, StateChange};
use crate::prelude::*;
use deliver::Outbox;
use feed::Feed;
use liveness::Liveness;
use socket::Attempts;
use tabs::Tabs;

mod deliver;
mod feed;
mod liveness;
mod socket;
mod tabs;

/// The code of a heartbeat message from the server (the client's own heartbeat text): it
/// proves that the server answers on this connection and is never delivered.
pub const HEARTBEAT: &str = "heartbeat";

/// Extra lateness, beyond `heartbeatMs`, that counts as sleep (covers background-tab
/// timer throttling, which aligns timers to one minute).
pub const SLEEP_MARGIN_MS: u64 = 60_000;

/// The sooner of two optional deadlines.
fn soonest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// One websocket attempt: the connection in websocket mode, or a probe while polling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Attempt {
    gen: Gen,
    link: Link,
}

/// How far an attempt got, with its deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    /// The handshake is running; it fails at `deadline` (`connectTimeoutMs`).
    Handshake { deadline: u64 },
    /// The socket is open.
    Up {
        /// The subprotocol the server selected.
        protocol: Protocol,
        /// When it proves useful by staying open (`usefulAfterMs`); `None` once it proved
        /// useful (that, or a message delivered).
        useful_at: Option<u64>,
        /// When the next client heartbeat is sent (`heartbeatMs`).
        heartbeat_at: u64,
        /// `offline` was seen during its life.
        offline_seen: bool,
    },
}

impl Link {
    /// Its next deadline.
    fn poll_timeout(self) -> u64 {
        match self {
            Link::Handshake { deadline } => deadline,
            Link::Up {
                useful_at,
                heartbeat_at,
                ..
            } => useful_at.unwrap_or(u64::MAX).min(heartbeat_at),
        }
    }
}

/// The connection, with the data each state needs. Changed only through [`Manager::go`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conn {
    /// Closed by the application, or never connected.
    Closed,
    /// Websocket mode: an attempt in its handshake (`connecting`) or open (`open`).
    Socket(Attempt),
    /// Websocket mode, waiting until `retry_at` for the next attempt.
    Backoff { retry_at: u64 },
    /// Polling `GET /notifications` (the feed's polls), probing the websocket: a probe
    /// attempt (`probe`), or the next one at `retry_at`.
    Polling {
        probe: Option<Attempt>,
        retry_at: Option<u64>,
    },
    /// `pagehide`: no I/O until `pageshow`; `polling` tells which mode resumes.
    Frozen { polling: bool },
    /// Shared: waiting to learn whether this tab leads (public state `connecting`).
    Electing,
    /// Shared: another tab leads; `mirror` is its public state.
    Follower { mirror: State },
    /// The session ended (a `GET /notifications` answered 401): no I/O until `connect()`
    /// or, on a shared connection, a new tab's hello finds the session valid (public state
    /// `closed`). A shared manager keeps its lock meanwhile.
    Expired,
}

impl Conn {
    /// The public state of this connection.
    fn state(self) -> State {
        match self {
            Conn::Closed | Conn::Expired => State::Closed,
            Conn::Socket(Attempt {
                link: Link::Handshake { .. },
                ..
            }) => State::Connecting,
            Conn::Socket(_) => State::Open,
            Conn::Backoff { .. } | Conn::Frozen { polling: false } => State::Backoff,
            Conn::Polling { .. } | Conn::Frozen { polling: true } => State::Polling,
            Conn::Electing => State::Connecting,
            Conn::Follower { mirror } => mirror,
        }
    }

    /// Whether this tab runs the transport (alone or as the leader; an expired one keeps
    /// the role, and so its followers).
    fn leads(self) -> bool {
        matches!(
            self,
            Conn::Socket(_) | Conn::Backoff { .. } | Conn::Polling { .. } | Conn::Expired
        )
    }

    /// The next websocket attempt's time, when waiting for one.
    fn retry_at(self) -> Option<u64> {
        match self {
            Conn::Backoff { retry_at } => Some(retry_at),
            Conn::Polling { retry_at, .. } => retry_at,
            _ => None,
        }
    }

    /// The connection's next deadline: its attempt's (handshake, usefulness, heartbeat) or
    /// its next attempt's (never both: a probe runs with no retry set).
    fn poll_timeout(self) -> Option<u64> {
        match self.attempt() {
            Some(a) => Some(a.link.poll_timeout()),
            None => self.retry_at(),
        }
    }

    /// The websocket attempt in progress or open, if any.
    fn attempt(self) -> Option<Attempt> {
        match self {
            Conn::Socket(a) | Conn::Polling { probe: Some(a), .. } => Some(a),
            _ => None,
        }
    }

    fn attempt_mut(&mut self) -> Option<&mut Attempt> {
        match self {
            Conn::Socket(a) | Conn::Polling { probe: Some(a), .. } => Some(a),
            _ => None,
        }
    }

    /// Whether the manager is in polling mode.
    fn polling(self) -> bool {
        matches!(self, Conn::Polling { .. } | Conn::Frozen { polling: true })
    }
}

/// The sans-IO connection manager: the connection (`Conn`, which carries each state's
/// data) and the parts, each the one owner of its facts.
#[derive(Debug)]
pub struct Manager {
    cfg: Config,
    /// The connection, with its deadlines (handshake, usefulness, heartbeat, retry).
    conn: Conn,
    /// Attempt numbering, failures and backoff, the frame decoder (`socket`).
    attempts: Attempts,
    /// Heartbeats and page visibility (`liveness`).
    liveness: Liveness,
    /// `GET /notifications` (`feed`).
    feed: Feed,
    /// Followers and what a new one is given (`tabs`).
    tabs: Tabs,
    /// Keys of what was delivered (`dedupe`).
    seen: Seen,
    registry: Registry,
    /// Outputs waiting for the shell (`deliver`).
    out: Outbox,
    /// The one source of randomness (backoff and polling jitter), seeded: deterministic in
    /// tests.
    rng: fastrand::Rng,
    stats: Stats,
    /// The time of the input being handled (or of the last one): trailing calls due by
    /// then are taken by `poll_output`.
    now: u64,
}

impl Manager {
    /// A closed manager with a validated config and an RNG seed (for jitter).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `cfg` does not validate.
    pub fn new(cfg: Config, seed: u64) -> Result<Manager, Error> {
        cfg.validate()?;
        Ok(Manager {
            attempts: Attempts::new(&cfg),
            liveness: Liveness::default(),
            feed: Feed::default(),
            rng: fastrand::Rng::with_seed(seed),
            tabs: Tabs::default(),
            seen: Seen::new(cfg.max_notifications),
            registry: Registry::default(),
            out: Outbox::default(),
            cfg,
            conn: Conn::Closed,
            stats: Stats::default(),
            now: 0,
        })
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.conn.state()
    }

    /// The config in use.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Counters for `stats()`.
    pub fn stats(&self) -> Stats {
        Stats {
            failures: self.attempts.failures(),
            ..self.stats
        }
    }

    /// The subscription registry (read-only).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Adds a subscription made at `now` (see [`Registry::add`]). It is matched from the
    /// next message on: a message already being delivered keeps its list.
    pub fn subscribe(&mut self, now: u64, pattern: &str, options: SubOptions) -> SubId {
        self.registry.add(pattern, options, now)
    }

    /// Removes a subscription; `false` when already gone. A trailing call it had pending
    /// is never made.
    pub fn unsubscribe(&mut self, id: SubId) -> bool {
        self.registry.remove(id)
    }

    /// Drops every subscription of `tab`; returns their ids.
    pub fn close_tab(&mut self, tab: &str) -> Vec<SubId> {
        self.registry.close_tab(tab)
    }

    /// This manager's role across the tabs of its origin.
    pub fn role(&self) -> Role {
        match self.conn {
            _ if !self.cfg.shared => Role::Alone,
            Conn::Electing | Conn::Follower { .. } => Role::Follower,
            Conn::Closed => Role::Alone,
            _ => Role::Leader,
        }
    }

    /// Whether the application closed the manager (or never connected it).
    pub fn is_closed(&self) -> bool {
        matches!(self.conn, Conn::Closed)
    }

    /// The next output to carry out, in order; `None` when drained.
    ///
    /// A message is matched against the subscriptions live *now*, so outputs must be taken
    /// one at a time, each carried out (handlers called) before the next is taken. A message
    /// nobody subscribes to is skipped (the rules are in `deliver`).
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.next(&mut self.registry, self.now)
    }

    /// The earliest deadline (ms, same clock as `now_ms`) at which `Input::Timer` is due:
    /// the soonest of the parts' own (the connection's, the feed's, the coalescing
    /// windows'), each written only by its owner.
    pub fn poll_timeout(&self) -> Option<u64> {
        // (No deadline reaches u64::MAX: every one is a time plus at most MAX_MS.)
        let none = u64::MAX;
        let t = self.conn.poll_timeout().unwrap_or(none);
        let t = t.min(self.feed.poll_timeout().unwrap_or(none));
        let t = t.min(self.out.poll_timeout().unwrap_or(none));
        (t < none).then_some(t)
    }

    /// Feeds one input at time `now_ms`. Never panics on any input.
    pub fn handle(&mut self, now: u64, input: Input) {
        self.now = now;
        if self.is_closed() && !matches!(input, Input::Connect | Input::HashChange(_)) {
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
            Input::Fetched(g, r) if self.feed.in_flight(g) => self.fetched(now, r),
            Input::Timer => self.timer(now),
            Input::Online => self.online(now),
            Input::Offline => self.offline(),
            Input::Visibility(v) => self.visibility(now, v),
            Input::PageHide => self.page_hide(now),
            Input::PageShow => self.page_show(now),
            Input::HashChange(at) => self.hash_change(now, at),
            Input::Lead => self.lead(now),
            Input::Follow => self.follow(now),
            Input::Relayed(m) => self.relayed(now, m),
            Input::LeaderState(c) => self.leader_state(c),
            Input::LeaderResync => self.leader_resync(),
            Input::Hello => self.hello(now),
            // Inputs from an older attempt or fetch: ignored, in this one place.
            _ => {}
        }
    }

    fn is_current(&self, g: Gen) -> bool {
        self.conn.attempt().is_some_and(|a| a.gen == g)
    }

    /// A transition, announced with the time to the next attempt when waiting.
    fn go(&mut self, now: u64, next: Conn, reason: Reason) {
        let retry_in = self.retry_in(now, next);
        self.transition(next, reason, retry_in);
    }

    /// Time to the next websocket attempt, announced with the waiting states.
    fn retry_in(&self, now: u64, next: Conn) -> Option<u64> {
        next.retry_at().map(|t| t.saturating_sub(now))
    }

    /// The one place the connection changes; a change of the public state is announced
    /// with its reason, and a leader tab publishes it to its followers.
    fn transition(&mut self, next: Conn, reason: Reason, retry_in: Option<u64>) {
        let previous = self.conn.state();
        self.conn = next;
        let state = next.state();
        if state == previous {
            return;
        }
        let change = StateChange {
            previous,
            state,
            transport: state.transport(),
            reason,
            retry_in,
        };
        self.out.push(Output::State(change));
        if self.publishes() {
            self.out.push(Output::Publish(Broadcast::State(change)));
        }
    }

    /// Whether this tab leads a shared connection that other tabs follow.
    fn publishes(&self) -> bool {
        self.cfg.shared && self.tabs.followed() && self.conn.leads()
    }

    fn error(&mut self, e: Error) {
        self.stats.errors += 1;
        self.out.push(Output::Error(e));
    }

    fn connect(&mut self, now: u64) {
        match self.conn {
            Conn::Closed if self.cfg.shared => self.elect(now, Reason::Connect),
            // A shared manager still holds its lock: no election.
            Conn::Closed | Conn::Expired => self.start_fresh(now, Reason::Connect),
            // Already wanted: retry what waits, poll now.
            Conn::Polling { .. } => self.feed.poll_at(Some(now)),
            Conn::Backoff { .. } => self.conn = Conn::Backoff { retry_at: now },
            Conn::Socket(_) | Conn::Frozen { .. } | Conn::Electing | Conn::Follower { .. } => {}
        }
    }

    fn close(&mut self, now: u64) {
        if self.cfg.shared {
            // The lock goes: another tab takes the connection over.
            self.out.push(Output::Resign);
        }
        self.halt();
        // Nothing queued for handlers survives a close, nor an owed resync or any pending
        // trailing call.
        self.out.discard_deliveries();
        self.registry.reset_windows();
        self.out.reset_coalescing();
        self.go(now, Conn::Closed, Reason::Closed);
    }

    /// Stops all I/O: closes the socket, aborts the fetch, clears every deadline. Returns
    /// whether a live websocket was lost (a gap). The caller moves the connection on (to
    /// `Closed` or `Frozen`, which have no deadline).
    fn halt(&mut self) -> bool {
        let (live, _) = self.abandon_attempt();
        self.abort_fetch();
        // The connection's deadlines go with it (the caller moves it on); the feed's polls
        // go; the subscriptions' coalescing windows stay (a page back from the bfcache still
        // makes its trailing calls).
        self.feed.poll_at(None);
        live
    }

    /// The session ended (rule 3 of the session rule): everything stops, announced once.
    /// (Only a leading manager fetches, and an expired one does not come here.)
    fn expire(&mut self, now: u64) {
        if self.halt() {
            self.out.lost();
        }
        self.go(now, Conn::Expired, Reason::SessionExpired);
    }

    fn hash_change(&mut self, now: u64, at: u64) {
        if self.cfg.auto_tab_cleanup {
            let gone = self.registry.drop_tab_scoped(at.min(now));
            if !gone.is_empty() {
                self.out.push(Output::Dropped(gone));
            }
        }
    }
}
