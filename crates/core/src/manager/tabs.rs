//! One connection per origin: the leader and follower roles of a shared manager. Owns:
//! [`Tabs`] (whether other tabs follow this one, and what a new one is given), the
//! election inputs (`Lead`, `Follow`), what a leader publishes, and what a follower does
//! with what it receives.
//!
//! A leader publishes only once it knows it has followers (a hello, or a take-over from a
//! leader they followed), so a lone tab pays nothing for sharing.
//!
//! A shared manager asks to be elected on `connect()` (and on `pageshow`); the shell holds a
//! Web Lock named after the endpoint and answers `Lead` (this tab runs the transport) or
//! `Follow` (another tab does). A leader runs everything as a lone manager does and also
//! publishes each message it queues, each public state change and each resync. A follower
//! opens nothing, fetches nothing and arms no timer: it mirrors the leader's state and
//! delivers what it receives to its own subscribers, deduped by `(code, timestamp)` like
//! everything else. A follower that becomes leader treats the hand-over as a gap: its
//! first socket catches up once and every tab resyncs.

use super::{Conn, Manager};
use crate::io::{Broadcast, Output};
use crate::notice::{Message, Notice, Source};
use crate::prelude::*;
use crate::state::{Reason, StateChange};

/// What a leader knows of the other tabs.
#[derive(Debug, Default)]
pub(super) struct Tabs {
    /// Other tabs follow this one (one said hello, or it took over from a leader they
    /// followed): only then does it publish.
    followed: bool,
    /// The last full `/notifications` answer: what a new follower is given on hello.
    snapshot: Vec<Notice>,
}

impl Tabs {
    /// Whether other tabs follow this one.
    pub(super) fn followed(&self) -> bool {
        self.followed
    }

    /// Keeps a full `/notifications` answer for the next follower.
    pub(super) fn keep(&mut self, items: &[Notice]) {
        self.snapshot = items.to_vec();
    }
}

impl Manager {
    /// Joins the election (from `Closed`, or back from the bfcache).
    pub(super) fn elect(&mut self, now: u64, reason: Reason) {
        self.go(now, Conn::Electing, reason);
        self.out.push(Output::Elect);
    }

    /// This tab won the lock: run the transport.
    pub(super) fn lead(&mut self, now: u64) {
        let reason = match self.conn {
            Conn::Electing => {
                self.tabs.followed = false;
                Reason::Connect
            }
            Conn::Follower { .. } => {
                // What the old leader saw last and could not publish is lost for push-only
                // codes: the new socket catches up, and every tab resyncs. The other tabs
                // that followed the old leader follow this one now.
                self.out.lost();
                self.tabs.followed = true;
                Reason::Leader
            }
            _ => return,
        };
        self.start_fresh(now, reason);
    }

    /// Another tab holds the lock: follow it, and ask for its state.
    pub(super) fn follow(&mut self, now: u64) {
        if !matches!(self.conn, Conn::Electing) {
            return;
        }
        self.go(
            now,
            Conn::Follower {
                mirror: self.conn.state(),
            },
            Reason::Follower,
        );
        self.out.push(Output::Publish(Broadcast::Hello));
    }

    /// A message the leader published.
    pub(super) fn relayed(&mut self, now: u64, m: Message) {
        if matches!(self.conn, Conn::Frozen { .. }) {
            return;
        }
        if m.notice.timestamp.is_some() && !self.seen.insert(&m.notice) {
            self.stats.duplicates += 1;
            return;
        }
        self.deliver(now, m.notice, m.source);
    }

    /// The leader's state: mirrored, and announced like one's own.
    pub(super) fn leader_state(&mut self, c: StateChange) {
        if let Conn::Follower { .. } = self.conn {
            self.transition(Conn::Follower { mirror: c.state }, c.reason, c.retry_in);
        }
    }

    /// The leader announced a gap.
    pub(super) fn leader_resync(&mut self) {
        if let Conn::Follower { .. } = self.conn {
            self.out.lost();
            self.announce_gap();
        }
    }

    /// A follower asked for the state: the leader publishes it.
    pub(super) fn hello(&mut self, now: u64) {
        if !self.conn.leads() {
            return;
        }
        self.tabs.followed = true;
        let state = self.conn.state();
        let retry_in = self.retry_in(now, self.conn);
        self.out.push(Output::Publish(Broadcast::State(StateChange {
            previous: state,
            state,
            transport: state.transport(),
            reason: Reason::Follower,
            retry_in,
        })));
        if matches!(self.conn, Conn::Expired) {
            // A tab that connects after a login: the session may be valid again.
            self.request_fetch(now);
        }
        // The notifications a lone page would have found with its own catch-up: the new tab
        // delivers those it has not seen (the others dedupe them).
        for notice in self.tabs.snapshot.clone() {
            self.out.push(Output::Publish(Broadcast::Message(Message {
                notice,
                source: Source::Poll,
            })));
        }
    }
}
