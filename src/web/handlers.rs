//! User handlers. Owns: the bindings to the handler table (`js/dispatch.js`), the one place
//! where a subscription id or an `on()` listener meets its JS function. The core keeps
//! every other fact of a subscription; nothing here is borrowed while user JS runs.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/dispatch.js")]
extern "C" {
    /// A manager's handler table (opaque to Rust).
    pub type Table;

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
    /// Calls the `on(kind)` listeners.
    pub fn emit(t: &Table, kind: u32, arg: &JsValue);
    /// Emits `'state'` with `{ previous, state, transport, reason, reasonCode, retryIn? }`
    /// (`retry_in < 0`: none).
    #[wasm_bindgen(js_name = emitState)]
    pub fn emit_state(
        t: &Table,
        previous: &str,
        state: &str,
        transport: Option<&str>,
        reason: &str,
        reason_code: u16,
        retry_in: f64,
    );
    /// Emits `'resync'` with `{ source: 'resync' }`.
    #[wasm_bindgen(js_name = emitResync)]
    pub fn emit_resync(t: &Table);
    /// Emits `'error'` with `err` (a `handler-threw` error) completed with what the handler
    /// threw, the message code, the subscription's tab and id.
    #[wasm_bindgen(js_name = reportThrew)]
    pub fn report_threw(
        t: &Table,
        err: &JsValue,
        cause: &JsValue,
        code: &str,
        tab: Option<&str>,
        id: u32,
    );
    /// Forgets every handler and listener.
    #[wasm_bindgen(js_name = clearTable)]
    pub fn clear_table(t: &Table);
}
