//! User handlers. Owns: the JS functions of subscriptions (by id, in order) and of
//! `on('state' | 'error' | 'resync')` listeners. Lookups happen at call time so a handler
//! removed by an earlier one is skipped; nothing here is borrowed while user JS runs.

use crate::core::SubId;
use js_sys::Function;
use std::rc::Rc;

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
}

/// Handlers kept sorted by id (ids only grow, so push keeps order).
#[derive(Debug, Default)]
pub struct Handlers {
    list: Vec<Handler>,
}

impl Handlers {
    /// Registers a handler under `id`.
    pub fn add(&mut self, id: SubId, f: Function, style: Style) {
        self.list.push(Handler {
            id,
            f: Rc::new(f),
            style,
        });
    }

    /// The handler of `id`, cloned so the caller can release the borrow before calling.
    pub fn get(&self, id: SubId) -> Option<Handler> {
        self.list
            .binary_search_by_key(&id, |h| h.id)
            .ok()
            .map(|i| self.list[i].clone())
    }

    /// Removes `id`; `false` when absent.
    pub fn remove(&mut self, id: SubId) -> bool {
        match self.list.binary_search_by_key(&id, |h| h.id) {
            Ok(i) => {
                self.list.remove(i);
                true
            }
            Err(_) => false,
        }
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
