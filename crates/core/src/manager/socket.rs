//! Websocket attempts. Owns: [`Attempts`] (numbering, the failure count, the reconnect
//! backoff, the frame decoder), and starting, opening, proving and losing a websocket, the
//! fallback to polling and the probe back.
//!
//! Backoff: full jitter in `[min, min(max, min·2^(n+1))]`. The failure count resets only
//! once a socket proved useful (open `usefulAfterMs`, or delivered a message), and a probe
//! switches back from polling under the same rule: a middlebox that accepts and kills
//! every socket cannot make the manager flap.

use super::{Attempt, Conn, Link, Manager, HEARTBEAT};
use crate::backoff::Backoff;
use crate::config::Config;
use crate::error::Error;
use crate::frame::{Decoder, Frame, Protocol};
use crate::io::{Gen, Output};
use crate::notice::Notice;
use crate::prelude::*;
use crate::state::Reason;

/// What outlives one websocket: the attempt numbering, the failure count and the backoff,
/// the frame decoder (reset per socket), and whether "no WebSocket" was reported.
#[derive(Debug)]
pub(super) struct Attempts {
    /// Generation of the last attempt.
    gen: Gen,
    /// Failed attempts in a row.
    failures: u32,
    backoff: Backoff,
    decoder: Decoder,
    unavailable_reported: bool,
}

impl Attempts {
    pub(super) fn new(cfg: &Config) -> Attempts {
        Attempts {
            gen: 0,
            failures: 0,
            backoff: Backoff::new(cfg.reconnect_min_ms, cfg.reconnect_max_ms),
            decoder: Decoder::with_platform(cfg.format, cfg.max_partial_bytes, cfg.platform),
            unavailable_reported: false,
        }
    }

    /// Failed attempts in a row.
    pub(super) fn failures(&self) -> u32 {
        self.failures
    }

    /// A fresh start (a connect, a take-over, a socket that proved useful).
    pub(super) fn forgive(&mut self) {
        self.failures = 0;
    }

    fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }

    /// The next attempt's generation.
    fn next(&mut self) -> Gen {
        self.gen = self.gen.wrapping_add(1);
        self.gen
    }

    /// The backoff delay after `failures` failures.
    fn delay(&self, rng: &mut fastrand::Rng, failures: u32) -> u64 {
        self.backoff.delay(rng, failures)
    }

    /// `true` once: the first time no `WebSocket` could be made.
    fn first_unavailable(&mut self) -> bool {
        !core::mem::replace(&mut self.unavailable_reported, true)
    }

    /// Decodes one frame of the open socket.
    fn decode(&mut self, frame: &Frame, protocol: Protocol) -> Vec<Result<Notice, Error>> {
        let mut items = Vec::new();
        self.decoder.push(frame, protocol, &mut items);
        items
    }
}

impl Manager {
    /// A fresh start (a connect, a take-over, a session valid again): the failures are
    /// forgiven and an attempt starts.
    pub(super) fn start_fresh(&mut self, now: u64, reason: Reason) {
        self.attempts.forgive();
        self.start_attempt(now, reason);
    }

    /// Starts websocket attempt `gen + 1`: a connection, or a probe while polling.
    pub(super) fn start_attempt(&mut self, now: u64, reason: Reason) {
        let gen = self.attempts.next();
        self.stats.attempts += 1;
        let a = Attempt {
            gen,
            link: Link::Handshake {
                deadline: now + self.cfg.connect_timeout_ms,
            },
        };
        let next = if self.conn.polling() {
            Conn::Polling {
                probe: Some(a),
                retry_at: None,
            }
        } else {
            Conn::Socket(a)
        };
        self.go(now, next, reason);
        self.out.push(Output::OpenSocket(gen));
    }

    /// Closes the current attempt's socket, if any, without deciding what comes next (the
    /// caller moves the connection on, and the attempt's deadlines go with it). Returns
    /// whether it was a live websocket-mode socket (losing it is a gap) and whether it had
    /// proved useful.
    pub(super) fn abandon_attempt(&mut self) -> (bool, bool) {
        let Some(a) = self.conn.attempt() else {
            return (false, false);
        };
        self.out.push(Output::CloseSocket(a.gen));
        self.attempts.decoder.reset();
        match a.link {
            Link::Up { useful_at, .. } => {
                (matches!(self.conn, Conn::Socket(_)), useful_at.is_none())
            }
            Link::Handshake { .. } => (false, false),
        }
    }

