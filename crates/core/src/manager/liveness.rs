//! Time and the page lifecycle. Owns: [`Liveness`] (heartbeats unanswered, whether the server
//! answers them, since when the page is hidden), the timer input (connect timeout, usefulness,
//! heartbeat and the silence rule, sleep detection, retries, polls, fetch timeout) and
//! `online`/`offline`, visibility, `pagehide`/`pageshow` handling. The rules are in the
//! parent module's documentation.

use super::{Attempt, Conn, Link, Manager, SLEEP_MARGIN_MS};
use crate::io::Output;
use crate::state::Reason;

/// What the traffic and the page say about liveness: the open socket's heartbeats (rule 2
/// of the parent module, set anew when a socket opens) and since when the page is hidden.
#[derive(Debug, Default)]
pub(super) struct Liveness {
    /// Heartbeats sent since the last frame arrived.
    unanswered: u8,
    /// The server answers heartbeats on this connection: silence is then a fault.
    answers: bool,
    hidden_since: Option<u64>,
}

impl Liveness {
    /// A socket opened: nothing known of its server yet.
    pub(super) fn opened(&mut self) {
        self.unanswered = 0;
        self.answers = false;
    }

    /// A frame arrived.
    pub(super) fn heard(&mut self) {
        self.unanswered = 0;
    }

    /// The server answered a heartbeat on this connection.
    pub(super) fn answered(&mut self) {
        self.answers = true;
    }

    /// A heartbeat is due: `false` when the socket is silent (an answering server said
    /// nothing since the two previous heartbeats), else one more is counted as sent.
    fn beat(&mut self) -> bool {
        if self.answers && self.unanswered >= 2 {
            return false;
        }
        self.unanswered = self.unanswered.saturating_add(1);
        true
    }

    fn hidden(&mut self, now: u64) {
        self.hidden_since = Some(now);
    }

    /// The page is visible: whether it was hidden for longer than `threshold`.
    fn shown_after(&mut self, now: u64, threshold: u64) -> bool {
        self.hidden_since
            .take()
            .is_some_and(|t| now.saturating_sub(t) > threshold)
    }
}

impl Manager {
    /// The timer fired at `now`: each part acts on its own deadlines that are due, the
    /// connection's (handshake, usefulness, heartbeat, retry) then the feed's (timeout,
    /// poll). Each acts by moving its deadline on or dropping it, so none stays due.
    pub(super) fn timer(&mut self, now: u64) {
        let Some(due) = self.poll_timeout() else {
            return;
        };
        if now < due {
            return;
        }
        if now - due > self.cfg.heartbeat_ms + SLEEP_MARGIN_MS {
            self.wake_up(now, Reason::Slept);
        }
        match self.conn.attempt().map(|a| a.link) {
            Some(Link::Handshake { deadline }) if deadline <= now => {
                self.socket_lost(now, Reason::ConnectTimeout);
            }
            Some(Link::Up {
                useful_at,
                heartbeat_at,
                ..
            }) => {
                if useful_at.is_some_and(|t| t <= now) {
                    self.mark_useful(now);
                }
                if heartbeat_at <= now {
                    self.heartbeat(now);
                }
            }
            _ => {}
        }
        if self.conn.retry_at().is_some_and(|t| t <= now) {
            self.start_attempt(now, Reason::Retry);
        }
        self.feed_timer(now);
    }

    /// Sends the heartbeat, or replaces a connection whose server answers but went silent
    /// (rule 2 of the parent module).
    fn heartbeat(&mut self, now: u64) {
        if !self.liveness.beat() {
            self.socket_lost(now, Reason::Silent);
            return;
        }
        if let Some(Attempt {
            gen,
            link:
                Link::Up {
                    protocol,
                    ref mut heartbeat_at,
                    ..
                },
        }) = self.conn.attempt_mut()
        {
            *heartbeat_at = now + self.cfg.heartbeat_ms;
            self.out.push(Output::Send(*gen, *protocol));
        }
    }

