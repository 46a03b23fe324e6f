//! What a message is once decoded. Owns: [`Notice`] (a WoK notification, `{code, message?,
//! timestamp?}`), [`Message`], [`Source`]. Depends on nothing else of the core: reading JSON
//! into notices is `platform.rs`'s (with the platform's reader).

use crate::prelude::*;

/// Where a delivered message came from; `msg.source` in JS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Source {
    /// Came over the websocket.
    Push,
    /// Found by `GET /notifications` (periodic poll or catch-up).
    Poll,
    /// Not a message: a call telling a handler that asked for it to refresh after a gap.
    Resync,
}

impl Source {
    /// Every source, by number (`source as u8` is its index: how it crosses to JS).
    pub const ALL: [Source; 3] = [Source::Push, Source::Poll, Source::Resync];

    /// The JS string of this source.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Push => "push",
            Source::Poll => "poll",
            Source::Resync => "resync",
        }
    }
}

/// One decoded message: a code and, for notifications, their text and first-seen time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The dispatch key, e.g. `METHOD:/kimchi/vms` or `KCHCONN0002E`.
    pub code: String,
    /// The notification text (WoK prefixes it with the code).
    pub message: Option<String>,
    /// WoK's local ISO timestamp of the first time the notification was raised.
    pub timestamp: Option<String>,
}

impl Notice {
    /// A bare WoK push message: only a code.
    pub fn code(code: &str) -> Notice {
        Notice {
            code: code.into(),
            message: None,
            timestamp: None,
        }
    }
}

/// A notice on its way to subscribers, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The decoded message.
    pub notice: Notice,
    /// Its source.
    pub source: Source,
}
