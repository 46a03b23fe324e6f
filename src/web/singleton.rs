//! The page singleton. Owns: the registry slot `globalThis[Symbol.for('wok-push')]`.
//!
//! Rule: the first `connect()` on a page creates the manager and stores its JS object in
//! the slot; every later `connect()` — from this copy of the module or from any other copy
//! or version loaded on the same page (the WoK UI's npm bundle plus a plugin's `<script>`) —
//! returns that same object. Later options are validated (bad ones still throw) and then
//! ignored: the first caller configures the page's one connection. A closed manager stays
//! in the slot and is reopened by the next `connect()`.

use js_sys::{Object, Reflect, Symbol};
use wasm_bindgen::JsValue;

/// The registry key, shared by every copy and version of wok-push.
pub const KEY: &str = "wok-push";

fn key() -> Symbol {
    Symbol::for_(KEY)
}

/// The manager object registered on this page, if any.
pub fn current() -> Option<JsValue> {
    let slot = Reflect::get(&js_sys::global(), &key()).ok()?;
    let m = Reflect::get(&slot, &JsValue::from_str("manager")).ok()?;
    (!m.is_undefined() && !m.is_null()).then_some(m)
}

/// Registers `manager` as the page's manager (with this copy's version).
pub fn register(manager: &JsValue) {
    let slot = Object::new();
    let _ = Reflect::set(&slot, &JsValue::from_str("manager"), manager);
    let _ = Reflect::set(
        &slot,
        &JsValue::from_str("version"),
        &JsValue::from_str(env!("CARGO_PKG_VERSION")),
    );
    let _ = Reflect::set(&js_sys::global(), &key(), &slot);
}