    /// After sleep, `online` or a long-hidden page: act at once instead of waiting.
    fn wake_up(&mut self, now: u64, reason: Reason) {
        match self.conn {
            Conn::Closed
            | Conn::Expired
            | Conn::Frozen { .. }
            | Conn::Electing
            | Conn::Follower { .. } => return,
            Conn::Socket(Attempt {
                link: Link::Up { .. },
                ..
            }) => self.socket_lost(now, reason),
            Conn::Socket(_) | Conn::Polling { probe: Some(_), .. } => {}
            Conn::Backoff { .. } => self.start_attempt(now, reason),
            Conn::Polling { probe: None, .. } => {
                self.conn = Conn::Polling {
                    probe: None,
                    retry_at: Some(now),
                }
            }
        }
        if self.conn.polling() {
            self.request_fetch(now);
        }
    }

    pub(super) fn offline(&mut self) {
        if let Some(Attempt {
            link: Link::Up {
                ref mut offline_seen,
                ..
            },
            ..
        }) = self.conn.attempt_mut()
        {
            *offline_seen = true;
        }
    }

    pub(super) fn online(&mut self, now: u64) {
        match self.conn.attempt() {
            Some(Attempt {
                link:
                    Link::Up {
                        offline_seen: false,
                        ..
                    },
                ..
            }) => {}
            _ => self.wake_up(now, Reason::Online),
        }
    }

    pub(super) fn visibility(&mut self, now: u64, visible: bool) {
        if !visible {
            self.liveness.hidden(now);
            return;
        }
        let long = self
            .liveness
            .shown_after(now, self.cfg.heartbeat_ms + SLEEP_MARGIN_MS);
        match self.conn.attempt() {
            Some(Attempt {
                link: Link::Up { .. },
                ..
            }) if !long => {}
            Some(Attempt {
                link: Link::Handshake { .. },
                ..
            }) => {}
            _ => self.wake_up(now, Reason::Visible),
        }
    }

    pub(super) fn page_hide(&mut self, now: u64) {
        if let Conn::Frozen { .. } = self.conn {
            return;
        }
        if self.cfg.shared {
            // A page in the bfcache must hold no lock and no channel: the next tab leads.
            self.out.push(crate::io::Output::Resign);
        }
        let polling = self.conn.polling();
        if self.halt() {
            self.out.lost();
        }
        self.go(now, Conn::Frozen { polling }, Reason::PageHidden);
    }

    pub(super) fn page_show(&mut self, now: u64) {
        let Conn::Frozen { polling } = self.conn else {
            return;
        };
        if self.cfg.shared {
            self.elect(now, Reason::PageShown);
        } else if polling {
            let next = Conn::Polling {
                probe: None,
                retry_at: Some(now),
            };
            self.go(now, next, Reason::PageShown);
            self.request_fetch(now);
        } else {
            self.start_attempt(now, Reason::PageShown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Liveness;

    #[test]
    fn silent_only_once_the_server_answers_and_then_two_beats_go_unanswered() {
        let mut l = Liveness::default();
        // A server that never answered (stock WoK): never silent.
        assert!((0..10).all(|_| l.beat()));
        l.opened();
        l.answered();
        assert!(l.beat() && l.beat(), "two beats sent, none answered yet");
        assert!(!l.beat(), "the third finds two unanswered: silent");
        l.heard();
        assert!(
            l.beat() && l.beat() && !l.beat(),
            "a frame resets the count"
        );
        l.opened();
        assert!(
            (0..10).all(|_| l.beat()),
            "a new socket: its server unknown again"
        );
    }

    #[test]
    fn shown_after_says_whether_the_page_was_hidden_longer_than_the_threshold() {
        let mut l = Liveness::default();
        assert!(!l.shown_after(5_000, 100), "never hidden");
        l.hidden(1_000);
        assert!(
            !l.shown_after(1_100, 100),
            "exactly the threshold is not longer"
        );
        l.hidden(1_000);
        assert!(l.shown_after(1_101, 100));
        assert!(!l.shown_after(9_999, 100), "taken: once per hide");
    }
}
