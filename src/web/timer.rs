//! The one timer. Owns: a single `setTimeout` armed at the core's next deadline. Re-arming
//! to the same deadline is free; dropping the timer cancels it.

use super::driver::Inner;
use gloo_timers::callback::Timeout;
use std::rc::Weak;

/// The single re-armable timer of a manager.
#[derive(Default)]
pub struct Timer {
    deadline: Option<u64>,
    handle: Option<Timeout>,
}

impl Timer {
    /// Arms the timer at `deadline` (ms on the `performance.now()` clock), or disarms it.
    /// `now` is read only when the deadline changed (the hot path re-arms to the same one).
    pub fn arm(&mut self, deadline: Option<u64>, now: impl FnOnce() -> u64, sink: &Weak<Inner>) {
        if deadline == self.deadline && self.handle.is_some() == deadline.is_some() {
            return;
        }
        self.deadline = deadline;
        self.handle = deadline.map(|d| {
            let delay = d.saturating_sub(now()).min(i32::MAX as u64) as u32;
            let s = sink.clone();
            Timeout::new(delay, move || Inner::timer_fired(&s))
        });
    }

    /// Forgets the armed deadline after it fired (its `Timeout` is spent).
    pub fn fired(&mut self) {
        self.deadline = None;
        self.handle = None;
    }

    /// Whether a deadline is armed.
    pub fn is_armed(&self) -> bool {
        self.handle.is_some()
    }
}
