//! Time and the page lifecycle. Owns: the timer input (connect timeout, usefulness,
//! heartbeat and the stuck-buffer rule, sleep detection, retries, polls, fetch timeout) and
//! `online`, visibility, `pagehide`/`pageshow` handling. The rules are in the parent
//! module's documentation.

use super::{Manager, Mode, Sock, SLEEP_MARGIN_MS};
use crate::core::io::{FetchResult, Output};
use crate::core::state::{Reason, State};

impl Manager {
    pub(super) fn timer(&mut self, now: u64, buffered: u32) {
        let Some(due) = self.poll_timeout() else {
            return;
        };
        if now < due {
            return;
        }
        if now - due > self.cfg.heartbeat_ms + SLEEP_MARGIN_MS {
            self.wake_up(now, Reason::Slept);
            return;
        }
        if let Sock::Connecting { deadline, .. } = self.sock {
            if now >= deadline {
                self.socket_lost(now, Reason::ConnectTimeout);
            }
        }
        if let Sock::Open {
            useful_at: Some(u), ..
        } = self.sock
        {
            if now >= u {
                self.mark_useful(now);
            }
        }
        if let Sock::Open {
            gen,
            protocol,
            heartbeat_at,
            ..
        } = self.sock
        {
            if now >= heartbeat_at {
                if buffered > 0 && self.last_buffered > 0 {
                    self.socket_lost(now, Reason::Stuck);
                } else {
                    self.last_buffered = buffered;
                    if let Sock::Open {
                        ref mut heartbeat_at,
                        ..
                    } = self.sock
                    {
                        *heartbeat_at = now + self.cfg.heartbeat_ms;
                    }
                    self.out.push_back(Output::Send(gen, protocol));
                }
            }
        }
        if self.retry_at.is_some_and(|t| now >= t) && self.sock == Sock::None && !self.paused {
            self.start_attempt(now, Reason::Retry);
        }
        if self.fetch_deadline.is_some_and(|t| now >= t) {
            // A hanging `GET /notifications` (a proxy that never answers): abort it.
            self.out.push_back(Output::AbortFetch);
            if self.fetch.is_some() {
                self.fetched(now, FetchResult::TimedOut);
            }
        }
        if self.poll_at.is_some_and(|t| now >= t) {
            self.request_fetch(now);
        }
    }

    /// After sleep, `online` or a long-hidden page: act at once instead of waiting.
    pub(super) fn wake_up(&mut self, now: u64, reason: Reason) {
        if self.paused {
            return;
        }
        match self.sock {
            Sock::Open { .. } if self.mode == Mode::WebSocket => self.socket_lost(now, reason),
            Sock::Open { .. } | Sock::Connecting { .. } => {}
            Sock::None => {
                self.retry_at = Some(now);
                if self.mode == Mode::WebSocket {
                    self.start_attempt(now, reason);
                }
            }
        }
        if self.mode == Mode::Polling && !self.session_expired {
            self.request_fetch(now);
        }
    }

    pub(super) fn online(&mut self, now: u64) {
        let changed = core::mem::take(&mut self.offline_seen);
        match self.sock {
            Sock::Open { .. } if !changed => {}
            _ => self.wake_up(now, Reason::Online),
        }
    }

    pub(super) fn visibility(&mut self, now: u64, visible: bool) {
        if !visible {
            self.hidden_since = Some(now);
            return;
        }
        let long = self
            .hidden_since
            .take()
            .is_some_and(|t| now.saturating_sub(t) > self.cfg.heartbeat_ms + SLEEP_MARGIN_MS);
        match self.sock {
            Sock::Open { .. } if !long => {}
            Sock::Connecting { .. } => {}
            _ => self.wake_up(now, Reason::Visible),
        }
    }

    pub(super) fn page_hide(&mut self, now: u64) {
        if self.paused {
            return;
        }
        self.gap |= self.halt();
        self.paused = true;
        if self.mode == Mode::WebSocket {
            self.set_state(now, State::Backoff, Reason::PageHidden);
        }
    }

    pub(super) fn page_show(&mut self, now: u64) {
        if !self.paused {
            return;
        }
        self.paused = false;
        if self.mode == Mode::WebSocket {
            self.start_attempt(now, Reason::PageShown);
        } else {
            self.retry_at = Some(now);
            if !self.session_expired {
                self.request_fetch(now);
            }
        }
    }
}
