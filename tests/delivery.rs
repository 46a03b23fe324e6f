//! Delivery is per message, never per frame: the DOM `EventTarget` rule under any framing
//! and any re-entrant handler script. A small shell drives the core the way `src/web` does:
//! it takes one output at a time, calls the handlers of a delivery in order, looks each
//! one up at call time, and lets handlers call back into the manager (which only mutates).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::collections::BTreeMap;
use wok_push::core::{Config, Frame, Input, Manager, Output, SubId, SubOptions};

/// What a handler does when it is called.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Action {
    /// Subscribe a new handler (pattern, tab).
    Subscribe(&'static str, Option<&'static str>),
    /// Unsubscribe the n-th subscription made so far (modulo their number).
    Unsubscribe(usize),
    CloseTab(&'static str),
    Close,
    /// Close, then connect again at once (the rest of this message is still not delivered).
    Reconnect,
}

/// The handler script: (subscription ordinal, message ordinal) -> actions.
type Script = BTreeMap<(usize, usize), Vec<Action>>;

struct Shell {
    m: Manager,
    now: u64,
    gen: u32,
    /// Ids in subscription order (ordinal = index).
    subs: Vec<SubId>,
    /// (subscription ordinal, message ordinal) per handler call.
    calls: Vec<(usize, usize)>,
    /// Bumped by each close: a delivery stops when it changes (the shell's gate).
    epoch: u32,
}

impl Shell {
    fn new(initial: &[(&'static str, Option<&'static str>)]) -> Shell {
        let mut s = Shell {
            m: Manager::new(Config::default(), 7).expect("config"),
            now: 1000,
            gen: 0,
            subs: Vec::new(),
            calls: Vec::new(),
            epoch: 0,
        };
        for &(p, tab) in initial {
            s.subscribe(p, tab);
        }
        s.connect();
        s
    }

    fn subscribe(&mut self, p: &str, tab: Option<&str>) {
        let id = self.m.subscribe(
            self.now,
            p,
            SubOptions {
                tab: tab.map(String::from),
                ..SubOptions::default()
            },
        );
        self.subs.push(id);
    }

    fn connect(&mut self) {
        self.m.handle(self.now, Input::Connect);
        self.drain(&Script::new());
        if let Some(g) = self.pending_open() {
            self.gen = g;
            self.m
                .handle(self.now, Input::SocketOpened(g, "binary".into()));
            self.drain(&Script::new());
        }
    }

    fn pending_open(&self) -> Option<u32> {
        (self.gen < 100).then_some(self.gen + 1)
    }

    fn frame(&mut self, bytes: &[u8], script: &Script) {
        self.m.handle(
            self.now,
            Input::SocketFrame(self.gen, Frame::Binary(bytes.to_vec())),
        );
        self.drain(script);
    }

    /// The outermost drain: one output at a time.
    fn drain(&mut self, script: &Script) {
        while let Some(o) = self.m.poll_output() {
            if let Output::Deliver(msg, ids, _) = o {
                let k: usize = msg.notice.code[1..].parse().expect("ordinal");
                let epoch = self.epoch;
                for id in ids {
                    if self.epoch != epoch {
                        break;
                    }
                    if !self.m.registry().contains(id) {
                        continue;
                    }
                    let ord = self.subs.iter().position(|&s| s == id).expect("known");
                    self.calls.push((ord, k));
                    for a in script.get(&(ord, k)).cloned().unwrap_or_default() {
                        self.act(&a);
                    }
                }
            }
        }
    }

    fn act(&mut self, a: &Action) {
        match a {
            Action::Subscribe(p, tab) => self.subscribe(p, *tab),
            Action::Unsubscribe(n) => {
                let id = self.subs[n % self.subs.len()];
                self.m.unsubscribe(id);
            }
            Action::CloseTab(t) => {
                self.m.close_tab(t);
            }
            Action::Close | Action::Reconnect => {
                self.m.handle(self.now, Input::Close);
                self.epoch += 1;
                if *a == Action::Reconnect {
                    // Re-entrant: only mutates; the next socket opens after this drain.
                    self.m.handle(self.now, Input::Connect);
                }
            }
        }
    }
}

fn stream(codes: &[String]) -> Vec<u8> {
    codes
        .iter()
        .flat_map(|c| format!("{c}//EOM//").into_bytes())
        .collect()
}

