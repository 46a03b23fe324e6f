//! The notifications feed. Owns: [`Feed`] (`Idle | InFlight`), starting, coalescing, timing out and aborting
//! `GET /notifications`, reading its answers (dedupe, a 401 ends the session: the
//! manager's session rule, typed errors) and the polling interval with backoff.

use super::Manager;
use crate::backoff::jitter;
use crate::error::Error;
use crate::io::{FetchResult, Gen, Output};
use crate::notice::Source;
use crate::platform::read_feed;
use crate::state::Reason;

/// Where the feed is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Phase {
    /// No request running.
    #[default]
    Idle,
    /// Request `gen` is running; it is aborted at `deadline` (`fetchTimeoutMs`); `again`: a
    /// trigger arrived meanwhile, so one more request follows it.
    InFlight {
        gen: Gen,
        again: bool,
        deadline: u64,
    },
}

/// The feed's state and its counters.
#[derive(Debug, Default)]
pub(super) struct Feed {
    phase: Phase,
    /// Generation of the last request.
    gen: Gen,
    /// Failed answers in a row (slows polling down).
    errors: u32,
    /// The next poll, while polling.
    poll_at: Option<u64>,
}

impl Feed {
    /// Whether request `g` is the one running.
    pub(super) fn in_flight(&self, g: Gen) -> bool {
        matches!(self.phase, Phase::InFlight { gen, .. } if gen == g)
    }

    pub(super) fn reset_errors(&mut self) {
        self.errors = 0;
    }

    /// Sets (or clears) the next poll.
    pub(super) fn poll_at(&mut self, at: Option<u64>) {
        self.poll_at = at;
    }

    /// The feed's next deadline: the running request's timeout or the next poll.
    pub(super) fn poll_timeout(&self) -> Option<u64> {
        let fetch = match self.phase {
            Phase::InFlight { deadline, .. } => Some(deadline),
            Phase::Idle => None,
        };
        super::soonest(fetch, self.poll_at)
    }

    /// Whether the running request timed out at `now`.
    fn timed_out(&self, now: u64) -> bool {
        matches!(self.phase, Phase::InFlight { deadline, .. } if deadline <= now)
    }

    /// A request is wanted: the generation of a new one to start (aborted at `deadline`), or
    /// `None` when one is running (one more follows it). The next poll is then this one.
    fn start(&mut self, deadline: u64) -> Option<Gen> {
        match &mut self.phase {
            Phase::InFlight { again, .. } => *again = true,
            Phase::Idle => {
                self.gen = self.gen.wrapping_add(1);
                self.phase = Phase::InFlight {
                    gen: self.gen,
                    again: false,
                    deadline,
                };
                self.poll_at = None;
                return Some(self.gen);
            }
        }
        None
    }

    /// Drops the request running; `true` if there was one.
    fn abort(&mut self) -> bool {
        let running = matches!(self.phase, Phase::InFlight { .. });
        if running {
            self.phase = Phase::Idle;
        }
        running
    }

    /// The running request ended: whether another one was asked for meanwhile (`None`
    /// when none was running).
    fn ended(&mut self) -> Option<bool> {
        let Phase::InFlight { again, .. } = self.phase else {
            return None;
        };
        self.phase = Phase::Idle;
        Some(again)
    }

    /// Counts an answer (`None`: a good one, which resets the errors).
    fn count(&mut self, error: Option<&Error>) {
        match error {
            None => self.errors = 0,
            Some(_) => self.errors = self.errors.saturating_add(1),
        }
    }

    /// Next polling delay: `base` jittered, doubled per failed poll up to `cap`.
    fn poll_delay(&self, rng: &mut fastrand::Rng, base: u64, cap: u64) -> u64 {
        let d = base.saturating_mul(1u64 << self.errors.min(20)).min(cap);
        jitter(rng, d)
    }
}

impl Manager {
    /// Asks for one `GET /notifications`: starts it, or merges into the one running.
    pub(super) fn request_fetch(&mut self, now: u64) {
        if let Some(gen) = self.feed.start(now + self.cfg.fetch_timeout_ms) {
            self.stats.fetches += 1;
            self.out.push(Output::Fetch(gen));
        }
    }

    /// Aborts the request running, if any (no follow-up).
    pub(super) fn abort_fetch(&mut self) {
        if self.feed.abort() {
            self.out.push(Output::AbortFetch);
        }
    }

