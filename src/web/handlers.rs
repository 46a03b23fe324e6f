//! User handlers. Owns: the bindings to the handler table (`js/dispatch.js`), the one place
//! where a subscription id or an `on()` listener meets its JS function. The core keeps
//! every other fact of a subscription; nothing here is borrowed while user JS runs.

use js_sys::Function;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/dispatch.js")]
extern "C" {
    /// A manager's handler table (opaque to Rust).
    pub type Table;

    /// A new, empty table.
    #[wasm_bindgen(js_name = makeTable)]
    pub fn make_table() -> Table;
    /// Registers subscription `id`'s handler; `compat`: called with the code string.
    #[wasm_bindgen(js_name = addSub)]
    pub fn add_sub(t: &Table, id: u32, f: &Function, compat: bool);
    /// Forgets subscription `id`'s handler.
    #[wasm_bindgen(js_name = removeSub)]
    pub fn remove_sub(t: &Table, id: u32) -> bool;
    /// Handlers and listeners held.
    #[wasm_bindgen(js_name = handlerCount)]
    pub fn handler_count(t: &Table) -> u32;
    /// Stops any delivery under way (the manager closed).
    #[wasm_bindgen(js_name = bumpEpoch)]
    pub fn bump_epoch(t: &Table);
    /// Calls the handlers of `ids` with `{ code, source, message?, timestamp? }` (source:
    /// 0 push, 1 poll, 2 resync); returns `[id, error, …]` for throwers, or undefined.
    pub fn dispatch(
        t: &Table,
        ids: &[u32],
        code: &str,
        source: u8,
        message: Option<&str>,
        timestamp: Option<&str>,
    ) -> JsValue;
    /// Adds an `on(kind)` listener; returns its idempotent removal function.
    pub fn listen(t: &Table, kind: u32, f: &Function) -> Function;
    /// Calls the `on(kind)` listeners.
    pub fn emit(t: &Table, kind: u32, arg: &JsValue);
    /// Forgets every handler and listener.
    #[wasm_bindgen(js_name = clearTable)]
    pub fn clear_table(t: &Table);
}

/// How a subscription's handler is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `fn({ code, message?, timestamp?, source })`.
    Object,
    /// WoK compat: `fn(code)` with the message string only.
    Compat,
}