/// Runs the stream cut at `cuts` (byte offsets) and returns the handler calls.
fn run(
    initial: &[(&'static str, Option<&'static str>)],
    codes: &[String],
    cuts: &[usize],
    script: &Script,
) -> Vec<(usize, usize)> {
    let mut s = Shell::new(initial);
    let bytes = stream(codes);
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.dedup();
    for w in points.windows(2) {
        s.frame(&bytes[w[0]..w[1]], script);
    }
    s.calls
}

fn codes(letters: &str) -> Vec<String> {
    letters
        .chars()
        .enumerate()
        .map(|(k, c)| format!("{c}{k}"))
        .collect()
}

fn per_message_cuts(codes: &[String]) -> Vec<usize> {
    let mut at = 0;
    codes
        .iter()
        .map(|c| {
            at += c.len() + 7;
            at
        })
        .collect()
}

const ONE_FRAME: &[usize] = &[];

#[test]
fn a_subscription_added_during_a_message_starts_with_the_next_one_in_the_same_frame() {
    let initial = [("A*", None)];
    let c = codes("AAA");
    let script = Script::from([((0, 0), vec![Action::Subscribe("A*", None)])]);
    let want = vec![(0, 0), (0, 1), (1, 1), (0, 2), (1, 2)];
    assert_eq!(run(&initial, &c, ONE_FRAME, &script), want);
    assert_eq!(run(&initial, &c, &per_message_cuts(&c), &script), want);
}

#[test]
fn one_removed_before_its_turn_is_not_called() {
    let initial = [("A*", None), ("A*", Some("t")), ("*", None)];
    let c = codes("AA");
    let script = Script::from([((0, 0), vec![Action::Unsubscribe(2), Action::CloseTab("t")])]);
    assert_eq!(run(&initial, &c, ONE_FRAME, &script), vec![(0, 0), (0, 1)]);
}

#[test]
fn close_from_a_handler_stops_the_message_and_the_frame() {
    let initial = [("A*", None), ("A*", None)];
    let c = codes("AAA");
    let script = Script::from([((0, 0), vec![Action::Close])]);
    assert_eq!(run(&initial, &c, ONE_FRAME, &script), vec![(0, 0)]);
    assert_eq!(
        run(&initial, &c, &per_message_cuts(&c), &script),
        vec![(0, 0)]
    );
}

#[test]
fn close_then_reconnect_from_a_handler_drops_the_rest_of_the_frame() {
    let initial = [("A*", None), ("A*", None)];
    let c = codes("AAA");
    let script = Script::from([((0, 0), vec![Action::Reconnect])]);
    let mut s = Shell::new(&initial);
    s.frame(&stream(&c), &script);
    assert_eq!(s.calls, vec![(0, 0)]);
    assert_eq!(s.m.queued_messages(), 0);
    assert_eq!(s.m.state(), wok_push::core::State::Connecting);
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => (prop::sample::select(vec!["A*", "B*", "*", "A1", "B2"]),
              prop::sample::select(vec![None, Some("t"), Some("u")]))
            .prop_map(|(p, t)| Action::Subscribe(p, t)),
        3 => (0usize..8).prop_map(Action::Unsubscribe),
        2 => prop::sample::select(vec!["t", "u"]).prop_map(Action::CloseTab),
        1 => Just(Action::Close),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    /// For any split of a message stream into frames and any script of handler actions
    /// (subscribe, unsubscribe, closeTab, close at message k), the handler calls are the
    /// same as with one message per frame.
    #[test]
    fn frame_boundaries_are_invisible(
        letters in "[AB]{1,10}",
        initial in prop::collection::vec(
            (prop::sample::select(vec!["A*", "B*", "*", "A0", "B3"]),
             prop::sample::select(vec![None, Some("t"), Some("u")])), 1..5),
        script in prop::collection::btree_map((0usize..6, 0usize..10),
            prop::collection::vec(action(), 1..3), 0..6),
        cuts in prop::collection::vec(0usize..400, 0..12),
    ) {
        let c = codes(&letters);
        let want = run(&initial, &c, &per_message_cuts(&c), &script);
        prop_assert_eq!(&run(&initial, &c, ONE_FRAME, &script), &want);
        prop_assert_eq!(&run(&initial, &c, &cuts, &script), &want);
        // Every byte cut of the stream into two frames, too.
        let len = stream(&c).len();
        for cut in (0..=len).step_by(3) {
            prop_assert_eq!(&run(&initial, &c, &[cut], &script), &want);
        }
    }
}
