//! One connection per origin, in the simulated world of `tests/sim` with several shared tabs:
//! its Web Lock with its queue, its BroadcastChannel (posts reach every other open tab), and
//! its fake WoK server answering at once (`/notifications` from a store).
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use sim::Sim;
use std::collections::VecDeque;
use wok_push_core::{Input, Output, Role, Source, State, SubOptions};

#[test]
fn three_tabs_one_socket_every_subscriber_served_once() {
    let mut b = Sim::tabs(3);
    assert_eq!(b.sockets(), 1);
    assert_eq!(b.tabs.iter().map(|t| t.sockets).sum::<usize>(), 1);
    assert_eq!(
        b.tabs.iter().map(|t| t.m.role()).collect::<Vec<_>>(),
        vec![Role::Leader, Role::Follower, Role::Follower]
    );
    for t in &b.tabs {
        assert_eq!(t.m.state(), State::Open, "followers mirror the leader");
    }
    b.serve("POST:/kimchi/vms//EOM//POST:/wok/logs//EOM//");
    for t in &b.tabs {
        assert_eq!(
            t.got,
            vec![
                ("POST:/kimchi/vms".into(), "push"),
                ("POST:/wok/logs".into(), "push")
            ]
        );
    }
}

#[test]
fn only_the_leader_fetches_even_on_feed_triggers() {
    let mut b = Sim::tabs(3);
    b.store.push(("KCHCONN0002E".into(), "t1".into()));
    b.serve("POST:/wok/notifications//EOM//");
    let fetches: Vec<usize> = b.tabs.iter().map(|t| t.fetches).collect();
    assert_eq!(
        fetches,
        vec![2, 0, 0],
        "the catch-up and the trigger, both in the leader"
    );
    for t in &b.tabs {
        let k: Vec<_> = t.got.iter().filter(|(c, _)| c == "KCHCONN0002E").collect();
        assert_eq!(k.len(), 1, "{:?}", t.got);
    }
}

#[test]
fn the_leader_goes_the_next_tab_takes_over_catches_up_once_and_everyone_resyncs() {
    let mut b = Sim::tabs(3);
    b.store.push(("OLD".into(), "t0".into()));
    b.serve("POST:/wok/notifications//EOM//");
    for t in b.tabs.iter_mut() {
        t.got.clear();
    }
    // The leader page closes; a notification is raised while nobody holds the socket.
    b.close_page(0);
    b.store.push(("KCHCONN0002E".into(), "t1".into()));
    // The lock went to tab 1 at once; its socket is open and it caught up.
    assert_eq!(b.leader(), 1);
    assert_eq!(b.sockets(), 1);
    assert_eq!(b.tabs[1].m.role(), Role::Leader);
    assert_eq!(b.tabs[1].fetches, 1);
    // (The raise happened after the catch-up here; the server's push triggers a fetch.)
    b.serve("POST:/wok/notifications//EOM//");
    for t in &b.tabs[1..] {
        let k: Vec<_> = t
            .got
            .iter()
            .filter(|(c, _)| c == "KCHCONN0002E" || c == "OLD")
            .collect();
        assert_eq!(
            k,
            vec![&("KCHCONN0002E".to_string(), "poll")],
            "once, and OLD not again"
        );
        assert_eq!(t.resyncs, 1, "the hand-over is a gap");
    }
    // A push after the hand-over: once per remaining tab.
    b.serve("METHOD:/kimchi/vms//EOM//");
    for t in &b.tabs[1..] {
        assert_eq!(
            t.got
                .iter()
                .filter(|(c, _)| c == "METHOD:/kimchi/vms")
                .count(),
            1
        );
    }
}

#[test]
fn a_notification_raised_during_the_hand_over_reaches_every_tab_once() {
    let mut b = Sim::tabs(3);
    b.store.push(("KCHCONN0002E".into(), "t1".into()));
    b.close_page(0); // the leader crashes: no close(), the browser drops the lock
    for t in &b.tabs[1..] {
        assert_eq!(t.got, vec![("KCHCONN0002E".into(), "poll")]);
        assert_eq!(t.resyncs, 1);
    }
    assert_eq!(b.sockets(), 1);
}

