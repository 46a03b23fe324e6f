//! Coalescing windows (`coalesceMs`). Owns: for each subscription that coalesces and heard
//! a message lately, its current window: when it ends, how many messages it folded, and
//! the latest of them.
//!
//! The rule, per subscription with `coalesceMs = w` (a throttle with leading and trailing
//! calls):
//! - a message that finds the subscription **quiet** (no window) is delivered at once, as
//!   an ordinary call (`coalesced: 1`), and opens a window `[t, t + w)`;
//! - a message arriving inside the window is **folded**: not delivered now, counted, and
//!   kept if it is the latest;
//! - when a window that folded `n ≥ 1` messages ends, ONE trailing call is made with the
//!   latest of them and `coalesced: n`; that call opens the next window at the old end, so a
//!   burst that goes on gets one call per window;
//! - a window that ends with nothing folded closes: the subscription is quiet again.
//!
//! Decisions use each message's arrival time (the input that decoded it), so frame
//! boundaries do not matter: messages of one frame share a time, as they would one per
//! frame in the same instant. Nothing here reads a clock: the manager keeps the earliest
//! [`Windows::next_due`] in its timer table and asks for the due calls with
//! [`Windows::take_due`].

use super::notice::Message;
use super::registry::SubId;
use crate::prelude::*;

/// One subscription's open window.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Window {
    id: SubId,
    /// Its length (the subscription's `coalesceMs`).
    ms: u64,
    /// When it ends (ms, the manager's clock).
    end: u64,
    /// Messages folded into it so far.
    folded: u32,
    /// The latest folded message (`None` while `folded` is 0).
    latest: Option<Message>,
}

/// A due trailing call: subscription, the latest message, how many messages it stands for.
pub type Trailing = (SubId, Message, u32);

/// The open windows, at most one per subscription.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Windows(Vec<Window>);

impl Windows {
    /// Decides for message `m`, matched by subscription `id` (window `ms`) and arrived at
    /// `at`: `true` to call the handler now, `false` when it was folded into the open
    /// window. Trailing calls due at or before `at` must have been taken first
    /// ([`Windows::take_due`]), so that they keep their place before `m`.
    pub fn admit(&mut self, id: SubId, ms: u64, at: u64, m: &Message) -> bool {
        match self.0.iter_mut().find(|w| w.id == id) {
            Some(w) if at < w.end => {
                w.folded = w.folded.saturating_add(1);
                w.latest = Some(m.clone());
                false
            }
            Some(w) => {
                // Ended with nothing folded (take_due ran): quiet again, a new window.
                w.end = at.saturating_add(ms);
                true
            }
            None => {
                self.0.push(Window {
                    id,
                    ms,
                    end: at.saturating_add(ms),
                    folded: 0,
                    latest: None,
                });
                true
            }
        }
    }

    /// The end of the earliest window holding folded messages: when a trailing call is due.
    pub fn next_due(&self) -> Option<u64> {
        self.0.iter().filter(|w| w.folded > 0).map(|w| w.end).min()
    }

    /// Takes the earliest trailing call due at or before `t` (the lowest id first among
    /// windows ending together), opening that subscription's next window at the old end.
    /// Windows that ended with nothing folded are closed on the way. `None` when no call is
    /// due at `t`.
    pub fn take_due(&mut self, t: u64) -> Option<Trailing> {
        self.0.retain(|w| w.folded > 0 || w.end > t);
        let w = self
            .0
            .iter_mut()
            .filter(|w| w.folded > 0 && w.end <= t)
            .min_by_key(|w| (w.end, w.id))?;
        let n = core::mem::take(&mut w.folded);
        let m = w.latest.take()?;
        w.end = w.end.saturating_add(w.ms);
        Some((w.id, m, n))
    }

    /// Whether no window is open.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Forgets the windows of subscriptions that `live` rejects (unsubscribed, dropped
    /// with their tab): their folded messages are never delivered.
    pub fn retain(&mut self, mut live: impl FnMut(SubId) -> bool) {
        self.0.retain(|w| live(w.id));
    }

    /// Forgets every window (the manager closed).
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::notice::{Notice, Source};

    fn msg(code: &str) -> Message {
        Message {
            notice: Notice::code(code),
            source: Source::Push,
        }
    }

    #[test]
    fn leading_then_one_trailing_call_per_window() {
        let mut w = Windows::default();
        assert!(w.admit(1, 100, 0, &msg("a")), "quiet: called at once");
        assert!(!w.admit(1, 100, 10, &msg("b")));
        assert!(!w.admit(1, 100, 99, &msg("c")));
        assert_eq!(w.next_due(), Some(100));
        assert_eq!(w.take_due(99), None);
        assert_eq!(w.take_due(100), Some((1, msg("c"), 2)));
        assert_eq!(w.take_due(100), None);
        // The trailing call opened [100, 200): a message in it is folded.
        assert!(!w.admit(1, 100, 150, &msg("d")));
        assert_eq!(w.take_due(250), Some((1, msg("d"), 1)));
        // [200, 300) folds nothing: quiet after 300, the next message is called at once.
        assert_eq!(w.next_due(), None);
        assert_eq!(w.take_due(300), None);
        assert!(w.is_empty());
        assert!(w.admit(1, 100, 301, &msg("e")));
    }

    #[test]
    fn windows_are_per_subscription_and_taken_in_time_order() {
        let mut w = Windows::default();
        assert!(w.admit(2, 50, 0, &msg("a")));
        assert!(w.admit(1, 80, 10, &msg("a")));
        assert!(!w.admit(1, 80, 20, &msg("b")));
        assert!(!w.admit(2, 50, 20, &msg("b")));
        assert_eq!(w.next_due(), Some(50));
        assert_eq!(w.take_due(1000), Some((2, msg("b"), 1)));
        assert_eq!(w.take_due(1000), Some((1, msg("b"), 1)));
        assert_eq!(w.take_due(1000), None);
        w.retain(|id| id != 1);
        assert!(w.is_empty());
    }

    #[test]
    fn a_late_window_end_still_folds_what_arrived_before_it() {
        let mut w = Windows::default();
        assert!(w.admit(1, 100, 0, &msg("a")));
        assert!(!w.admit(1, 100, 50, &msg("b")));
        // A message at 120 before the timer fired: the trailing call of [0, 100) comes first,
        // and [100, 200) folds the new one.
        assert_eq!(w.take_due(120), Some((1, msg("b"), 1)));
        assert!(!w.admit(1, 100, 120, &msg("c")));
        w.clear();
        assert_eq!(w.next_due(), None);
    }
}
