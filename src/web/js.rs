//! Small JS helpers shared by the shell. Owns: the clock, the RNG seed, and the conversion
//! of a core [`Error`] into a JS `Error`.

use crate::core::Error;
use wasm_bindgen::JsValue;

/// The page's monotonic clock (`performance.now()`).
#[derive(Default)]
pub struct Clock;

impl Clock {
    /// The page's clock.
    pub fn new() -> Clock {
        Clock
    }

    /// Milliseconds since the page's time origin.
    pub fn now(&self) -> u64 {
        super::port::now() as u64
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