#[test]
fn close_in_a_follower_detaches_only_that_page_and_in_the_leader_hands_over() {
    let mut b = Sim::tabs(3);
    b.act(2, Input::Close);
    assert_eq!(
        b.queue,
        VecDeque::from(vec![1]),
        "the follower left the queue"
    );
    assert_eq!(b.tabs[2].m.state(), State::Closed);
    assert_eq!(b.tabs[0].m.role(), Role::Leader);
    b.act(0, Input::Close);
    assert_eq!(b.leader(), 1);
    assert_eq!(b.sockets(), 1);
    b.serve("X//EOM//");
    assert_eq!(b.tabs[1].got.last().map(|g| g.0.as_str()), Some("X"));
    assert!(b.tabs[2].got.is_empty() && !b.tabs[0].got.iter().any(|g| g.0 == "X"));
    // A state event told tab 1 it leads now.
    assert_eq!(b.tabs[1].m.state(), State::Open);
}

#[test]
fn pagehide_resigns_and_pageshow_rejoins_as_a_follower() {
    let mut b = Sim::tabs(2);
    b.act(0, Input::PageHide);
    assert_eq!(b.leader(), 1);
    assert_eq!(b.sockets(), 1);
    b.act(0, Input::PageShow);
    assert_eq!(b.tabs[0].m.role(), Role::Follower);
    assert_eq!(b.tabs[0].m.state(), State::Open, "the hello was answered");
    b.serve("Y//EOM//");
    assert!(b.tabs[0].got.iter().any(|g| g.0 == "Y"));
    assert_eq!(
        b.tabs.iter().map(|t| t.sockets).sum::<usize>(),
        2,
        "one socket each for tab 0 then tab 1, never both"
    );
}

#[test]
fn a_follower_arms_no_timer_and_sends_nothing() {
    let b = Sim::tabs(2);
    assert_eq!(b.tabs[1].m.poll_timeout(), None);
    assert_eq!(b.tabs[1].fetches + b.tabs[1].sockets, 0);
    assert!(
        b.tabs[0].m.poll_timeout().is_some(),
        "the leader's heartbeat"
    );
    let _ = Source::Push;
}

#[test]
fn a_new_tab_gets_the_active_notifications_once_without_its_own_get() {
    let mut b = Sim::tabs(1);
    b.store.push(("KCHCONN0002E".into(), "t1".into()));
    b.serve("POST:/wok/notifications//EOM//");
    let fetches = b.tabs[0].fetches;
    let t = b.add_tab(9);
    assert_eq!(b.tabs[t].m.role(), Role::Follower);
    assert!(
        b.tabs[t].got.iter().any(|(c, _)| c == "KCHCONN0002E"),
        "the new tab gets the notifications the leader had: {:?}",
        b.tabs[t].got
    );
    assert_eq!(b.tabs[t].got, vec![("KCHCONN0002E".into(), "poll")]);
    assert_eq!(b.tabs[t].fetches, 0);
    assert_eq!(b.tabs[0].fetches, fetches, "no GET for the newcomer");
    assert_eq!(
        b.tabs[0]
            .got
            .iter()
            .filter(|g| g.0 == "KCHCONN0002E")
            .count(),
        1,
        "the leader does not repeat it"
    );
    // A lone leader publishes nothing until a tab follows it.
    let mut lone = Sim::tabs(1);
    lone.serve("Z//EOM//");
    assert_eq!(lone.tabs[0].got.len(), 1);
    assert_eq!(
        lone.tabs[0].published, 0,
        "a lone leader pays nothing for sharing"
    );
    assert!(b.tabs[0].published > 0);
}

