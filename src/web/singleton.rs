//! The page singleton. Owns: the slot `globalThis[Symbol.for('wok-push')]` and the contract
//! between copies of wok-push loaded on one page.
//!
//! Rule: the first `connect()` on a page creates the manager and stores it in the slot;
//! every later `connect()`, from this copy or from any other copy or release loaded on the
//! same page (the WoK UI's npm bundle plus a plugin's `<script>` tag), returns that same
//! manager. Later options are validated (bad ones still throw) and then ignored: the first
//! caller configures the page's one connection. A closed manager stays in the slot and is
//! reopened by the next `connect()`.
//!
//! # The contract between copies
//! The slot is `{ contract, version, manager }`. `contract` is a number that only grows;
//! contract 1 is what any copy may call on a manager made by another copy:
//!
//! | member | since contract |
//! |---|---|
//! | `open()`, `close()`, `reconnect()` | 1 |
//! | `subscribe(code, fn, { tab, persist, resync })` → `{ unsubscribe(), active, id }` | 1 |
//! | `on('state' \| 'error' \| 'resync', fn)` → `off()` | 1 |
//! | `closeTab(tab)`, `addNotificationListener(msg, fn, persist)` | 1 |
//! | `state`, `transport`, `stats()` | 1 |
//!
//! - A later contract may add members, never change or remove one; a newer copy that finds
//!   an older manager uses it as is and feature-tests anything newer than its contract.
//! - A slot without `contract` was written by wok-push 0.1.0, which has all of contract 1.
//! - A slot whose manager lacks `open` or `subscribe` is not a wok-push manager: it is
//!   replaced.
//! - A breaking change would need a new `Symbol.for` key, never this one.

use super::js::{get, set};
use js_sys::{Object, Reflect, Symbol};
use wasm_bindgen::JsValue;

/// The registry key, shared by every copy and release of wok-push.
pub const KEY: &str = "wok-push";

/// The contract this copy's manager offers (see the module documentation).
pub const CONTRACT: u32 = 1;

/// This copy's release (`WOK_PUSH_VERSION` at build time overrides it, for tests that load
/// two releases on one page).
pub const VERSION: &str = match option_env!("WOK_PUSH_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

fn slot() -> JsValue {
    Reflect::get(&js_sys::global(), &Symbol::for_(KEY)).unwrap_or(JsValue::UNDEFINED)
}

/// The manager registered on this page by any copy, if it honours contract 1.
pub fn current() -> Option<JsValue> {
    let m = get(&slot(), "manager");
    let usable = ["open", "subscribe"]
        .iter()
        .all(|name| get(&m, name).is_function());
    usable.then_some(m)
}

/// Registers `manager` as the page's manager, with this copy's contract and release.
pub fn register(manager: &JsValue) {
    let s = Object::new();
    set(&s, "manager", manager);
    set(&s, "contract", &JsValue::from(CONTRACT));
    set(&s, "version", &JsValue::from_str(VERSION));
    let _ = Reflect::set(&js_sys::global(), &Symbol::for_(KEY), &s);
}
