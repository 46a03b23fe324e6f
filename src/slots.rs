//! The codes the JS handler table holds decoded. Owns: which code and which id list each
//! slot of `js/dispatch.js` (`codes`, `lists`) holds, and which slot a new code takes.
//!
//! A dispatch names its code by slot; the string crosses to JS (and is decoded there) only
//! when the code is not held, the id list only when it changed. Bursts of one code (a
//! task's progress, a batch of VM events) and WoK's REST pattern (a resource code, then
//! `POST:/wok/logs`, in turn) then cost no string decoding and no array copy per message.
//! Dispatches never nest (a drain under way only queues), so both sides see the same
//! sequence.

use wok_push_core::prelude::*;
use wok_push_core::SubId;

/// How many codes are held.
pub const SLOTS: usize = 4;

/// The slots, as the JS table holds them.
#[derive(Default)]
pub struct Slots {
    held: Vec<(String, Vec<SubId>)>,
    /// The slot a new code takes once all are in use (round robin).
    next: usize,
}

/// What one dispatch sends.
pub struct Named {
    /// The slot that holds the code.
    pub slot: u32,
    /// The code must be sent (the slot held another one).
    pub code: bool,
    /// The id list must be sent (the slot held another one).
    pub ids: bool,
}

impl Slots {
    /// Names `code` dispatched to `ids`, and records what the JS table will hold after.
    pub fn name(&mut self, code: &str, ids: &[SubId]) -> Named {
        let (slot, fresh) = match self.held.iter().position(|(c, _)| c == code) {
            Some(i) => (i, false),
            None if self.held.len() < SLOTS => {
                self.held.push((String::new(), Vec::new()));
                (self.held.len() - 1, true)
            }
            None => {
                let i = self.next;
                self.next = (i + 1) % SLOTS;
                (i, true)
            }
        };
        let mut named = Named {
            slot: slot as u32,
            code: fresh,
            ids: true,
        };
        if let Some((c, last)) = self.held.get_mut(slot) {
            if fresh {
                c.clear();
                c.push_str(code);
            }
            named.ids = fresh || last.as_slice() != ids;
            if named.ids {
                last.clear();
                last.extend_from_slice(ids);
            }
        }
        named
    }
}