#[test]
fn a_follower_coalesces_its_own_subscriptions_on_its_own_deadline() {
    let mut b = Sim::tabs(2);
    let follower = 1;
    assert_eq!(b.tabs[follower].m.role(), Role::Follower);
    let options = SubOptions {
        coalesce_ms: 200,
        ..SubOptions::default()
    };
    let sub = b.tabs[follower].m.subscribe(b.now, "METHOD:*", options);
    b.serve("METHOD:/kimchi/vms//EOM//METHOD:/kimchi/vms//EOM//METHOD:/kimchi/networks//EOM//");
    // The leader published three messages; the follower's exact subscriber got all three and
    // its coalescing one the first, with the window's end as the follower's only deadline.
    assert_eq!(b.tabs[follower].got.len(), 3);
    assert_eq!(b.tabs[follower].m.poll_timeout(), Some(b.now + 200));
    b.now += 200;
    let mut trailing = Vec::new();
    b.tabs[follower].m.handle(b.now, Input::Timer);
    while let Some(o) = b.tabs[follower].m.poll_output() {
        if let Output::Deliver(m, to, n) = o {
            let ids = b.tabs[follower].m.registry().ids(&to).to_vec();
            trailing.push((m.notice.code, ids, n));
        }
    }
    assert_eq!(
        trailing,
        vec![("METHOD:/kimchi/networks".to_string(), vec![sub], 2)]
    );
    assert_eq!(
        b.tabs[follower].m.poll_timeout(),
        None,
        "a follower arms nothing else"
    );
    assert_eq!(
        b.tabs[0].m.poll_timeout().map(|t| t > b.now + 1_000),
        Some(true)
    );
}

#[test]
fn a_logout_in_any_tab_closes_the_origins_connection_and_a_tab_that_connects_after_a_login_reopens_it(
) {
    use sim::Feed;
    let mut b = Sim::tabs(2);
    assert_eq!((b.leader(), b.sockets()), (0, 1));
    // A notification the leader has seen before the logout.
    b.store.push(("KCHCONN0002E".into(), "t1".into()));
    b.serve("POST:/wok/notifications//EOM//");
    for t in b.tabs.iter_mut() {
        t.got.clear();
    }
    // Tab 1 logs out: WoK pushes the logout to the leader's socket, whose check answers 401.
    b.feed = Feed::Status(401, "{\"reason\":\"sessionTimeout\"}".into());
    b.serve("POST:/wok/logout//EOM//POST:/wok/logs//EOM//");
    assert_eq!(b.sockets(), 0, "the leader's socket is closed");
    for t in &b.tabs {
        assert_eq!(t.m.state(), State::Closed, "followers mirror it");
        let got: Vec<&str> = t.got.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(
            got,
            ["POST:/wok/logout", "POST:/wok/logs"],
            "both messages delivered"
        );
    }
    assert_eq!(b.tabs[0].m.role(), Role::Leader, "the lock is kept");
    // The tab that logged out leaves for the login page; nothing is tried meanwhile.
    b.close_page(1);
    let fetches = b.tabs[0].fetches;
    b.drive(600_000);
    assert_eq!((b.tabs[0].sockets, b.tabs[0].fetches), (1, fetches));
    // A tab that connects before a login (the session still ended) changes nothing.
    let early = b.add_tab(7);
    b.drive(1_000);
    assert_eq!(b.sockets(), 0);
    assert_eq!(b.tabs[early].m.state(), State::Closed);
    assert_eq!(b.tabs[0].fetches, fetches + 1, "one check for its hello");
    b.close_page(early);
    // After a login, the new page's tab connects: the leader checks, reopens for everyone.
    b.feed = Feed::Ok;
    let t = b.add_tab(9);
    b.drive(1_000);
    assert_eq!(b.sockets(), 1);
    assert_eq!(b.tabs[0].sockets, 2, "the leader reopened");
    for i in [0, t] {
        assert_eq!(b.tabs[i].m.state(), State::Open);
    }
    assert_eq!(b.tabs[t].m.role(), Role::Follower);
    assert!(
        b.tabs[t].got.iter().any(|(c, _)| c == "KCHCONN0002E"),
        "the new tab gets the notifications the leader had: {:?}",
        b.tabs[t].got
    );
    b.serve("POST:/kimchi/vms//EOM//");
    for i in [0, t] {
        assert!(
            b.tabs[i].got.iter().any(|(c, _)| c == "POST:/kimchi/vms"),
            "tab {i}"
        );
    }
    assert_eq!(
        b.tabs[0].resyncs, 1,
        "the socket lost at the logout was a gap"
    );
}
