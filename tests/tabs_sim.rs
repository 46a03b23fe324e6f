//! One connection per origin, under a simulated browser: several shared managers (tabs), a
//! Web Lock with its queue, a BroadcastChannel (posts reach every other open tab), and a
//! fake WoK server (sockets open at once; `/notifications` answers from a store).
#![cfg(not(target_arch = "wasm32"))]

mod sim;

use std::collections::VecDeque;
use wok_push::core::{
    Broadcast, Config, FetchResult, Frame, Input, Manager, Output, Role, Source, State, SubId,
    SubOptions,
};

struct Tab {
    m: Manager,
    sub: SubId,
    open: bool,
    /// (code, source) delivered to this tab's subscriber.
    got: Vec<(String, &'static str)>,
    resyncs: usize,
    sockets: usize,
    fetches: usize,
    socket: Option<u32>,
    published: usize,
}

struct Browser {
    tabs: Vec<Tab>,
    holder: Option<usize>,
    queue: VecDeque<usize>,
    now: u64,
    /// The notification store: (code, timestamp).
    store: Vec<(String, String)>,
    /// Work to do: (tab, input).
    work: VecDeque<(usize, Input)>,
}

impl Browser {
    fn new(n: usize) -> Browser {
        let mut b = Browser {
            tabs: Vec::new(),
            holder: None,
            queue: VecDeque::new(),
            now: 1000,
            store: Vec::new(),
            work: VecDeque::new(),
        };
        for i in 0..n {
            b.add_tab(i as u64);
        }
        b
    }

    fn add_tab(&mut self, seed: u64) -> usize {
        let cfg = Config {
            shared: true,
            ..Config::default()
        };
        let mut m = Manager::new(cfg, seed).expect("config");
        let sub = sim::subscribe_all(&mut m, self.now);
        self.tabs.push(Tab {
            m,
            sub,
            open: true,
            got: Vec::new(),
            resyncs: 0,
            sockets: 0,
            fetches: 0,
            socket: None,
            published: 0,
        });
        let i = self.tabs.len() - 1;
        self.input(i, Input::Connect);
        i
    }

    fn input(&mut self, tab: usize, input: Input) {
        self.work.push_back((tab, input));
        while let Some((t, i)) = self.work.pop_front() {
            if !self.tabs[t].open {
                continue;
            }
            self.tabs[t].m.handle(self.now, i);
            self.outputs(t);
        }
    }

    fn body(&self) -> String {
        let items: Vec<String> = self
            .store
            .iter()
            .map(|(c, t)| {
                format!("{{\"code\":\"{c}\",\"message\":\"{c}: x\",\"timestamp\":\"{t}\"}}")
            })
            .collect();
        format!("[{}]", items.join(","))
    }

    fn outputs(&mut self, t: usize) {
        while let Some(o) = self.tabs[t].m.poll_output() {
            match o {
                Output::Elect => {
                    if self.holder.is_none() {
                        self.holder = Some(t);
                        self.work.push_back((t, Input::Lead));
                    } else {
                        self.queue.push_back(t);
                        self.work.push_back((t, Input::Follow));
                    }
                }
                Output::Resign => self.resign(t),
                Output::Publish(b) => {
                    self.tabs[t].published += 1;
                    for other in 0..self.tabs.len() {
                        if other == t || !self.tabs[other].open {
                            continue;
                        }
                        let input = match &b {
                            Broadcast::Message(m) => Input::Relayed(m.clone()),
                            Broadcast::State(c) => Input::LeaderState(*c),
                            Broadcast::Resync => Input::LeaderResync,
                            Broadcast::Hello if self.holder == Some(other) => Input::Hello,
                            Broadcast::Hello => continue,
                        };
                        self.work.push_back((other, input));
                    }
                }
                Output::OpenSocket(g) => {
                    self.tabs[t].sockets += 1;
                    self.tabs[t].socket = Some(g);
                    self.work
                        .push_back((t, Input::SocketOpened(g, "binary".into())));
                }
                Output::CloseSocket(_) => self.tabs[t].socket = None,
                Output::Fetch(g) => {
                    self.tabs[t].fetches += 1;
                    let body = self.body();
                    self.work
                        .push_back((t, Input::Fetched(g, FetchResult::Answer(200, body))));
                }
                Output::Deliver(m, ids, _) if ids.contains(&self.tabs[t].sub) => {
                    self.tabs[t]
                        .got
                        .push((m.notice.code.clone(), m.source.as_str()));
                }
                Output::Resync(_) => self.tabs[t].resyncs += 1,
                _ => {}
            }
        }
    }

    fn resign(&mut self, t: usize) {
        if self.holder == Some(t) {
            self.holder = self.queue.pop_front();
            if let Some(next) = self.holder {
                self.work.push_back((next, Input::Lead));
            }
        } else {
            self.queue.retain(|&q| q != t);
        }
    }

    /// The tab's page goes away (closed or crashed): the browser releases its lock.
    fn close_page(&mut self, t: usize) {
        self.tabs[t].open = false;
        self.resign(t);
        let work: Vec<_> = self.work.drain(..).collect();
        for (tab, i) in work {
            self.input(tab, i);
        }
    }

    fn leader(&self) -> usize {
        self.holder.expect("a leader")
    }

    /// The server pushes raw stream bytes to the leader's socket.
    fn push(&mut self, text: &str) {
        let l = self.leader();
        if let Some(g) = self.tabs[l].socket {
            self.input(
                l,
                Input::SocketFrame(g, Frame::Binary(text.as_bytes().to_vec())),
            );
        }
    }

