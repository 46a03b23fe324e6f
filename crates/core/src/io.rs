//! The core's vocabulary with the outside world. Owns: [`Input`], [`Output`], [`FetchResult`]
//! and [`Stats`]. The shell turns browser events into inputs and carries out outputs.

use super::error::Error;
use super::frame::{Frame, Protocol};
use super::notice::Message;
use super::registry::{SubId, To};
use super::state::StateChange;
use crate::prelude::*;

/// A generation id: one per websocket attempt, one per fetch. Inputs that carry an old one
/// are ignored (in one place: `Manager::handle`).
pub type Gen = u32;

/// What happened, fed to `Manager::handle(now_ms, input)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// The application wants to be connected (`connect()`); also lifts a 401 pause.
    Connect,
    /// The application closed the manager (`close()`).
    Close,
    /// The `WebSocket` constructor threw (no WebSocket, bad URL, blocked).
    SocketUnavailable(Gen),
    /// The socket of attempt `Gen` opened; the string is `WebSocket.protocol`.
    SocketOpened(Gen, String),
    /// The socket of attempt `Gen` delivered a frame.
    SocketFrame(Gen, Frame),
    /// The socket of attempt `Gen` closed or failed (`close` or `error` event).
    SocketClosed(Gen),
    /// The fetch `Gen` finished.
    Fetched(Gen, FetchResult),
    /// The one timer fired.
    Timer,
    /// `online` event.
    Online,
    /// `offline` event.
    Offline,
    /// `visibilitychange`; `true` when the page is now visible.
    Visibility(bool),
    /// `pagehide` (the page may enter the bfcache).
    PageHide,
    /// `pageshow` after a `pagehide`.
    PageShow,
    /// `hashchange` at this time (the event's `timeStamp`, same clock as `now_ms`): the user
    /// switched WoK tabs. Tab-scoped subscriptions made before it are dropped; those made
    /// since (by the new tab's own `hashchange` listeners) are kept.
    HashChange(u64),
    /// Shared managers: this page won the election, it runs the transport now.
    Lead,
    /// Shared managers: another tab leads; this page follows it.
    Follow,
    /// Shared managers: a message the leader tab published.
    Relayed(Message),
    /// Shared managers: the leader tab's state changed (or it answered a hello).
    LeaderState(StateChange),
    /// Shared managers: the leader tab announced a gap.
    LeaderResync,
    /// Shared managers: a follower tab asks the leader for its state.
    Hello,
}

/// What a leader tab publishes to the other tabs of its origin (or a follower asks).
#[derive(Clone, Debug, PartialEq)]
pub enum Broadcast {
    /// A decoded message (push, or a `/notifications` item).
    Message(Message),
    /// The connection's state changed.
    State(StateChange),
    /// A gap: every tab resyncs.
    Resync,
    /// A new follower asks the leader for its state.
    Hello,
}

/// The role of a manager across the tabs of its origin (`stats().role`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Role {
    /// Not shared (`shareAcrossTabs: false`, or no Web Locks / BroadcastChannel).
    Alone,
    /// Runs the transport for every tab.
    Leader,
    /// Another tab runs it; this one dispatches what the leader publishes.
    Follower,
}

impl Role {
    /// Every role, by number (`role as u8` is its index: how it crosses to JS).
    pub const ALL: [Role; 3] = [Role::Alone, Role::Leader, Role::Follower];

    /// The JS string.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Alone => "alone",
            Role::Leader => "leader",
            Role::Follower => "follower",
        }
    }
}

/// The outcome of one `GET /notifications`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchResult {
    /// An HTTP answer: status and body text.
    Answer(u16, String),
    /// No answer: network error, reset, or abort.
    Failed,
    /// No answer within `fetchTimeoutMs` (the core decided this and aborted the fetch).
    TimedOut,
}

/// What to do, drained with `Manager::poll_output()`.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Open a websocket for attempt `Gen` (offering `binary` and `base64`).
    OpenSocket(Gen),
    /// Detach the handlers of attempt `Gen`'s socket, close it and drop it.
    CloseSocket(Gen),
    /// Send this heartbeat text on the open socket: as bytes for `Binary`, as text for `Base64`.
    Send(Gen, Protocol),
    /// Start `GET /notifications` as fetch `Gen`.
    Fetch(Gen),
    /// Abort the fetch in flight, if any.
    AbortFetch,
    /// Announce a state change to `on('state')` listeners.
    State(StateChange),
    /// Call the handlers of these subscriptions (in order; [`Registry::ids`] lists them)
    /// with this message, which stands for this many messages (`coalesced`: 1, or more for
    /// a coalescing subscription's trailing call, which has one id). Look each handler up
    /// at call time: one removed by an earlier handler is skipped.
    ///
    /// [`Registry::ids`]: crate::registry::Registry::ids
    Deliver(Message, To, u32),
    /// A gap happened: call `on('resync')` listeners and these subscriptions' handlers.
    Resync(Vec<SubId>),
    /// Report an error to `on('error')` listeners.
    Error(Error),
    /// These subscriptions were dropped by the core (tab cleanup): free their handlers.
    Dropped(Vec<SubId>),
    /// Shared managers: join the election for the connection (request the Web Lock, open
    /// the BroadcastChannel); the answer comes as `Input::Lead` or `Input::Follow`.
    Elect,
    /// Shared managers: leave it (release or stop waiting for the lock, close the channel).
    Resign,
    /// Shared managers: post this to the other tabs.
    Publish(Broadcast),
}

/// Counters exposed by `push.stats()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Websocket attempts started (first connect, reconnects, probes).
    pub attempts: u32,
    /// Websocket connections that opened.
    pub opens: u32,
    /// Data frames received.
    pub frames: u32,
    /// Messages delivered to at least the dispatch step (push and poll).
    pub messages: u32,
    /// `GET /notifications` requests started.
    pub fetches: u32,
    /// Fetches that failed (HTTP error, bad body, network).
    pub fetch_errors: u32,
    /// Notifications skipped as already seen.
    pub duplicates: u32,
    /// Resync announcements.
    pub resyncs: u32,
    /// Errors reported.
    pub errors: u32,
    /// Failed websocket attempts in a row right now.
    pub failures: u32,
}
