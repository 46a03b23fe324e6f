//! Delivery is per message, never per frame: the DOM `EventTarget` rule under any framing
//! and any re-entrant handler script, driven by the test shell of `tests/shell/` (the shipped
//! driver, `src/driver.rs`, which `src/web` runs in the browser).
#![cfg(not(target_arch = "wasm32"))]

mod shell;

use proptest::prelude::*;
use shell::{Action, Script, Shell, Spec};

/// Initial subscriptions: (pattern, tab), exact calls.
type Initial = (&'static str, Option<&'static str>);

/// The shell with these subscriptions, connected.
fn shell(initial: &[Initial], script: &Script) -> Shell {
    let specs: Vec<Spec> = initial.iter().map(|&(p, tab)| (p, tab, 0)).collect();
    Shell::new(&specs, script.clone())
}

/// The message calls as (subscription ordinal, message ordinal).
fn calls(s: &Shell) -> Vec<(usize, usize)> {
    s.calls()
        .iter()
        .filter_map(|c| c.msg.map(|k| (c.sub, k)))
        .collect()
}

fn stream(codes: &[String]) -> Vec<u8> {
    codes
        .iter()
        .flat_map(|c| format!("{c}//EOM//").into_bytes())
        .collect()
}

/// Runs the stream cut at `cuts` (byte offsets) and returns the handler calls.
fn run(
    initial: &[Initial],
    codes: &[String],
    cuts: &[usize],
    script: &Script,
) -> Vec<(usize, usize)> {
    let mut s = shell(initial, script);
    let bytes = stream(codes);
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.dedup();
    for w in points.windows(2) {
        s.frame(s.now(), &bytes[w[0]..w[1]]);
    }
    calls(&s)
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
    let mut s = shell(&initial, &script);
    s.frame(s.now(), &stream(&c));
    assert_eq!(calls(&s), vec![(0, 0)]);
    assert_eq!(s.with(|m| m.queued_messages()), 0);
    assert_eq!(s.with(|m| m.state()), wok_push_core::State::Connecting);
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