    fn sockets(&self) -> usize {
        self.tabs
            .iter()
            .filter(|t| t.open && t.socket.is_some())
            .count()
    }
}

#[test]
fn three_tabs_one_socket_every_subscriber_served_once() {
    let mut b = Browser::new(3);
    assert_eq!(b.sockets(), 1);
    assert_eq!(b.tabs.iter().map(|t| t.sockets).sum::<usize>(), 1);
    assert_eq!(
        b.tabs.iter().map(|t| t.m.role()).collect::<Vec<_>>(),
        vec![Role::Leader, Role::Follower, Role::Follower]
    );
    for t in &b.tabs {
        assert_eq!(t.m.state(), State::Open, "followers mirror the leader");
    }
    b.push("POST:/kimchi/vms//EOM//POST:/wok/logs//EOM//");
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
    let mut b = Browser::new(3);
    b.store.push(("KCHCONN0002E".into(), "t1".into()));
    b.push("POST:/wok/notifications//EOM//");
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
    let mut b = Browser::new(3);
    b.store.push(("OLD".into(), "t0".into()));
    b.push("POST:/wok/notifications//EOM//");
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
    b.push("POST:/wok/notifications//EOM//");
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
    b.push("METHOD:/kimchi/vms//EOM//");
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
    let mut b = Browser::new(3);
    b.tabs[0].open = false; // the leader crashes: no close(), the browser drops the lock
    b.store.push(("KCHCONN0002E".into(), "t1".into()));
    b.resign(0);
    let work: Vec<_> = b.work.drain(..).collect();
    for (tab, i) in work {
        b.input(tab, i);
    }
    for t in &b.tabs[1..] {
        assert_eq!(t.got, vec![("KCHCONN0002E".into(), "poll")]);
        assert_eq!(t.resyncs, 1);
    }
    assert_eq!(b.sockets(), 1);
}

#[test]
fn close_in_a_follower_detaches_only_that_page_and_in_the_leader_hands_over() {
    let mut b = Browser::new(3);
    b.input(2, Input::Close);
    assert_eq!(
        b.queue,
        VecDeque::from(vec![1]),
        "the follower left the queue"
    );
    assert_eq!(b.tabs[2].m.state(), State::Closed);
    assert_eq!(b.tabs[0].m.role(), Role::Leader);
    b.input(0, Input::Close);
    assert_eq!(b.leader(), 1);
    assert_eq!(b.sockets(), 1);
    b.push("X//EOM//");
    assert_eq!(b.tabs[1].got.last().map(|g| g.0.as_str()), Some("X"));
    assert!(b.tabs[2].got.is_empty() && !b.tabs[0].got.iter().any(|g| g.0 == "X"));
    // A state event told tab 1 it leads now.
    assert_eq!(b.tabs[1].m.state(), State::Open);
}

#[test]
fn pagehide_resigns_and_pageshow_rejoins_as_a_follower() {
    let mut b = Browser::new(2);
    b.input(0, Input::PageHide);
    assert_eq!(b.leader(), 1);
    assert_eq!(b.sockets(), 1);
    b.input(0, Input::PageShow);
    assert_eq!(b.tabs[0].m.role(), Role::Follower);
    assert_eq!(b.tabs[0].m.state(), State::Open, "the hello was answered");
    b.push("Y//EOM//");
    assert!(b.tabs[0].got.iter().any(|g| g.0 == "Y"));
    assert_eq!(
        b.tabs.iter().map(|t| t.sockets).sum::<usize>(),
        2,
        "one socket each for tab 0 then tab 1, never both"
    );
}

#[test]
fn a_follower_arms_no_timer_and_sends_nothing() {
    let b = Browser::new(2);
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
    let mut b = Browser::new(1);
    b.store.push(("KCHCONN0002E".into(), "t1".into()));
    b.push("POST:/wok/notifications//EOM//");
    let fetches = b.tabs[0].fetches;
    let t = b.add_tab(9);
    assert_eq!(b.tabs[t].m.role(), Role::Follower);
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
    let mut lone = Browser::new(1);
    lone.push("Z//EOM//");
    assert_eq!(lone.tabs[0].got.len(), 1);
    assert_eq!(
        lone.tabs[0].published, 0,
        "a lone leader pays nothing for sharing"
    );
    assert!(b.tabs[0].published > 0);
}

#[test]
fn a_follower_coalesces_its_own_subscriptions_on_its_own_deadline() {
    let mut b = Browser::new(2);
    let follower = 1;
    assert_eq!(b.tabs[follower].m.role(), Role::Follower);
    let options = SubOptions {
        coalesce_ms: 200,
        ..SubOptions::default()
    };
    let sub = b.tabs[follower].m.subscribe(b.now, "METHOD:*", options);
    b.push("METHOD:/kimchi/vms//EOM//METHOD:/kimchi/vms//EOM//METHOD:/kimchi/networks//EOM//");
    // The leader published three messages; the follower's exact subscriber got all three and
    // its coalescing one the first, with the window's end as the follower's only deadline.
    assert_eq!(b.tabs[follower].got.len(), 3);
    assert_eq!(b.tabs[follower].m.poll_timeout(), Some(b.now + 200));
    b.now += 200;
    let mut trailing = Vec::new();
    b.tabs[follower].m.handle(b.now, Input::Timer);
    while let Some(o) = b.tabs[follower].m.poll_output() {
        if let Output::Deliver(m, ids, n) = o {
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
