//! The notifications feed of the manager. Owns: starting, coalescing, timing out and
//! aborting `GET /notifications`, reading its answers (dedupe, 401 pause, typed errors) and
//! the polling interval with backoff.

use super::{Manager, Mode};
use crate::core::error::Error;
use crate::core::io::{FetchResult, Output};
use crate::core::notice::{parse_feed, Source};

impl Manager {
    pub(super) fn request_fetch(&mut self, now: u64) {
        if self.fetch.is_some() {
            self.fetch_again = true;
            return;
        }
        self.fetch_gen = self.fetch_gen.wrapping_add(1);
        self.fetch = Some(self.fetch_gen);
        self.fetch_deadline = Some(now + self.cfg.fetch_timeout_ms);
        self.fetch_again = false;
        self.poll_at = None;
        self.stats.fetches += 1;
        self.out.push_back(Output::Fetch(self.fetch_gen));
    }

    pub(super) fn abort_fetch(&mut self) {
        self.fetch_deadline = None;
        if self.fetch.take().is_some() {
            self.out.push_back(Output::AbortFetch);
        }
        self.fetch_again = false;
    }

    pub(super) fn fetched(&mut self, now: u64, result: FetchResult) {
        self.fetch = None;
        self.fetch_deadline = None;
        let outcome = match result {
            FetchResult::Failed => Err(Error::Network),
            FetchResult::TimedOut => Err(Error::FetchTimeout),
            FetchResult::Answer(401, _) => Err(Error::SessionExpired),
            FetchResult::Answer(s, body) if (200..300).contains(&s) => {
                parse_feed(&body, self.cfg.max_notifications)
            }
            FetchResult::Answer(s, _) => Err(Error::HttpStatus(s)),
        };
        match outcome {
            Ok(items) => {
                self.poll_errors = 0;
                self.session_expired = false;
                let total = items.len();
                let fresh = self.seen.take_feed(items);
                self.stats.duplicates += (total - fresh.len()) as u32;
                for n in fresh {
                    self.deliver(n, Source::Poll);
                }
            }
            Err(Error::SessionExpired) => {
                self.stats.fetch_errors += 1;
                if !self.session_expired {
                    self.session_expired = true;
                    self.error(Error::SessionExpired);
                }
            }
            Err(e) => {
                self.stats.fetch_errors += 1;
                self.poll_errors = self.poll_errors.saturating_add(1);
                self.error(e);
            }
        }
        if self.fetch_again && !self.session_expired {
            self.request_fetch(now);
        } else if self.mode == Mode::Polling && !self.session_expired {
            self.poll_at = Some(now + self.poll_delay());
        }
    }

    /// Next polling delay: the jittered interval, doubled per failed poll up to the larger
    /// of the interval and `reconnectMaxMs`.
    pub(super) fn poll_delay(&mut self) -> u64 {
        let base = self.cfg.poll_interval_ms;
        let cap = base.max(self.cfg.reconnect_max_ms);
        let d = base
            .saturating_mul(1u64 << self.poll_errors.min(20))
            .min(cap);
        self.backoff.jitter(d)
    }
}
