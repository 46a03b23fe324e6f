//! Small JS helpers shared by the shell. Owns: the clock, the RNG seed, and the conversion
//! of a core [`Error`] into a JS `Error`.

use core::cell::Cell;
use wasm_bindgen::JsValue;
use wok_push_core::Error;

/// The page's monotonic clock (`performance.now()`), in whole ms, never going back: an
/// event's own `timeStamp` may be older than a time read since (events wait in the task
/// queue), and the core's clock must not run backwards.
#[derive(Default)]
pub struct Clock {
    last: Cell<u64>,
}

impl Clock {
    /// The page's clock.
    pub fn new() -> Clock {
        Clock::default()
    }

    /// Milliseconds since the page's time origin, read now.
    pub fn now(&self) -> u64 {
        self.at(super::port::now())
    }

    /// The time of an event that happened at `ms` (its `timeStamp`, on the same origin as
    /// [`Clock::now`]; `js/io.js` gives every event one). Not a time (`NaN`) reads as the
    /// last time.
    pub fn at(&self, ms: f64) -> u64 {
        let t = (ms as u64).max(self.last.get());
        self.last.set(t);
        t
    }
}

/// Random bits from `crypto.getRandomValues`, for the backoff jitter.
pub fn seed() -> u64 {
    super::port::seed() as u64
}

/// A JS `Error` for a core error, with `err.code` set.
pub fn to_js_error(e: &Error) -> JsValue {
    super::port::make_error(&e.message(), e.code())
}
