//! Delivery, one message at a time. Owns: the outbox, where decoded messages and resyncs
//! wait; subscribers are matched only when the shell takes the next output.
//!
//! The rules this gives (the DOM `EventTarget` rule, per message, never per frame):
//! - a subscription added while a message is delivered starts with the next message, even
//!   one from the same frame: the next message is matched after the handler returned;
//! - one removed before its turn is not called: the shell looks each handler up at call
//!   time, in the registry's live set;
//! - `close()` discards every queued message and resync: after it no handler is called.
//!
//! Frame boundaries are therefore invisible: a stream split into frames any way gives the
//! same handler calls.
//!
//! Coalescing subscriptions (`coalesceMs`, rule in `core::coalesce`) are decided at the same
//! point, with the message's arrival time: a folded message is left out of the call list,
//! and a trailing call is one more `Deliver` with a single id. Trailing calls due before a
//! queued message arrived (or by the time of the last input, such as the coalescing
//! deadline's timer) are taken first, one at a time, so calls keep time order and one
//! removed meanwhile is never made.

use super::{Manager, Output};
use crate::io::Broadcast;
use crate::notice::{Message, Notice, Source};
use crate::registry::{Registry, To};
use alloc::collections::VecDeque;

/// Codes that ask for one `GET /notifications`: the two that tell WoK's UI to re-read it,
/// and a logout (anyone's: WoK broadcasts it), which the answer tells to be this session's
/// or not (the session rule of the manager).
const FEED_TRIGGERS: [&str; 3] = [
    "POST:/wok/notifications",
    "DELETE:/wok/notification",
    "POST:/wok/logout",
];

/// One queued output.
#[derive(Debug)]
enum Queued {
    /// An output carried out as is.
    Now(Output),
    /// A message and its arrival time: subscribers are matched when it is taken.
    Message(Message, u64),
    /// A gap: resync subscribers are listed when it is taken.
    Resync,
}

/// Outputs waiting for the shell, in order, and when the next trailing call is due.
#[derive(Debug, Default)]
pub(super) struct Outbox {
    queue: VecDeque<Queued>,
    /// The coalescing deadline: the registry's next due trailing call, set wherever a
    /// window folds or is taken (a subscription removed since may leave it early: then
    /// nothing is due and it is set again).
    coalesce_at: Option<u64>,
    /// A live transport was lost since the last `resync`: one is owed (announced when a
    /// transport is live again, forgotten by `close()`).
    gap: bool,
}

impl Outbox {
    pub(super) fn push(&mut self, o: Output) {
        self.queue.push_back(Queued::Now(o));
    }

    /// When the next trailing call is due, if any.
    pub(super) fn poll_timeout(&self) -> Option<u64> {
        self.coalesce_at
    }

    /// No trailing call is pending any more (the windows were reset, on `close()`).
    pub(super) fn reset_coalescing(&mut self) {
        self.coalesce_at = None;
    }

    /// A live transport was lost: a `resync` is owed.
    pub(super) fn lost(&mut self) {
        self.gap = true;
    }

    /// Forgets every queued message and resync, and the one owed (on `close()`).
    pub(super) fn discard_deliveries(&mut self) {
        self.gap = false;
        // Not `retain`: its swap carries an assertion panic (bytes). Each entry goes round
        // the queue once, in order; this runs once per close.
        for _ in 0..self.queue.len() {
            if let Some(q @ Queued::Now(_)) = self.queue.pop_front() {
                self.queue.push_back(q);
            }
        }
    }
}

impl Outbox {
    /// The next output to carry out (see [`Manager::poll_output`]): subscribers of a message
    /// are matched in `registry` now; `now` is the time of the last input.
    pub(super) fn next(&mut self, registry: &mut Registry, now: u64) -> Option<Output> {
        loop {
            // Trailing calls due before the next message arrived (or by the time of the
            // last input) come first, one at a time.
            let at = match self.queue.front() {
                Some(&Queued::Message(_, at)) => at,
                _ => now,
            };
            if let Some(o) = self.trailing(registry, at) {
                return Some(o);
            }
            match self.queue.pop_front()? {
                Queued::Now(o) => return Some(o),
                Queued::Message(m, at) => {
                    let (to, folded) = registry.admit(&m, at);
                    if folded {
                        // Only then can the next trailing call change: no scan per exact
                        // delivery.
                        self.coalesce_at = registry.next_due();
                    }
                    if !registry.ids(&to).is_empty() {
                        return Some(Output::Deliver(m, to, 1));
                    }
                }
                Queued::Resync => return Some(Output::Resync(registry.resync_targets())),
            }
        }
    }

    /// The next trailing call due at or before `at`: O(1) on the way of every message (see
    /// `coalesce_at`).
    fn trailing(&mut self, registry: &mut Registry, at: u64) -> Option<Output> {
        if !self.coalesce_at.is_some_and(|t| t <= at) {
            return None;
        }
        let taken = registry.take_due(at);
        self.coalesce_at = registry.next_due();
        let (id, m, n) = taken?;
        Some(Output::Deliver(m, To::Ids(alloc::vec![id]), n))
    }
}

impl Manager {
    /// Number of messages waiting in the outbox (decoded, not yet delivered).
    pub fn queued_messages(&self) -> usize {
        self.out
            .queue
            .iter()
            .filter(|q| matches!(q, Queued::Message(..)))
            .count()
    }

    /// Queues one pushed notice: feed triggers, dedupe of timestamped ones, delivery.
    pub(super) fn pushed(&mut self, now: u64, n: Notice) {
        if FEED_TRIGGERS.contains(&n.code.as_str()) {
            self.request_fetch(now);
        }
        if n.timestamp.is_some() && !self.seen.insert(&n) {
            self.stats.duplicates += 1;
            return;
        }
        self.deliver(now, n, Source::Push);
    }

    /// Queues one message, arrived at `now`, for its subscribers.
    /// A leader tab also publishes it to its followers.
    pub(super) fn deliver(&mut self, now: u64, notice: Notice, source: Source) {
        self.stats.messages += 1;
        let m = Message { notice, source };
        if self.publishes() {
            self.out
                .push(Output::Publish(Broadcast::Message(m.clone())));
        }
        self.out.queue.push_back(Queued::Message(m, now));
    }

    /// Queues `resync` if a live transport was lost since the last announcement.
    pub(super) fn announce_gap(&mut self) {
        if core::mem::take(&mut self.out.gap) {
            self.stats.resyncs += 1;
            if self.publishes() {
                self.out.push(Output::Publish(Broadcast::Resync));
            }
            self.out.queue.push_back(Queued::Resync);
        }
    }
}
