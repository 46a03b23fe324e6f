//! User handlers. Owns: the bindings to the handler table (`js/dispatch.js`), the one place
//! where a subscription id or an `on()` listener meets its JS function. The core keeps
//! every other fact of a subscription; nothing here is borrowed while user JS runs.

use super::js::to_js_error;
use crate::driver;
use wasm_bindgen::prelude::*;
use wok_push_core::{Error, SubId};

#[wasm_bindgen(module = "/js/dispatch.js")]
extern "C" {
    /// A manager's handler table (opaque to Rust).
    pub type Table;

    /// Forgets subscription `id`'s handler.
    #[wasm_bindgen(js_name = removeSub)]
    fn remove_sub(t: &Table, id: u32) -> bool;
    /// Stops any delivery under way (the manager closed).
    #[wasm_bindgen(js_name = bumpEpoch)]
    fn bump_epoch(t: &Table);
    /// Calls the handlers of `ids` with `{ code, source, coalesced, message?, timestamp? }`
    /// (source: 0 push, 1 poll, 2 resync; `ids` and `code` together, or both `None`: the
    /// ones `slot` holds from an earlier call; `coalesced`: how many messages the call
    /// stands for, 0 for a resync call); returns how many threw (see [`failed_id`]).
    fn dispatch(
        t: &Table,
        slot: u32,
        ids: Option<&[u32]>,
        code: Option<&str>,
        source: u8,
        message: Option<&str>,
        timestamp: Option<&str>,
        coalesced: u32,
    ) -> u32;
    /// The id of the `i`-th handler that threw in the last [`dispatch`].
    #[wasm_bindgen(js_name = failedId)]
    fn failed_id(t: &Table, i: u32) -> u32;
    /// Emits `'error'` with `err`.
    #[wasm_bindgen(js_name = emitError)]
    fn emit_error(t: &Table, err: &JsValue);
    /// Emits `'state'` with `{ previous, state, transport, reason, reasonCode, retryIn? }`
    /// from the states' and the reason's codes (named by `js/dispatch.js`; `retry_in < 0`:
    /// none).
    #[wasm_bindgen(js_name = emitState)]
    fn emit_state(t: &Table, previous: u8, state: u8, reason: u16, retry_in: f64);
    /// Emits `'resync'` with `{ source: 'resync' }`.
    #[wasm_bindgen(js_name = emitResync)]
    fn emit_resync(t: &Table);
    /// Emits `'error'` with `err` (a `handler-threw` error) for the `i`-th handler that threw
    /// in the last [`dispatch`], completed with what it threw, that dispatch's code, the
    /// handler's tab and id.
    #[wasm_bindgen(js_name = reportThrew)]
    fn report_threw(t: &Table, i: u32, err: &JsValue, tab: Option<&str>);
    /// Forgets every handler and listener.
    #[wasm_bindgen(js_name = clearTable)]
    fn clear_table(t: &Table);
}

impl driver::Table for Table {
    fn dispatch(
        &self,
        slot: u32,
        ids: Option<&[SubId]>,
        code: &str,
        source: u8,
        message: Option<&str>,
        timestamp: Option<&str>,
        coalesced: u32,
    ) -> u32 {
        // The code crosses (and is decoded) only with new ids.
        let code = ids.map(|_| code);
        dispatch(self, slot, ids, code, source, message, timestamp, coalesced)
    }

    fn failed_id(&self, i: u32) -> SubId {
        failed_id(self, i)
    }

    fn report_threw(&self, i: u32, tab: Option<&str>) {
        report_threw(self, i, &to_js_error(&Error::HandlerThrew), tab);
    }

    fn emit_error(&self, e: &Error) {
        emit_error(self, &to_js_error(e));
    }

    fn emit_state(&self, previous: u8, state: u8, reason: u16, retry_in: f64) {
        emit_state(self, previous, state, reason, retry_in);
    }

    fn emit_resync(&self) {
        emit_resync(self);
    }

    fn remove_sub(&self, id: SubId) {
        remove_sub(self, id);
    }

    fn bump_epoch(&self) {
        bump_epoch(self);
    }

    fn clear(&self) {
        clear_table(self);
    }
}