    pub(super) fn socket_unavailable(&mut self, now: u64) {
        if self.attempts.first_unavailable() {
            self.error(Error::WebSocketUnavailable);
        }
        self.attempts.failed();
        if self.conn.polling() {
            let d = self.attempts.delay(&mut self.rng, self.attempts.failures);
            self.go(
                now,
                Conn::Polling {
                    probe: None,
                    retry_at: Some(now + d),
                },
                Reason::WebSocketUnavailable,
            );
        } else {
            self.enter_polling(now, Reason::WebSocketUnavailable);
        }
    }

    pub(super) fn socket_opened(&mut self, now: u64, protocol: &str) {
        let Some(Attempt {
            gen,
            link: Link::Handshake { .. },
        }) = self.conn.attempt()
        else {
            return;
        };
        self.stats.opens += 1;
        self.attempts.decoder.reset();
        self.liveness.opened();
        let a = Attempt {
            gen,
            link: Link::Up {
                protocol: Protocol::from_selected(protocol),
                useful_at: Some(now + self.cfg.useful_after_ms),
                heartbeat_at: now + self.cfg.heartbeat_ms,
                offline_seen: false,
            },
        };
        if self.conn.polling() {
            // A probe: it switches over once useful.
            let probe = Conn::Polling {
                probe: Some(a),
                retry_at: None,
            };
            self.go(now, probe, Reason::Opened);
        } else {
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
        let Link::Up {
            ref mut useful_at, ..
        } = a.link
        else {
            return;
        };
        if useful_at.take().is_none() {
            return; // proved already
        }
        let a = *a;
        self.attempts.forgive();
        if self.conn.polling() {
            self.feed.poll_at(None);
            self.feed.reset_errors();
            self.out.lost();
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
        self.liveness.heard();
        let items = self.attempts.decode(frame, protocol);
        if items.iter().any(Result::is_ok) {
            self.mark_useful(now);
        }
        for item in items {
            match item {
                // A heartbeat from the server proves that it answers on this connection (and
                // that the path works); it is not a message for subscribers.
                Ok(n) if n.code == HEARTBEAT => self.liveness.answered(),
                Ok(n) => self.pushed(now, n),
                Err(e) => self.error(e),
            }
        }
    }

    /// The current socket is gone (closed, failed, timed out, silent, assumed dead). A
    /// handshake that failed in websocket mode checks the session (the session rule).
    pub(super) fn socket_lost(&mut self, now: u64, reason: Reason) {
        let (live, useful) = self.abandon_attempt();
        if live {
            self.out.lost();
        }
        if !useful {
            self.attempts.failed();
        }
        let failures = self.attempts.failures;
        let immediate = matches!(reason, Reason::Slept | Reason::Online | Reason::Visible);
        if self.conn.polling() {
            let d = self.attempts.delay(&mut self.rng, failures);
            let next = Conn::Polling {
                probe: None,
                retry_at: Some(now + d),
            };
            self.go(now, next, reason);
        } else if failures >= self.cfg.fallback_after {
            self.enter_polling(now, Reason::Fallback);
        } else if immediate && useful {
            self.start_attempt(now, reason);
        } else {
            let d = self
                .attempts
                .delay(&mut self.rng, failures.saturating_sub(1));
            self.go(now, Conn::Backoff { retry_at: now + d }, reason);
        }
        // Still in websocket mode (not polling, whose polls check), and the attempt was not
        // live: its handshake failed.
        if !live && !self.conn.polling() {
            self.request_fetch(now);
        }
    }

    pub(super) fn enter_polling(&mut self, now: u64, reason: Reason) {
        let d = self.attempts.delay(&mut self.rng, self.attempts.failures);
        self.feed.poll_at(None);
        self.feed.reset_errors();
        let next = Conn::Polling {
            probe: None,
            retry_at: Some(now + d),
        };
        self.go(now, next, reason);
        // The gap is announced when a poll answers (feed.rs), not now: a refresh made while
        // nothing is reachable would only fail.
        self.request_fetch(now);
    }
}
