//! The subscription registry. Owns: subscription ids, exact and glob patterns, tab scope,
//! the `persist` flag, and the match order (= subscription order).
//!
//! Handlers themselves live in the shell (they are JS functions); the core decides who is
//! called, the shell looks each one up again at call time so one removed meanwhile is skipped.

use super::coalesce::Window;
use super::notice::Message;
use crate::prelude::*;
/// A subscription id, unique for the life of a manager.
pub type SubId = u32;

/// Whom a delivery calls ([`Registry::admit`]); [`Registry::ids`] lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum To {
    /// These subscriptions, in subscription order.
    Ids(Vec<SubId>),
    /// The ids the registry remembers for the message's code: entry `slot` (below
    /// [`KNOWN`]) as written at `stamp`. Valid until the subscriptions change, so read it
    /// before the next input. A shell that keeps what it last did with an entry (the JS
    /// handler table holds its handler list) reuses it while the stamp is the same: no
    /// list crosses, no allocation, no comparison per message.
    Known {
        /// The entry.
        slot: u8,
        /// When it was written: a new stamp per write, never 0 (a shell's "none yet"),
        /// reused only after 2³² − 1 writes.
        stamp: u32,
    },
}

/// One subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// Its id.
    pub id: SubId,
    /// The code or glob it matches (`*` matches any run of characters, empty included).
    pub pattern: String,
    /// Whether `pattern` holds a `*` (otherwise it matches one code exactly).
    pub glob: bool,
    /// The tab it belongs to, if any.
    pub tab: Option<String>,
    /// Survives tab switches even when it has a tab.
    pub persist: bool,
    /// Wants a `source: 'resync'` call after a gap.
    pub resync: bool,
    /// Its coalescing window (`coalesceMs`; length 0: every message is its own call).
    pub window: Window,
    /// When it was made (ms, the manager's clock).
    pub created: u64,
}

/// How a subscription is scoped and called: everything about it but its pattern.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubOptions {
    /// The tab it belongs to, if any.
    pub tab: Option<String>,
    /// Survives tab switches even when it has a tab.
    pub persist: bool,
    /// Wants a `source: 'resync'` call after a gap.
    pub resync: bool,
    /// Coalescing window in ms (`coalesceMs`); 0 for exact calls.
    pub coalesce_ms: u64,
}

impl Subscription {
    /// Whether `hashchange` with auto cleanup drops it: it has a tab and is not persistent.
    pub fn tab_scoped(&self) -> bool {
        self.tab.is_some() && !self.persist
    }

    /// Whether it matches `code`: a plain comparison for an exact pattern, [`glob_match`]
    /// only for one with a `*`.
    pub fn matches(&self, code: &str) -> bool {
        if self.glob {
            glob_match(&self.pattern, code)
        } else {
            self.pattern == code
        }
    }
}

/// Whether `code` matches `pattern`, where `*` matches any run of characters.
///
/// Only `*` is special: WoK codes contain `?`, `[` and `.` as plain characters.
pub fn glob_match(pattern: &str, code: &str) -> bool {
    let (p, c) = (pattern.as_bytes(), code.as_bytes());
    let (mut pi, mut ci) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ci < c.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ci));
            pi += 1;
        } else if pi < p.len() && p[pi] == c[ci] {
            pi += 1;
            ci += 1;
        } else if let Some((sp, sc)) = star {
            pi = sp + 1;
            ci = sc + 1;
            star = Some((sp, sc + 1));
        } else {
            return false;
        }
    }
    p.iter().skip(pi).all(|&b| b == b'*')
}

/// All live subscriptions, in subscription order.
#[derive(Debug, Default)]
pub struct Registry {
    subs: Vec<Subscription>,
    next_id: SubId,
    /// The last codes admitted that no coalescing subscription matches, with their ids
    /// and stamps: admitting them changes nothing, so the answer holds until the
    /// subscriptions change.
    known: Vec<(String, Vec<SubId>, u32)>,
    /// The last stamp given to a `known` entry.
    stamp: u32,
}

/// How many codes [`Registry::admit`] remembers (a burst of one code, WoK's resource code
/// and `POST:/wok/logs` in turn): the entries of [`To::Known`] are below it.
pub const KNOWN: usize = 4;

