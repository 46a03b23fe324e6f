//! Websocket attempts. Owns: starting, opening, proving and losing a websocket, the
//! failure count and reconnect backoff, the fallback to polling and the probe back.
//!
//! Backoff: full jitter in `[min, min(max, min·2^(n+1))]`. The failure count resets only
//! once a socket proved useful (open `usefulAfterMs`, or delivered a message), and a probe
//! switches back from polling under the same rule: a middlebox that accepts and kills
//! every socket cannot make the manager flap.

use super::{Attempt, Beat, Conn, Link, Manager, HEARTBEAT};
use crate::core::error::Error;
use crate::core::frame::{Frame, Protocol};
use crate::core::io::Output;
use crate::core::state::Reason;
use crate::core::timers::Timer;
use crate::prelude::*;

impl Manager {
    /// Starts websocket attempt `gen + 1`: a connection, or a probe while polling.
    pub(super) fn start_attempt(&mut self, now: u64, reason: Reason) {
        self.gen = self.gen.wrapping_add(1);
        self.stats.attempts += 1;
        self.timers.clear(Timer::Retry);
        self.timers
            .set(Timer::Handshake, now + self.cfg.connect_timeout_ms);
        let a = Attempt {
            gen: self.gen,
            link: Link::Handshake,
        };
        let next = if self.conn.polling() {
            Conn::Polling { probe: Some(a) }
        } else {
            Conn::Socket(a)
        };
        self.go(now, next, reason);
        self.out.push(Output::OpenSocket(self.gen));
    }

    /// Closes the current attempt's socket, if any, without deciding what comes next (the
    /// caller moves the connection on). Returns whether it was a live websocket-mode
    /// socket (losing it is a gap) and whether it had proved useful.
    pub(super) fn abandon_attempt(&mut self) -> (bool, bool) {
        let Some(a) = self.conn.attempt() else {
            return (false, false);
        };
        self.out.push(Output::CloseSocket(a.gen));
        for t in [Timer::Handshake, Timer::Useful, Timer::Heartbeat] {
            self.timers.clear(t);
        }
        self.decoder.reset();
        match (self.conn, a.link) {
            (Conn::Socket(_), Link::Up { proven, .. }) => (true, proven),
            (_, Link::Up { proven, .. }) => (false, proven),
            (_, Link::Handshake) => (false, false),
        }
    }

    pub(super) fn socket_unavailable(&mut self, now: u64) {
        for t in [Timer::Handshake, Timer::Useful, Timer::Heartbeat] {
            self.timers.clear(t);
        }
        if !self.unavailable_reported {
            self.unavailable_reported = true;
            self.error(Error::WebSocketUnavailable);
        }
        self.failures = self.failures.saturating_add(1);
        if self.conn.polling() {
            self.timers
                .set(Timer::Retry, now + self.backoff.delay(self.failures));
            self.go(
                now,
                Conn::Polling { probe: None },
                Reason::WebSocketUnavailable,
            );
        } else {
            self.enter_polling(now, Reason::WebSocketUnavailable);
        }
    }

    pub(super) fn socket_opened(&mut self, now: u64, protocol: &str) {
        let Some(Attempt {
            gen,
            link: Link::Handshake,
        }) = self.conn.attempt()
        else {
            return;
        };
        self.stats.opens += 1;
        self.timers.clear(Timer::Handshake);
        self.timers
            .set(Timer::Useful, now + self.cfg.useful_after_ms);
        self.timers
            .set(Timer::Heartbeat, now + self.cfg.heartbeat_ms);
        self.decoder.reset();
        self.beat = Beat::default();
        let a = Attempt {
            gen,
            link: Link::Up {
                protocol: Protocol::from_selected(protocol),
                proven: false,
                offline_seen: false,
            },
        };
        if self.conn.polling() {
            // A probe: it switches over once useful.
            self.go(now, Conn::Polling { probe: Some(a) }, Reason::Opened);
        } else {
            self.feed.lift_expiry();
            self.go(now, Conn::Socket(a), Reason::Opened);
            self.went_live(now);
        }
    }

    /// A transport became live: catch up, and announce a gap if there was one.
    pub(super) fn went_live(&mut self, now: u64) {
        self.request_fetch(now);
        self.announce_gap();
    }

    /// The open socket proved useful: failures reset; a probe takes over from polling.
    pub(super) fn mark_useful(&mut self, now: u64) {
        let Some(a) = self.conn.attempt_mut() else {
            return;
        };
        let Link::Up { ref mut proven, .. } = a.link else {
            return;
        };
        if *proven {
            return;
        }
        *proven = true;
        let a = *a;
        self.timers.clear(Timer::Useful);
        self.failures = 0;
        if self.conn.polling() {
            self.timers.clear(Timer::Poll);
            self.timers.clear(Timer::Retry);
            self.feed.reset_errors();
            self.feed.lift_expiry();
            self.gap = true;
            self.go(now, Conn::Socket(a), Reason::ProbeSucceeded);
            self.went_live(now);
        }
    }

    pub(super) fn socket_frame(&mut self, now: u64, frame: &Frame) {
        let Some(Attempt {
            link: Link::Up { protocol, .. },
            ..
        }) = self.conn.attempt()
        else {
            return;
        };
        self.stats.frames += 1;
        self.beat.unanswered = 0;
        let mut items = Vec::new();
        self.decoder.push(frame, protocol, &mut items);
        if items.iter().any(Result::is_ok) {
            self.mark_useful(now);
        }
        for item in items {
            match item {
                // A heartbeat from the server proves that it answers on this connection (and
                // that the path works); it is not a message for subscribers.
                Ok(n) if n.code == HEARTBEAT => self.beat.answers = true,
                Ok(n) => self.pushed(now, n),
                Err(e) => self.error(e),
            }
        }
    }

    /// The current socket is gone (closed, failed, timed out, stuck, assumed dead).
    pub(super) fn socket_lost(&mut self, now: u64, reason: Reason) {
        let (live, useful) = self.abandon_attempt();
        if live {
            self.gap = true;
        }
        if !useful {
            self.failures = self.failures.saturating_add(1);
        }
        let immediate = matches!(reason, Reason::Slept | Reason::Online | Reason::Visible);
        if self.conn.polling() {
            self.timers
                .set(Timer::Retry, now + self.backoff.delay(self.failures));
            self.go(now, Conn::Polling { probe: None }, reason);
        } else if self.failures >= self.cfg.fallback_after {
            self.enter_polling(now, Reason::Fallback);
        } else if immediate && useful {
            self.start_attempt(now, reason);
        } else {
            let d = self.backoff.delay(self.failures.saturating_sub(1));
            self.timers.set(Timer::Retry, now + d);
            self.go(now, Conn::Backoff, reason);
        }
    }

    pub(super) fn enter_polling(&mut self, now: u64, reason: Reason) {
        self.timers
            .set(Timer::Retry, now + self.backoff.delay(self.failures));
        self.timers.clear(Timer::Poll);
        self.feed.reset_errors();
        self.go(now, Conn::Polling { probe: None }, reason);
        // The gap is announced when a poll answers (feed.rs), not now: a refresh made while
        // nothing is reachable would only fail.
        self.request_fetch(now);
    }
}
