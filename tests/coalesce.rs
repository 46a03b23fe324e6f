//! Coalescing subscriptions (`coalesceMs`) under a simulated clock: one leading call after a
//! quiet window, one trailing call per window with the latest message and `coalesced: n`,
//! never a trailing call after the subscription is gone, resync kept apart, and frame
//! boundaries invisible, driven by the test shell of `tests/shell/`.
#![cfg(not(target_arch = "wasm32"))]

mod shell;

use proptest::prelude::*;
use shell::{Action, Script, Shell, Spec};
use wok_push_core::Input;

/// `letters[k]` at `times[k]`: codes `A0`, `B1`, … (letter, then ordinal).
fn message(letter: char, k: usize) -> Vec<u8> {
    format!("{letter}{k}//EOM//").into_bytes()
}

/// Runs messages (letter, arrival time) with `framing`: `true` puts all messages of one
/// time into one frame, `false` one message per frame. Drives 10 s past the last one.
fn run(specs: &[Spec], msgs: &[(char, u64)], one_frame_per_time: bool, script: &Script) -> Shell {
    let mut s = Shell::new(specs, script.clone());
    let start = s.now();
    let mut k = 0;
    while k < msgs.len() {
        let t = msgs[k].1;
        let mut bytes = Vec::new();
        while k < msgs.len() && msgs[k].1 == t {
            if one_frame_per_time {
                bytes.extend(message(msgs[k].0, k));
            } else {
                s.frame(start + t, &message(msgs[k].0, k));
            }
            k += 1;
        }
        if one_frame_per_time {
            s.frame(start + t, &bytes);
        }
    }
    let last = msgs.last().map_or(0, |m| m.1);
    s.advance(start + last + 10_000);
    s
}

fn burst(n: usize, every: u64) -> Vec<(char, u64)> {
    (0..n).map(|k| ('A', k as u64 * every)).collect()
}

const T0: u64 = 1_000;

#[test]
fn a_burst_gives_one_leading_and_one_trailing_call_with_the_latest_message() {
    // Five messages in one instant, then nothing: the first at once, the other four folded
    // into one call at the window's end. An exact subscriber gets all five.
    let specs = [("A*", None, 250), ("A*", None, 0)];
    for framing in [true, false] {
        let s = run(&specs, &burst(5, 0), framing, &Script::new());
        assert_eq!(
            s.of(0),
            vec![(Some(0), 1, T0), (Some(4), 4, T0 + 250)],
            "one frame: {framing}"
        );
        let exact: Vec<_> = s.of(1).iter().map(|c| (c.0, c.1)).collect();
        assert_eq!(exact, (0..5).map(|k| (Some(k), 1)).collect::<Vec<_>>());
    }
}

#[test]
fn fifty_events_in_500_ms_make_three_calls_that_count_all_fifty() {
    let s = run(&[("A*", None, 250)], &burst(50, 10), false, &Script::new());
    // [0, 250) folds 10..240, [250, 500) folds 250..490, [500, 750) folds none and lapses.
    assert_eq!(
        s.of(0),
        vec![
            (Some(0), 1, T0),
            (Some(24), 24, T0 + 250),
            (Some(49), 25, T0 + 500)
        ]
    );
    assert_eq!(s.of(0).iter().map(|c| c.1).sum::<u32>(), 50);
}

#[test]
fn a_message_after_a_quiet_window_is_called_at_once() {
    let msgs = [('A', 0), ('A', 100), ('A', 600), ('A', 1_200)];
    let s = run(&[("A*", None, 250)], &msgs, false, &Script::new());
    assert_eq!(
        s.of(0),
        vec![
            (Some(0), 1, T0),
            (Some(1), 1, T0 + 250),
            // [250, 500) folded nothing: quiet again at 600.
            (Some(2), 1, T0 + 600),
            (Some(3), 1, T0 + 1_200),
        ]
    );
}

