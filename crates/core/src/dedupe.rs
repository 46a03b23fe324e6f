//! Dedupe of notifications. Owns: the seen-set of `(code, timestamp)` keys.
//!
//! WoK's `/notifications` is the current store, so the seen-set is replaced by each full
//! answer: it is bounded by the answer size (`max_notifications`), a notification that is
//! still listed is never delivered twice, and one deleted and raised again (new timestamp)
//! is delivered again. Notifications pushed as JSON frames are added until the next answer,
//! the oldest going first once the set is full.
//!
//! Cost: one hash lookup per message (O(1)); memory: at most `cap` keys.

use super::notice::Notice;
use crate::prelude::*;
use alloc::collections::VecDeque;
use core::hash::BuildHasher;
use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// `code` and `timestamp` (or `message`) in one buffer: the code's length (4 bytes) first,
/// so two different pairs never make the same key.
type Key = Vec<u8>;

/// Keys already delivered, bounded, oldest first.
///
/// Each key is stored once, in `order`; the hash table holds only sequence numbers (key
/// `order[i]` has number `first + i`) and compares through `order`. One copy of each key and
/// a table of plain integers: smaller in the wasm than a set of keys beside a queue of
/// copies.
#[derive(Debug, Default)]
pub struct Seen {
    order: VecDeque<Key>,
    first: u64,
    index: HashTable<u64>,
    cap: usize,
}

fn key(n: &Notice) -> Key {
    let second = n
        .timestamp
        .as_deref()
        .or(n.message.as_deref())
        .unwrap_or("");
    let mut k = Vec::with_capacity(4 + n.code.len() + second.len());
    k.extend_from_slice(&(n.code.len() as u32).to_le_bytes());
    k.extend_from_slice(n.code.as_bytes());
    k.extend_from_slice(second.as_bytes());
    k
}

fn hash(k: &[u8]) -> u64 {
    FxBuildHasher.hash_one(k)
}

impl Seen {
    /// A seen-set holding at most `cap` keys.
    pub fn new(cap: usize) -> Seen {
        Seen {
            cap: cap.max(1),
            ..Seen::default()
        }
    }

    fn has(&self, h: u64, k: &[u8]) -> bool {
        let (order, first) = (&self.order, self.first);
        self.index
            .find(h, |&s| {
                order
                    .get(s.wrapping_sub(first) as usize)
                    .is_some_and(|o| o[..] == *k)
            })
            .is_some()
    }

    /// Takes a full `/notifications` answer: returns the items not seen before, in order,
    /// and makes the answer the new seen-set.
    pub fn take_feed(&mut self, items: Vec<Notice>) -> Vec<Notice> {
        let old = core::mem::replace(self, Seen::new(self.cap));
        let mut fresh = Vec::new();
        for n in items {
            let k = key(&n);
            let h = hash(&k);
            if self.has(h, &k) {
                continue;
            }
            if !old.has(h, &k) {
                fresh.push(n);
            }
            self.remember(h, k);
        }
        fresh
    }

    /// Records one pushed notification; `false` when it was already seen.
    pub fn insert(&mut self, n: &Notice) -> bool {
        let k = key(n);
        let h = hash(&k);
        if self.has(h, &k) {
            return false;
        }
        self.remember(h, k);
        true
    }

    fn remember(&mut self, h: u64, k: Key) {
        let Seen {
            order,
            first,
            index,
            cap,
        } = self;
        if order.len() >= *cap {
            if let Some(old) = order.pop_front() {
                let oldest = *first;
                if let Ok(e) = index.find_entry(hash(&old), |&s| s == oldest) {
                    e.remove();
                }
                *first += 1;
            }
        }
        let seq = *first + order.len() as u64;
        order.push_back(k);
        let base = *first;
        index.insert_unique(h, seq, |&s| {
            order
                .get(s.wrapping_sub(base) as usize)
                .map_or(0, |k| hash(k))
        });
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(code: &str, ts: &str) -> Notice {
        Notice {
            code: code.into(),
            message: None,
            timestamp: Some(ts.into()),
        }
    }

    #[test]
    fn feed_dedupes_and_reraise_is_new() {
        let mut s = Seen::new(10);
        assert_eq!(s.take_feed(vec![n("A", "1"), n("B", "1")]).len(), 2);
        assert_eq!(s.take_feed(vec![n("A", "1"), n("B", "1")]), vec![]);
        // B deleted, then raised again with a new timestamp.
        assert_eq!(s.take_feed(vec![n("A", "1")]), vec![]);
        assert_eq!(
            s.take_feed(vec![n("A", "1"), n("B", "2")]),
            vec![n("B", "2")]
        );
        assert!(!s.insert(&n("A", "1")));
        assert!(s.insert(&n("C", "1")));
        assert_eq!(s.take_feed(vec![n("C", "1")]), vec![]);
    }

    #[test]
    fn bounded_and_oldest_goes_first() {
        let mut s = Seen::new(3);
        let items: Vec<_> = (0..10).map(|i| n("X", &i.to_string())).collect();
        assert_eq!(s.take_feed(items).len(), 10);
        assert_eq!(s.len(), 3);
        for i in 0..10 {
            assert!(s.insert(&n("Y", &i.to_string())));
        }
        assert_eq!(s.len(), 3);
        // The three newest are remembered, the older ones were evicted.
        assert!(!s.insert(&n("Y", "9")));
        assert!(s.insert(&n("Y", "0")));
    }

    #[test]
    fn many_keys_stay_fast_and_bounded() {
        let mut s = Seen::new(1000);
        for i in 0..100_000 {
            s.insert(&n("Z", &i.to_string()));
        }
        assert_eq!(s.len(), 1000);
        assert_eq!(s.order.len(), 1000);
    }
}
