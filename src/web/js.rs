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

/// The monotonic clock of `performance.now()`, looked up once.
pub struct Clock(Option<web_sys::Performance>);

impl Clock {
    /// The page's clock (a clock that reads 0 without a window).
    pub fn new() -> Clock {
        Clock(web_sys::window().and_then(|w| w.performance()))
    }

    /// Milliseconds since the page's time origin.
    pub fn now(&self) -> u64 {
        self.0.as_ref().map_or(0, |p| p.now() as u64)
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::new()
    }
}

/// 64 random bits from `crypto.getRandomValues`, mixed with the clock as a fallback.
pub fn seed() -> u64 {
    let mut bytes = [0u8; 8];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut bytes);
    }
    u64::from_le_bytes(bytes) ^ (js_sys::Date::now() as u64)
}

/// A JS `Error` for a core error, with `err.code` set.
pub fn to_js_error(e: &Error) -> js_sys::Error {
    let err = js_sys::Error::new(&e.message());
    set(err.unchecked_ref(), "code", &JsValue::from_str(e.code()));
    err
}