    pub(super) fn fetched(&mut self, now: u64, result: FetchResult) {
        let Some(again) = self.feed.ended() else {
            return;
        };
        let outcome = match result {
            FetchResult::Failed => Err(Error::Network),
            FetchResult::TimedOut => Err(Error::FetchTimeout),
            FetchResult::Answer(401, _) => Err(Error::SessionExpired),
            FetchResult::Answer(s, body) if (200..300).contains(&s) => {
                read_feed(self.cfg.platform.json, &body, self.cfg.max_notifications)
            }
            FetchResult::Answer(s, _) => Err(Error::HttpStatus(s)),
        };
        let expired = matches!(self.conn, super::Conn::Expired);
        match outcome {
            Ok(items) => {
                self.feed.count(None);
                if self.cfg.shared {
                    self.tabs.keep(&items);
                }
                let total = items.len();
                let fresh = self.seen.take_feed(items);
                self.stats.duplicates += (total - fresh.len()) as u32;
                for n in fresh {
                    self.deliver(now, n, Source::Poll);
                }
                if expired {
                    // The session is valid again (a login in another tab): reconnect.
                    self.start_fresh(now, Reason::Retry);
                    return;
                }
                // Polling works again: now a refresh can succeed (a gap while polling is
                // announced here, after what the feed had). In websocket mode the socket's
                // opening announces it: a session check made while it is down waits for it.
                if self.conn.polling() {
                    self.announce_gap();
                }
            }
            Err(e) => {
                let ended = matches!(e, Error::SessionExpired);
                if ended && expired {
                    return; // said once: the check of an expired leader found the same
                }
                self.stats.fetch_errors += 1;
                self.feed.count(Some(&e));
                self.error(e);
                if ended {
                    self.expire(now);
                    return;
                }
            }
        }
        if again {
            self.request_fetch(now);
        } else if matches!(self.conn, super::Conn::Polling { .. }) {
            let base = self.cfg.poll_interval_ms;
            let cap = base.max(self.cfg.reconnect_max_ms);
            let d = self.feed.poll_delay(&mut self.rng, base, cap);
            self.feed.poll_at(Some(now + d));
        }
    }

    /// The feed's deadlines at `now` (a timer input): a hanging request is aborted, a due
    /// poll starts.
    pub(super) fn feed_timer(&mut self, now: u64) {
        if self.feed.timed_out(now) {
            // A hanging `GET /notifications` (a proxy that never answers): abort it.
            self.out.push(Output::AbortFetch);
            self.fetched(now, FetchResult::TimedOut);
        }
        if self.feed.poll_at.is_some_and(|t| t <= now) {
            self.feed.poll_at(None);
            self.request_fetch(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Feed;
    use crate::error::Error;

    #[test]
    fn one_request_at_a_time_with_one_more_after_it() {
        let mut f = Feed::default();
        f.poll_at(Some(50));
        let g = f.start(100).expect("idle: a request starts");
        assert!(f.in_flight(g));
        assert_eq!(
            f.poll_timeout(),
            Some(100),
            "the request's timeout; the poll it replaces went"
        );
        assert!(!f.timed_out(99) && f.timed_out(100));
        assert_eq!(f.start(200), None, "merged into the running one");
        assert_eq!(f.ended(), Some(true), "one more was asked for meanwhile");
        assert_eq!(f.ended(), None, "nothing runs any more");
        assert_eq!(f.poll_timeout(), None, "its timeout went with it");
        let g2 = f.start(300).expect("a new generation");
        assert_ne!(g, g2);
        assert!(f.abort() && !f.abort() && !f.in_flight(g2));
        assert_eq!(f.poll_timeout(), None);
    }

    #[test]
    fn polling_slows_down_per_failed_answer_up_to_the_cap_and_a_good_one_resets() {
        let mut f = Feed::default();
        let mut rng = fastrand::Rng::with_seed(1);
        let d = f.poll_delay(&mut rng, 1_000, 30_000);
        assert!((800..=1_200).contains(&d), "{d}");
        for _ in 0..3 {
            f.count(Some(&Error::Network));
        }
        let d = f.poll_delay(&mut rng, 1_000, 30_000);
        assert!((6_400..=9_600).contains(&d), "8 s ± 20 %: {d}");
        for _ in 0..30 {
            f.count(Some(&Error::HttpStatus(500)));
        }
        assert!(f.poll_delay(&mut rng, 1_000, 30_000) <= 36_000, "capped");
        f.count(None);
        assert!(f.poll_delay(&mut rng, 1_000, 30_000) <= 1_200);
    }
}