#[test]
fn the_window_end_is_a_deadline_of_the_one_timer() {
    let mut s = Shell::new(&[("A*", None, 300)], Script::new());
    s.frame(T0, b"A0//EOM//A1//EOM//");
    assert_eq!(
        s.with(|m| m.poll_timeout()),
        Some(T0 + 300),
        "the trailing call, before any heartbeat"
    );
    s.advance(T0 + 299);
    assert_eq!(s.of(0).len(), 1);
    s.advance(T0 + 300);
    assert_eq!(s.of(0), vec![(Some(0), 1, T0), (Some(1), 1, T0 + 300)]);
    assert!(
        s.with(|m| m.poll_timeout())
            .is_some_and(|t| t > T0 + 300 + 1_000),
        "only the heartbeat left"
    );
}

#[test]
fn no_trailing_call_after_the_subscription_is_gone() {
    // Each removal path, made by the handler of the leading call (re-entrant) and between
    // frames: unsubscribe, closeTab, tab cleanup on hashchange, close.
    let specs = [("A*", Some("t"), 250), ("A*", None, 0)];
    for action in [
        Action::Unsubscribe(0),
        Action::CloseTab("t"),
        Action::HashChange,
        Action::Close,
    ] {
        let script = Script::from([((1, 1), vec![action.clone()])]);
        let s = run(&specs, &burst(4, 0), true, &script);
        assert_eq!(
            s.of(0),
            vec![(Some(0), 1, T0)],
            "{action:?}: no trailing call"
        );
        let s = run(&specs, &burst(4, 0), false, &script);
        assert_eq!(s.of(0), vec![(Some(0), 1, T0)], "{action:?}, one per frame");
    }
}

#[test]
fn removing_the_earliest_window_does_not_bring_the_next_one_forward() {
    // A's window ends at +100, B's at +300; A goes before its end: B's trailing call still
    // comes at B's own end.
    let specs = [("A*", None, 100), ("A*", None, 300)];
    let mut s = Shell::new(&specs, Script::new());
    s.frame(T0, b"A0//EOM//A1//EOM//");
    let a = s.subs()[0];
    s.unsubscribe(a);
    s.advance(T0 + 5_000);
    assert_eq!(s.of(1), vec![(Some(0), 1, T0), (Some(1), 1, T0 + 300)]);
    assert_eq!(s.of(0), vec![(Some(0), 1, T0)]);
}

#[test]
fn close_and_reopen_forget_the_windows() {
    let mut s = Shell::new(&[("A*", None, 250)], Script::new());
    s.frame(T0, b"A0//EOM//A1//EOM//");
    s.input(Input::Close);
    s.connect();
    s.advance(T0 + 100);
    s.frame(T0 + 100, b"A2//EOM//");
    s.advance(T0 + 5_000);
    assert_eq!(s.of(0), vec![(Some(0), 1, T0), (Some(2), 1, T0 + 100)]);
}

#[test]
fn a_resync_is_its_own_call_and_does_not_fold() {
    let mut s = Shell::new(&[("A*", None, 250)], Script::new());
    s.frame(T0, b"A0//EOM//A1//EOM//");
    // The socket drops inside the window: a gap. Reconnect and catch up.
    s.advance(T0 + 50);
    s.input(Input::SocketClosed(s.gen));
    let lost = s.asked();
    while s.asked() == lost {
        let next = s.with(|m| m.poll_timeout()).expect("a retry");
        s.advance(next);
    }
    s.open();
    s.advance(T0 + 5_000);
    let calls = s.of(0);
    assert_eq!(calls[0], (Some(0), 1, T0));
    assert!(calls.contains(&(
        None,
        0,
        s.calls()
            .iter()
            .find(|c| c.msg.is_none())
            .expect("resync")
            .at
    )));
    assert!(
        calls.contains(&(Some(1), 1, T0 + 250)),
        "the trailing call still comes: {calls:?}"
    );
    assert_eq!(calls.len(), 3);
}

