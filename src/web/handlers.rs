//! User handlers. Owns: the handler records of subscriptions (by id, in order), the
//! `on('state' | 'error' | 'resync')` listeners, and the JS side of delivery
//! (`js/dispatch.js`): a record is `{ f, compat, id, live }`; removing a handler sets
//! `live = false`, so a dispatch already under way skips it. Nothing here is borrowed while
//! user JS runs.

use crate::core::SubId;
use js_sys::{Array, Function, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/dispatch.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeRecord)]
    fn make_record(f: &Function, compat: bool, id: u32) -> JsValue;
    /// Builds `{ code, source, message?, timestamp? }`.
    #[wasm_bindgen(js_name = makeMessage)]
    pub fn make_message(
        code: &JsValue,
        source: &JsValue,
        message: Option<String>,
        timestamp: Option<String>,
    ) -> JsValue;
    /// Calls the live records of `list`; returns `[record, error, …]` for throwers.
    pub fn dispatch(list: &Array, msg: &JsValue, code: &JsValue, gate: &JsValue) -> JsValue;
}

/// How a subscription's handler is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `fn({ code, message?, timestamp?, source })`.
    Object,
    /// WoK compat: `fn(code)` with the message string only.
    Compat,
}

/// One registered handler.
#[derive(Clone, Debug)]
pub struct Handler {
    /// Subscription (or listener) id.
    pub id: SubId,
    /// The function (shared: cloning a handler for a call crosses no JS boundary).
    pub f: Rc<Function>,
    /// Call style.
    pub style: Style,
    /// The JS record used by `dispatch` (`None` for `on()` listeners).
    pub record: Option<JsValue>,
}

/// Handlers kept sorted by id (ids only grow, so push keeps order).
#[derive(Debug, Default)]
pub struct Handlers {
    list: Vec<Handler>,
}

impl Handlers {
    /// Registers a listener under `id` (called directly, no record).
    pub fn add(&mut self, id: SubId, f: Function, style: Style) {
        self.list.push(Handler {
            id,
            f: Rc::new(f),
            style,
            record: None,
        });
    }

    /// Registers a subscription handler under `id` with its dispatch record.
    pub fn add_record(&mut self, id: SubId, f: Function, style: Style) {
        let record = make_record(&f, style == Style::Compat, id);
        self.list.push(Handler {
            id,
            f: Rc::new(f),
            style,
            record: Some(record),
        });
    }

    /// The handler of `id`, cloned so the caller can release the borrow before calling.
    pub fn get(&self, id: SubId) -> Option<Handler> {
        self.list
            .binary_search_by_key(&id, |h| h.id)
            .ok()
            .map(|i| self.list[i].clone())
    }

    /// Removes `id` (marking its record dead); `false` when absent.
    pub fn remove(&mut self, id: SubId) -> bool {
        match self.list.binary_search_by_key(&id, |h| h.id) {
            Ok(i) => {
                let h = self.list.remove(i);
                if let Some(r) = h.record {
                    let _ = Reflect::set(&r, &JsValue::from_str("live"), &JsValue::FALSE);
                }
                true
            }
            Err(_) => false,
        }
    }

    /// The dispatch records of `ids` that are still registered, in order.
    pub fn records(&self, ids: &[SubId]) -> Array {
        let out = Array::new();
        for &id in ids {
            if let Ok(i) = self.list.binary_search_by_key(&id, |h| h.id) {
                if let Some(r) = &self.list[i].record {
                    out.push(r);
                }
            }
        }
        out
    }

    /// All handler ids, in order.
    pub fn ids(&self) -> Vec<SubId> {
        self.list.iter().map(|h| h.id).collect()
    }

    /// Number of handlers.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