impl Registry {
    /// Adds a subscription made at `created` (ms) and returns its id.
    pub fn add(&mut self, pattern: &str, o: SubOptions, created: u64) -> SubId {
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        self.known.clear();
        self.subs.push(Subscription {
            id,
            pattern: pattern.into(),
            glob: pattern.bytes().any(|b| b == b'*'),
            tab: o.tab,
            persist: o.persist,
            resync: o.resync,
            window: Window::new(o.coalesce_ms),
            created,
        });
        id
    }

    /// Removes one subscription; `false` when it was already gone (idempotent).
    pub fn remove(&mut self, id: SubId) -> bool {
        self.known.clear();
        let before = self.subs.len();
        self.subs.retain(|s| s.id != id);
        before != self.subs.len()
    }

    /// Removes every subscription of `tab`; returns the removed ids.
    pub fn close_tab(&mut self, tab: &str) -> Vec<SubId> {
        self.drain(|s| s.tab.as_deref() == Some(tab))
    }

    /// Removes every tab-scoped (non-persistent) subscription made before `before` (ms);
    /// returns the removed ids.
    pub fn drop_tab_scoped(&mut self, before: u64) -> Vec<SubId> {
        self.drain(|s| s.tab_scoped() && s.created < before)
    }

    /// Removes everything; returns the removed ids.
    pub fn clear(&mut self) -> Vec<SubId> {
        self.drain(|_| true)
    }

    fn drain(&mut self, mut f: impl FnMut(&Subscription) -> bool) -> Vec<SubId> {
        self.known.clear();
        let mut gone = Vec::new();
        self.subs.retain(|s| {
            let drop = f(s);
            if drop {
                gone.push(s.id);
            }
            !drop
        });
        gone
    }

    /// Whether `id` is still subscribed (ids are kept in increasing order).
    pub fn contains(&self, id: SubId) -> bool {
        self.subs.binary_search_by_key(&id, |s| s.id).is_ok()
    }

    /// Ids of the subscriptions to call now with `m`, arrived at `at`, in subscription
    /// order: every match but the coalescing ones whose running window folds it (see
    /// `core::coalesce`); and whether one did (the next trailing call may have changed).
    /// Trailing calls due by `at` must have been taken first. A code no coalescing
    /// subscription matches is matched once until the subscriptions change (the last
    /// four such codes are remembered, and answered as [`To::Known`]).
    pub fn admit(&mut self, m: &Message, at: u64) -> (To, bool) {
        let code = &m.notice.code;
        if let Some(slot) = self.known.iter().position(|(c, ..)| c == code) {
            return (self.remembered(slot), false);
        }
        // One allocation per message, not one per doubling.
        let (mut ids, mut folded, mut windowed) =
            (Vec::with_capacity(self.subs.len()), false, false);
        for s in &mut self.subs {
            if s.matches(code) {
                windowed |= !s.window.exact();
                if s.window.admit(at, m) {
                    ids.push(s.id);
                } else {
                    folded = true;
                }
            }
        }
        if windowed {
            return (To::Ids(ids), folded);
        }
        // Once full, the newest entry is the one replaced: the others stay known.
        self.stamp = self.stamp.wrapping_add(1).max(1);
        let entry = (code.clone(), ids, self.stamp);
        let slot = match self.known.get_mut(KNOWN - 1) {
            Some(last) => {
                *last = entry;
                KNOWN - 1
            }
            None => {
                self.known.push(entry);
                self.known.len() - 1
            }
        };
        (self.remembered(slot), false)
    }

    /// Remembered entry `slot`, named.
    fn remembered(&self, slot: usize) -> To {
        To::Known {
            slot: slot as u8,
            stamp: self.known.get(slot).map_or(0, |e| e.2),
        }
    }

    /// The ids `to` names, in subscription order (none for a [`To::Known`] entry forgotten
    /// since: read it before the next input).
    pub fn ids<'a>(&'a self, to: &'a To) -> &'a [SubId] {
        match *to {
            To::Ids(ref ids) => ids,
            To::Known { slot, stamp } => self
                .known
                .get(usize::from(slot))
                .filter(|e| e.2 == stamp)
                .map_or(&[], |e| &e.1),
        }
    }