#[test]
fn windows_are_per_subscription_and_globs_carry_the_latest_code() {
    let specs = [("*", None, 100), ("B*", None, 100)];
    let msgs = [('A', 0), ('B', 10), ('A', 20)];
    let s = run(&specs, &msgs, false, &Script::new());
    assert_eq!(s.of(0), vec![(Some(0), 1, T0), (Some(2), 2, T0 + 100)]);
    assert_eq!(s.of(1), vec![(Some(1), 1, T0 + 10)]);
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::select(vec!["A*", "B*", "*"]),
        prop::sample::select(vec![None, Some("t")]),
        prop::sample::select(vec![0u64, 1, 50, 250]),
    )
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0usize..4).prop_map(Action::Unsubscribe),
        Just(Action::CloseTab("t")),
        Just(Action::HashChange),
        Just(Action::Close),
    ]
}

/// Messages with non-decreasing arrival times (several may share one).
fn messages() -> impl Strategy<Value = Vec<(char, u64)>> {
    prop::collection::vec((prop::sample::select(vec!['A', 'B']), 0u64..120), 1..30).prop_map(|v| {
        let mut t = 0;
        v.into_iter()
            .map(|(c, dt)| {
                // Often the same instant (a frame's worth), sometimes a gap.
                t += if dt < 60 { 0 } else { dt * 3 };
                (c, t)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// For any arrival times and any split into frames, each subscription's calls are the
    /// same, and no message is lost from the count: the `coalesced` of a subscription that
    /// stays live sum to the messages it matched.
    #[test]
    fn frames_do_not_matter_and_every_message_is_counted(
        specs in prop::collection::vec(spec(), 1..4),
        msgs in messages(),
    ) {
        let one = run(&specs, &msgs, true, &Script::new());
        let each = run(&specs, &msgs, false, &Script::new());
        prop_assert_eq!(&one.calls(), &each.calls());
        for (i, &(p, _, ms)) in specs.iter().enumerate() {
            let matched = msgs.iter().filter(|m| p == "*" || p.starts_with(m.0)).count();
            let calls = one.of(i);
            prop_assert_eq!(calls.iter().map(|c| c.1 as usize).sum::<usize>(), matched);
            if ms == 0 {
                prop_assert!(calls.iter().all(|c| c.1 == 1));
            }
            // Calls of one subscription are at least a window apart, but for a leading call
            // after a lapse (then more than a window after the previous trailing call).
            for w in calls.windows(2) {
                prop_assert!(w[1].2 >= w[0].2 + ms || ms == 0, "{:?}", calls);
            }
        }
    }

    /// With handlers that unsubscribe, close tabs, change the hash or close the manager, the
    /// calls still do not depend on the framing, nothing is called after its subscription
    /// went, and no subscription is called for more messages than it matched.
    #[test]
    fn removals_from_handlers_stop_trailing_calls(
        specs in prop::collection::vec(spec(), 1..4),
        msgs in messages(),
        script in prop::collection::btree_map((0usize..4, 0usize..30),
            prop::collection::vec(action(), 1..2), 0..4),
    ) {
        let one = run(&specs, &msgs, true, &script);
        let each = run(&specs, &msgs, false, &script);
        prop_assert_eq!(&one.calls(), &each.calls());
        for (i, &(p, ..)) in specs.iter().enumerate() {
            let matched = msgs.iter().filter(|m| p == "*" || p.starts_with(m.0)).count();
            let counted: usize = one.of(i).iter().filter(|c| c.0.is_some()).map(|c| c.1 as usize).sum();
            prop_assert!(counted <= matched);
            if !one.with(|m| m.registry().contains(one.subs()[i])) {
                // Gone: its last call is not after the moment it went (the last call of any
                // handler that could have removed it).
                let last_own = one.of(i).last().map(|c| c.2);
                let removed_by = one.calls().iter().rev().find(|c| c.msg.is_some_and(|k| script.contains_key(&(c.sub, k)))).map(|c| c.at);
                if let (Some(l), Some(r)) = (last_own, removed_by) {
                    prop_assert!(l <= r, "called at {} after a removal at {}", l, r);
                }
            }
        }
    }
}
