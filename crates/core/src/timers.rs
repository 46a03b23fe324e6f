//! The timer table. Owns: every deadline of a manager, one slot per [`Timer`].
//!
//! The core never starts a timer: it records deadlines here, and the shell keeps one
//! browser timer armed at [`Timers::next`] (`Manager::poll_timeout`). A deadline belongs to
//! exactly one fact (the attempt's handshake, the open socket's heartbeat, the feed's fetch,
//! …) and is cleared with it.

/// What a deadline is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The websocket handshake of the current attempt must finish (`connectTimeoutMs`).
    Handshake = 0,
    /// The open socket becomes useful (`usefulAfterMs`) if nothing proved it before.
    Useful = 1,
    /// The next client heartbeat on the open socket (`heartbeatMs`).
    Heartbeat = 2,
    /// The next websocket attempt (reconnect backoff, or a probe while polling).
    Retry = 3,
    /// The next `GET /notifications` while polling.
    Poll = 4,
    /// The fetch in flight must have answered (`fetchTimeoutMs`).
    Fetch = 5,
    /// The earliest coalescing window that holds folded messages ends: its trailing call
    /// is due (`coalesceMs`, see `core::coalesce`).
    Coalesce = 6,
}

/// The transport's timers. Not [`Timer::Coalesce`]: `Manager::poll_output` takes every
/// trailing call due by the input's time and sets the next deadline, so it never stays in
/// the past once the outputs are drained.
const ALL: [Timer; 6] = [
    Timer::Handshake,
    Timer::Useful,
    Timer::Heartbeat,
    Timer::Retry,
    Timer::Poll,
    Timer::Fetch,
];

/// One optional deadline (ms, the manager's clock) per [`Timer`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timers([Option<u64>; 7]);

impl Timers {
    /// Sets `t` to fire at `at`.
    pub fn set(&mut self, t: Timer, at: u64) {
        self.0[t as usize] = Some(at);
    }

    /// Clears `t`.
    pub fn clear(&mut self, t: Timer) {
        self.0[t as usize] = None;
    }

    /// Sets `t` to `at`, or clears it when `None`.
    pub fn put(&mut self, t: Timer, at: Option<u64>) {
        self.0[t as usize] = at;
    }

    /// The deadline of `t`, if set.
    pub fn get(&self, t: Timer) -> Option<u64> {
        self.0[t as usize]
    }

    /// Whether `t` is set and due at `now`.
    pub fn due(&self, t: Timer, now: u64) -> bool {
        self.get(t).is_some_and(|at| at <= now)
    }

    /// The earliest deadline of all.
    pub fn next(&self) -> Option<u64> {
        self.0.iter().flatten().min().copied()
    }

    /// Clears every transport timer (all but [`Timer::Coalesce`]).
    pub fn clear_transport(&mut self) {
        for t in ALL {
            self.clear(t);
        }
    }

    /// Clears every transport timer still due at `now`: after a timer input nothing may
    /// stay in the past, or the shell's timer would fire again at once, forever.
    pub fn clear_due(&mut self, now: u64) {
        for t in ALL {
            if self.due(t, now) {
                self.clear(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_due_and_clear() {
        let mut t = Timers::default();
        assert_eq!(t.next(), None);
        t.set(Timer::Poll, 30);
        t.set(Timer::Retry, 10);
        assert_eq!(t.next(), Some(10));
        assert!(t.due(Timer::Retry, 10) && !t.due(Timer::Poll, 10));
        t.clear_due(10);
        assert_eq!(t.next(), Some(30));
    }
}