    /// When the next trailing call is due (the earliest window holding folded messages).
    pub fn next_due(&self) -> Option<u64> {
        self.earliest().map(|(end, _)| end)
    }

    /// Takes the earliest trailing call if it is due at `t` (subscription order among
    /// windows ending together): the subscription, the latest message, how many it stands
    /// for.
    pub fn take_due(&mut self, t: u64) -> Option<(SubId, Message, u32)> {
        let (end, i) = self.earliest()?;
        let s = self.subs.get_mut(i).filter(|_| end <= t)?;
        let (m, n) = s.window.take()?;
        Some((s.id, m, n))
    }

    /// The end and index of the earliest window holding folded messages (the first one
    /// among windows ending together).
    fn earliest(&self) -> Option<(u64, usize)> {
        let mut first: Option<(u64, usize)> = None;
        for (i, s) in self.subs.iter().enumerate() {
            if let Some(end) = s.window.due() {
                if first.map_or(true, |(e, _)| end < e) {
                    first = Some((end, i));
                }
            }
        }
        first
    }

    /// Forgets every running window and what it folded (the manager closed).
    pub fn reset_windows(&mut self) {
        for s in &mut self.subs {
            s.window.reset();
        }
    }

    /// Ids of the subscriptions that asked for resync calls.
    pub fn resync_targets(&self) -> Vec<SubId> {
        self.subs
            .iter()
            .filter(|s| s.resync)
            .map(|s| s.id)
            .collect()
    }

    /// Looks a subscription up.
    pub fn get(&self, id: SubId) -> Option<&Subscription> {
        self.subs
            .binary_search_by_key(&id, |s| s.id)
            .ok()
            .map(|i| &self.subs[i])
    }

    /// Number of live subscriptions.
    pub fn len(&self) -> usize {
        self.subs.len()
    }

