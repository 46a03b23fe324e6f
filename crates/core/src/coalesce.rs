//! Coalescing windows (`coalesceMs`). Owns: one subscription's window: its length, when the
//! current one ends, how many messages it folded, and the latest of them. Each
//! [`Subscription`](super::registry::Subscription) carries its own, so a subscription
//! removed by any path (unsubscribe, `closeTab`, tab cleanup) takes its pending call with it.
//!
//! The rule, per subscription with `coalesceMs = w` (a throttle with leading and trailing
//! calls):
//! - a message that finds the subscription **quiet** (no window running) is delivered at
//!   once, as an ordinary call (`coalesced: 1`), and starts a window `[t, t + w)`;
//! - a message arriving inside the window is **folded**: not delivered now, counted, and
//!   kept as the latest;
//! - when a window that folded `n ≥ 1` messages ends, ONE trailing call is made with the
//!   latest of them and `coalesced: n`; that call starts the next window at the old end, so
//!   a burst that goes on gets one call per window;
//! - a window that ends with nothing folded lapses: the subscription is quiet again.
//!
//! Decisions use each message's arrival time (that of the input that decoded it), so frame
//! boundaries do not matter: messages of one frame share a time, exactly as messages one
//! per frame in the same instant. Nothing here reads a clock: the manager keeps the
//! earliest [`Window::due`] as the outbox's deadline and takes the trailing calls in time
//! order.

use super::notice::Message;

/// One subscription's coalescing window (`ms` 0: exact calls, never folds).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// The window length (`coalesceMs`).
    ms: u64,
    /// When the current window ends (ms, the manager's clock); quiet at or after it.
    end: u64,
    /// Messages folded into the current window.
    folded: u32,
    /// The latest folded message (`None` while `folded` is 0).
    latest: Option<Message>,
}

impl Window {
    /// A quiet window of `ms` milliseconds (0: no coalescing).
    pub fn new(ms: u64) -> Window {
        Window {
            ms,
            ..Window::default()
        }
    }

    /// Decides for message `m`, arrived at `at`: `true` to call the handler now, `false`
    /// when it was folded into the running window. A trailing
    /// call due at or before `at` must have been taken first ([`Window::take`]), so that it
    /// keeps its place before `m`.
    pub fn admit(&mut self, at: u64, m: &Message) -> bool {
        if self.ms == 0 {
            return true;
        }
        if at < self.end {
            self.folded = self.folded.saturating_add(1);
            self.latest = Some(m.clone());
            return false;
        }
        self.end = at.saturating_add(self.ms);
        true
    }

    /// Whether it never folds (`coalesceMs` 0): admitting a message changes nothing.
    pub fn exact(&self) -> bool {
        self.ms == 0
    }

    /// When a trailing call is due: the end of a window that folded messages.
    pub fn due(&self) -> Option<u64> {
        (self.folded > 0).then_some(self.end)
    }

    /// Takes the trailing call (the latest message and how many it stands for) and starts
    /// the next window at the old end; `None` when nothing was folded.
    pub fn take(&mut self) -> Option<(Message, u32)> {
        let m = self.latest.take()?;
        self.end = self.end.saturating_add(self.ms);
        Some((m, core::mem::take(&mut self.folded)))
    }

    /// Forgets the running window and what it folded (the manager closed).
    pub fn reset(&mut self) {
        *self = Window::new(self.ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::{Notice, Source};

    fn msg(code: &str) -> Message {
        Message {
            notice: Notice::code(code),
            source: Source::Push,
        }
    }

    #[test]
    fn leading_then_one_trailing_call_per_window() {
        let mut w = Window::new(100);
        assert!(w.admit(0, &msg("a")), "quiet: called at once");
        assert_eq!(w.due(), None, "nothing folded: no deadline");
        assert!(!w.admit(10, &msg("b")));
        assert!(!w.admit(99, &msg("c")));
        assert_eq!(w.due(), Some(100));
        assert_eq!(w.take(), Some((msg("c"), 2)));
        assert_eq!(w.take(), None);
        // The trailing call started [100, 200): a message in it is folded.
        assert!(!w.admit(150, &msg("d")));
        assert_eq!(w.due(), Some(200));
        assert_eq!(w.take(), Some((msg("d"), 1)));
        // [200, 300) folds nothing and lapses: a message at 300 is called at once.
        assert_eq!(w.due(), None);
        assert!(!w.admit(299, &msg("e")));
        w.reset();
        assert_eq!(w.due(), None);
        assert!(w.admit(300, &msg("f")));
    }

    #[test]
    fn exact_subscriptions_never_fold() {
        let mut w = Window::new(0);
        assert!((0..5).all(|t| w.admit(t, &msg("a"))));
        assert_eq!((w.due(), w.take()), (None, None));
    }
}
