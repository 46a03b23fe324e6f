//! Connection state. Owns: [`State`], [`Transport`], [`Reason`] (stable numeric codes) and
//! the [`StateChange`] event. The manager changes state in one function (`Manager::transition`).

/// The one connection state of a manager (`push.state` in JS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// A websocket handshake is in progress (not while polling: probes do not show).
    Connecting,
    /// The websocket is open and delivering.
    Open,
    /// The websocket could not be had; `GET /notifications` is polled and the websocket probed.
    Polling,
    /// Waiting before the next websocket attempt.
    Backoff,
    /// Closed by the application (or not started), or by an ended session (reason
    /// `session-expired`). Nothing reopens it but `connect()`/`reconnect()`.
    Closed,
}

impl State {
    /// A stable number for this state (relayed between tabs).
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The state of a number from [`State::code`].
    pub fn from_code(code: u8) -> Option<State> {
        [
            State::Connecting,
            State::Open,
            State::Polling,
            State::Backoff,
            State::Closed,
        ]
        .get(usize::from(code))
        .copied()
    }

    /// The JS string of this state.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Connecting => "connecting",
            State::Open => "open",
            State::Polling => "polling",
            State::Backoff => "backoff",
            State::Closed => "closed",
        }
    }

    /// The transport that delivers messages in this state.
    pub fn transport(self) -> Transport {
        match self {
            State::Open => Transport::WebSocket,
            State::Polling => Transport::Polling,
            _ => Transport::None,
        }
    }
}

/// What currently delivers messages (`push.transport` in JS).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// The websocket.
    WebSocket,
    /// `GET /notifications` polling.
    Polling,
    /// Nothing (`null` in JS).
    None,
}

impl Transport {
    /// The JS string, or `None` for `null`.
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            Transport::WebSocket => Some("websocket"),
            Transport::Polling => Some("polling"),
            Transport::None => None,
        }
    }
}

/// Why the state changed. The numbers are stable: never renumber, only append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum Reason {
    /// 0 — the application called `connect()` (or reconnect after close).
    Connect = 0,
    /// 1 — the websocket opened.
    Opened = 1,
    /// 2 — the websocket closed or failed (server, network or proxy).
    SocketClosed = 2,
    /// 3 — the handshake took longer than `connectTimeoutMs`.
    ConnectTimeout = 3,
    /// 4 — `fallbackAfter` failed attempts in a row: polling.
    Fallback = 4,
    /// 5 — the browser has no usable `WebSocket`: polling.
    WebSocketUnavailable = 5,
    /// 6 — a background probe proved the websocket useful: back on it.
    ProbeSucceeded = 6,
    /// 7 — the backoff delay elapsed: a new attempt.
    Retry = 7,
    /// 8 — the application called `close()`.
    Closed = 8,
    /// 10 — a timer fired far too late (machine slept, tab frozen): assumed dead.
    Slept = 10,
    /// 11 — the browser came back `online`: retry now.
    Online = 11,
    /// 12 — the page became visible again: retry now / verify.
    Visible = 12,
    /// 13 — `pagehide` (bfcache): the socket is closed while the page is frozen.
    PageHidden = 13,
    /// 14 — `pageshow`: the page is back, reconnect.
    PageShown = 14,
    /// 15 — this page now leads the shared connection (the previous leader tab went away).
    Leader = 15,
    /// 16 — another tab leads the shared connection: this page follows it.
    Follower = 16,
    /// 17 — the server answers heartbeats on this connection, but nothing arrived for two
    /// heartbeat intervals: the connection is silently dead (a hung server, a dead path).
    Silent = 17,
    /// 18 — `GET /notifications` answered 401: the session ended (logout in any tab, a
    /// timeout, a server restart). The socket is closed and nothing is tried again until
    /// `connect()`/`reconnect()` (or, on a shared connection, a tab of the origin that
    /// connects and finds the session valid again).
    SessionExpired = 18,
}

impl Reason {
    /// The stable numeric code.
    pub fn code(self) -> u16 {
        self as u16
    }

    /// A short stable name (`'socket-closed'`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Connect => "connect",
            Reason::Opened => "opened",
            Reason::SocketClosed => "socket-closed",
            Reason::ConnectTimeout => "connect-timeout",
            Reason::Fallback => "fallback",
            Reason::WebSocketUnavailable => "websocket-unavailable",
            Reason::ProbeSucceeded => "probe-succeeded",
            Reason::Retry => "retry",
            Reason::Closed => "closed",
            Reason::Slept => "slept",
            Reason::Online => "online",
            Reason::Visible => "visible",
            Reason::PageHidden => "page-hidden",
            Reason::PageShown => "page-shown",
            Reason::Leader => "leader",
            Reason::Follower => "follower",
            Reason::Silent => "silent",
            Reason::SessionExpired => "session-expired",
        }
    }

    /// The reason of a stable numeric code (one relayed by another tab). Code 9 (`stuck`,
    /// retired in 0.4: browsers keep `bufferedAmount` at 0 long after a path died, so the
    /// rule never fired) may still come from an older leader tab: it reads as
    /// `socket-closed`, which is what it meant.
    pub fn from_code(code: u16) -> Option<Reason> {
        const ALL: [Reason; 19] = [
            Reason::Connect,
            Reason::Opened,
            Reason::SocketClosed,
            Reason::ConnectTimeout,
            Reason::Fallback,
            Reason::WebSocketUnavailable,
            Reason::ProbeSucceeded,
            Reason::Retry,
            Reason::Closed,
            Reason::SocketClosed, // 9: retired `stuck`
            Reason::Slept,
            Reason::Online,
            Reason::Visible,
            Reason::PageHidden,
            Reason::PageShown,
            Reason::Leader,
            Reason::Follower,
            Reason::Silent,
            Reason::SessionExpired,
        ];
        ALL.get(usize::from(code)).copied()
    }
}

/// One state change, as announced to `on('state')` listeners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateChange {
    /// The state before.
    pub previous: State,
    /// The state now.
    pub state: State,
    /// The transport now.
    pub transport: Transport,
    /// Why.
    pub reason: Reason,
    /// When the next websocket attempt is due, in ms from now (backoff and polling).
    pub retry_in: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_are_stable() {
        assert_eq!(Reason::Connect.code(), 0);
        assert_eq!(Reason::SocketClosed.code(), 2);
        assert_eq!(Reason::ProbeSucceeded.code(), 6);
        assert_eq!(Reason::PageShown.code(), 14);
        assert_eq!(Reason::Follower.code(), 16);
        assert_eq!(Reason::Silent.code(), 17);
        assert_eq!(Reason::SessionExpired.code(), 18);
        for c in 0..21u16 {
            let want = match c {
                9 => Some(2),
                c => (c <= 18).then_some(c),
            };
            assert_eq!(Reason::from_code(c).map(Reason::code), want);
        }
        assert_eq!(State::from_code(State::Closed.code()), Some(State::Closed));
        assert_eq!(State::Polling.transport().as_str(), Some("polling"));
        assert_eq!(State::Backoff.transport().as_str(), None);
    }
}
