//! Small JS helpers shared by the shell. Owns: property get/set on plain objects, the
//! clock, the RNG seed, and the conversion of a core [`Error`] into a JS `Error`.

use crate::core::Error;
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Sets `obj[key] = value`, ignoring failures (plain objects never fail).
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Reads `obj[key]`; `undefined` when absent or when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `Some(string)` for a JS string, `None` otherwise.
pub fn opt_str(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::UNDEFINED, JsValue::from_str)
}

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
pub fn to_js_error(e: &Error) -> Object {
    super::port::make_error(&e.message(), e.code()).unchecked_into()
}