    /// Whether there is no subscription.
    pub fn is_empty(&self) -> bool {
        self.subs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("POST:/kimchi/*", "POST:/kimchi/vms"));
        assert!(glob_match("POST:/kimchi/*", "POST:/kimchi/"));
        assert!(!glob_match("POST:/kimchi/*", "PUT:/kimchi/vms"));
        assert!(glob_match("*:/kimchi/vms", "METHOD:/kimchi/vms"));
        assert!(!glob_match("*:/kimchi/vms", "METHOD:/kimchi/vm"));
        assert!(glob_match("KCHCONN*", "KCHCONN0002E"));
        assert!(glob_match("*:/ginger/*", "POST:/ginger/users"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYbc"));
        assert!(!glob_match("a*b*c", "aXXbYYb"));
        assert!(glob_match("exact", "exact"));
        assert!(!glob_match("exact", "exactly"));
        assert!(glob_match("a?b", "a?b"));
        assert!(!glob_match("a?b", "axb"));
    }

    #[test]
    fn order_tabs_and_persistence() {
        let mut r = Registry::default();
        let tab = |t: &str, persist| SubOptions {
            tab: Some(t.into()),
            persist,
            ..SubOptions::default()
        };
        let a = r.add("POST:/kimchi/*", tab("guests", false), 1);
        let resync = SubOptions {
            resync: true,
            ..SubOptions::default()
        };
        let b = r.add("POST:/kimchi/vms", resync, 2);
        let c = r.add("POST:/kimchi/vms", tab("guests", true), 3);
        let d = r.add("POST:/kimchi/vms", tab("templates", false), 4);
        let e = r.add("POST:/kimchi/vms", tab("new-tab", false), 10);
        // The ids a message is delivered to (no subscription coalesces here).
        let vms = Message {
            notice: crate::notice::Notice::code("POST:/kimchi/vms"),
            source: crate::notice::Source::Push,
        };
        let matching = |r: &mut Registry| {
            let to = r.admit(&vms, 20).0;
            r.ids(&to).to_vec()
        };
        assert_eq!(matching(&mut r), vec![a, b, c, d, e]);
        // A hashchange at t=10: e was made by the new tab's own listener, it stays.
        assert_eq!(r.drop_tab_scoped(10), vec![a, d]);
        assert_eq!(matching(&mut r), vec![b, c, e]);
        assert_eq!(r.close_tab("new-tab"), vec![e]);
        assert_eq!(r.close_tab("guests"), vec![c]);
        assert_eq!(r.resync_targets(), vec![b]);
        assert!(r.remove(b));
        assert!(!r.remove(b));
        assert!(r.is_empty());
    }

    /// A pushed message of `code`.
    fn msg(code: &str) -> Message {
        Message {
            notice: crate::notice::Notice::code(code),
            source: crate::notice::Source::Push,
        }
    }

    /// Codes are remembered with their ids only until the subscriptions change, and never
    /// when a coalescing subscription matches (its window must see every message).
    #[test]
    fn remembered_codes_follow_the_subscriptions() {
        let mut r = Registry::default();
        // The ids a message is delivered to, and whether a window folded it.
        let admit = |r: &mut Registry, code: &str, at: u64| {
            let (to, folded) = r.admit(&msg(code), at);
            (r.ids(&to).to_vec(), folded)
        };
        let a = r.add("A*", SubOptions::default(), 0);
        for code in ["A1", "A2", "A3", "A4", "A5", "A1"] {
            assert_eq!(admit(&mut r, code, 1), (vec![a], false));
        }
        let b = r.add("A1", SubOptions::default(), 1);
        assert_eq!(admit(&mut r, "A1", 2).0, vec![a, b]);
        assert!(r.remove(a));
        assert_eq!(admit(&mut r, "A1", 2).0, vec![b]);
        assert_eq!(admit(&mut r, "A2", 2).0, Vec::<SubId>::new());
        let c = r.add("A2", SubOptions::default(), 2);
        assert_eq!(admit(&mut r, "A2", 2).0, vec![c]);
        assert_eq!(r.close_tab("none"), vec![]);
        assert_eq!(r.drop_tab_scoped(10), vec![]);
        let coalescing = SubOptions {
            coalesce_ms: 100,
            ..SubOptions::default()
        };
        let d = r.add("A2", coalescing, 3);
        assert_eq!(r.admit(&msg("A2"), 3), (To::Ids(vec![c, d]), false));
        assert_eq!(
            r.admit(&msg("A2"), 4),
            (To::Ids(vec![c]), true),
            "folded: not remembered"
        );
        assert_eq!(r.next_due(), Some(103));
        assert_eq!(r.clear(), vec![b, c, d]);
        assert_eq!(admit(&mut r, "A1", 5).0, Vec::<SubId>::new());
    }

    /// A remembered code is named by its entry and stamp: the same answer while nothing
    /// changes, a new stamp whenever the entry is written again, and a stale name lists
    /// nobody.
    #[test]
    fn remembered_entries_are_named_by_slot_and_stamp() {
        let mut r = Registry::default();
        let a = r.add("*", SubOptions::default(), 0);
        let first = r.admit(&msg("A"), 1).0;
        let To::Known { slot, stamp } = first else {
            panic!("exact subscriptions only: remembered, {first:?}");
        };
        assert_eq!(slot, 0);
        assert_eq!(
            r.admit(&msg("A"), 2).0,
            first,
            "the same entry, the same stamp"
        );
        assert_eq!(r.ids(&first), [a]);
        let second = r.admit(&msg("B"), 3).0;
        assert!(matches!(second, To::Known { slot: 1, stamp: s } if s != stamp));
        // Full: the newest entry is the one written again, with a new stamp.
        for code in ["C", "D"] {
            r.admit(&msg(code), 4);
        }
        let d = r.admit(&msg("D"), 5).0;
        let e = r.admit(&msg("E"), 5).0;
        assert!(
            matches!((&d, &e), (To::Known { slot: 3, stamp: x }, To::Known { slot: 3, stamp: y }) if x != y)
        );
        assert_eq!(
            r.ids(&d),
            [] as [SubId; 0],
            "D's name is stale: E took its entry"
        );
        assert_eq!(r.admit(&msg("A"), 6).0, first, "A kept its entry");
        // A change of the subscriptions forgets every entry: written again, newly stamped.
        let b = r.add("A", SubOptions::default(), 7);
        assert_eq!(r.ids(&first), [] as [SubId; 0]);
        let again = r.admit(&msg("A"), 8).0;
        assert!(matches!(again, To::Known { slot: 0, stamp: s } if s != stamp));
        assert_eq!(r.ids(&again), [a, b]);
    }
}
