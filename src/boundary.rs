//! The Rust↔JS boundary of the shell, declared once: every number the shell and its JS
//! (`js/io.js`, `js/api.js`, `js/dispatch.js`) exchange by position or value. The core
//! declares its own (option names and kinds, message sources, states, reasons, roles,
//! heartbeat bytes, error codes and texts); the JS copies of both are generated into marked
//! regions of the JS files by `tests/sourcegen.rs`, which fails when a region is stale.
//!
//! Adding an event kind: a row in [`ev`], the listener in `js/io.js` that reports it, and its
//! arm in `src/web/port.rs`.

use wok_push_core::Stats;

/// Declares `u32` constants and the list of them with their names (`ALL`), from one row
/// each: the generator writes the list into the JS, the shell uses the constants.
macro_rules! numbers {
    ($(#[$m:meta])* $vis:vis mod $name:ident { $($(#[$d:meta])* $k:ident = $v:expr,)* }) => {
        $(#[$m])*
        $vis mod $name {
            $($(#[$d])* pub const $k: u32 = $v;)*
            /// Every constant with its name (what `tests/sourcegen.rs` writes into the JS).
            pub const ALL: &[(&str, u32)] = &[$((stringify!($k), $k)),*];
        }
    };
}

numbers! {
    /// Event kinds the port reports through `port.cb(kind, …)` (`js/io.js`).
    pub mod ev {
        /// The socket opened (`text`: its protocol).
        OPEN = 0,
        /// A text frame.
        TEXT = 1,
        /// A binary frame.
        BINARY = 2,
        /// The socket closed or failed.
        CLOSED = 3,
        /// `GET /notifications` answered (`num`: status, `text`: body).
        FETCHED = 4,
        /// It failed at the network level.
        FETCH_FAILED = 5,
        /// The one timer fired.
        TIMER = 6,
        /// `online`.
        ONLINE = 7,
        /// `offline`.
        OFFLINE = 8,
        /// The page became visible.
        VISIBLE = 9,
        /// The page became hidden.
        HIDDEN = 10,
        /// `pagehide`.
        PAGEHIDE = 11,
        /// `pageshow`.
        PAGESHOW = 12,
        /// `hashchange`.
        HASHCHANGE = 13,
        /// This tab holds the Web Lock: it leads.
        LEAD = 14,
        /// Another tab holds it: this one follows.
        FOLLOW = 15,
        /// A message the leader relayed (`num`: [`super::relay::FROM_POLL`] or 0).
        RELAY = 16,
        /// A state change the leader relayed (`gen`: packed, see [`super::relay`]).
        RELAY_STATE = 17,
        /// A resync the leader relayed.
        RELAY_RESYNC = 18,
        /// A new tab asks the leader for its state.
        HELLO = 19,
    }
}

numbers! {
    /// Subscription flags of `Engine.subscribe` (`js/api.js`).
    pub mod flags {
        /// Kept across tab switches.
        PERSIST = 1,
        /// Also called with `source: 'resync'` after a gap.
        RESYNC = 2,
    }
}

numbers! {
    /// How a relayed state change crosses from the channel to wasm: `gen` packs the reason
    /// code (low 16 bits), the previous state's code and the state's code (8 bits each).
    pub mod relay {
        /// Where the previous state's code starts.
        PREVIOUS_SHIFT = 16,
        /// Where the state's code starts.
        STATE_SHIFT = 24,
        /// The reason code's bits.
        REASON_MASK = 0xffff,
        /// A relayed message's `num` when the leader found it by polling (0: pushed).
        FROM_POLL = 1,
    }
}

/// The counters of `push.stats()` with their JS names, from the core's [`Stats`] and the
/// subscription count: `Engine.counter(i)` sends each value, the generator writes the names
/// into `js/api.js`.
pub fn counters(s: &Stats, subscriptions: u32) -> [(&'static str, u32); 11] {
    [
        ("attempts", s.attempts),
        ("opens", s.opens),
        ("frames", s.frames),
        ("messages", s.messages),
        ("fetches", s.fetches),
        ("fetchErrors", s.fetch_errors),
        ("duplicates", s.duplicates),
        ("resyncs", s.resyncs),
        ("errors", s.errors),
        ("failures", s.failures),
        ("subscriptions", subscriptions),
    ]
}

/// The errors the JS facade raises itself (code, message): `connect()` before the wasm is
/// loaded. Its code joins the core's in `PushErrorCode` (`js/wok_push.d.ts`, generated).
pub const NOT_INITIALIZED: (&str, &str) = (
    "not-initialized",
    "wok-push: call init() (the default export) and await it before connect()",
);
