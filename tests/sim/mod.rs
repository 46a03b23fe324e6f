//! The one simulated world of the host tests: a simulated clock, N tabs (each a [`Manager`]
//! with its own log), the browser's Web Lock with its queue and a BroadcastChannel (a post
//! reaches every other open tab), and one scripted fake WoK server (websocket +
//! `/notifications` from a store), quinn/str0m style.
//!
//! [`Sim::new`] is a world of one tab; [`Sim::tabs`] one of `n` shared tabs that connected
//! with a page-wide listener each, and a server that answers at once. Inputs a tab's outputs
//! cause at once (the lock's answer, a channel post) run before the call returns; what the
//! server does comes after `latency` ms, in [`Sim::drive`] ([`Sim::settle`]: what is due at
//! this very time), which advances to each next deadline or world event in order and fails on
//! a livelock (too many steps).
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use wok_push_core::{
    Broadcast, Config, FetchResult, Frame, Gen, Input, Manager, Output, State, StateChange, SubId,
    SubOptions, To,
};

/// What the fake server does with a websocket attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upgrade {
    /// Accept after `latency`.
    Accept,
    /// Refuse (the browser reports close without open).
    Refuse,
    /// Accept, then kill the socket this many ms later (the middlebox case).
    KillAfter(u64),
    /// Never answer the handshake.
    Hang,
    /// The `WebSocket` constructor throws.
    Unavailable,
}

/// What `/notifications` answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Feed {
    Ok,
    Status(u16, String),
    Body(String),
    Fail,
}

/// One tab (page) of the world.
pub struct Tab {
    pub m: Manager,
    /// The page is alive (a closed page takes no input).
    pub open: bool,
    /// Everything this tab's core asked for, with its time.
    pub log: Vec<(u64, Output)>,
    /// The socket the server considers open for this tab.
    pub socket: Option<Gen>,
    /// The page-wide listener ([`subscribe_all`]), if the tab made one.
    pub sub: Option<SubId>,
    /// (code, source) delivered to `sub`.
    pub got: Vec<(String, &'static str)>,
    pub resyncs: usize,
    pub sockets: usize,
    pub fetches: usize,
    pub published: usize,
}

pub struct Sim {
    pub tabs: Vec<Tab>,
    pub now: u64,
    pub latency: u64,
    pub upgrade: Upgrade,
    pub feed: Feed,
    pub protocol: &'static str,
    /// The notification store: (code, timestamp).
    pub store: Vec<(String, String)>,
    /// The Web Lock's holder and its queue.
    pub holder: Option<usize>,
    pub queue: VecDeque<usize>,
    /// Inputs due now (lock answers, channel posts), in order: (tab, input).
    work: VecDeque<(usize, Input)>,
    /// Scheduled world events: (time, seq) -> (tab, input).
    events: BTreeMap<(u64, u64), (usize, Input)>,
    seq: u64,
    pub steps: u64,
}

impl Sim {
    /// A world of one tab with `cfg`, not connected.
    pub fn new(cfg: Config) -> Sim {
        Sim::seeded(cfg, 12345)
    }

    /// [`Sim::new`] with the tab's RNG seeded with `seed`.
    pub fn seeded(cfg: Config, seed: u64) -> Sim {
        let mut s = Sim::empty();
        s.add(cfg, seed);
        s
    }

    pub fn default() -> Sim {
        Sim::new(Config::default())
    }

    /// A world of `n` shared tabs, each connected with a page-wide listener; the server
    /// answers at once (`latency` 0).
    pub fn tabs(n: usize) -> Sim {
        let mut s = Sim::empty();
        s.latency = 0;
        for i in 0..n {
            s.add_tab(i as u64);
        }
        s
    }

    fn empty() -> Sim {
        Sim {
            tabs: Vec::new(),
            now: 1_000,
            latency: 10,
            upgrade: Upgrade::Accept,
            feed: Feed::Ok,
            protocol: "binary",
            store: Vec::new(),
            holder: None,
            queue: VecDeque::new(),
            work: VecDeque::new(),
            events: BTreeMap::new(),
            seq: 0,
            steps: 0,
        }
    }

    fn add(&mut self, cfg: Config, seed: u64) -> usize {
        self.tabs.push(Tab {
            m: Manager::new(cfg, seed).expect("valid config"),
            open: true,
            log: Vec::new(),
            socket: None,
            sub: None,
            got: Vec::new(),
            resyncs: 0,
            sockets: 0,
            fetches: 0,
            published: 0,
        });
        self.tabs.len() - 1
    }

    /// Opens one more shared tab (RNG `seed`) with a page-wide listener, connected, and
    /// settles the world at this time; returns its index.
    pub fn add_tab(&mut self, seed: u64) -> usize {
        let cfg = Config {
            shared: true,
            ..Config::default()
        };
        let t = self.add(cfg, seed);
        let now = self.now;
        self.tabs[t].sub = Some(subscribe_all(&mut self.tabs[t].m, now));
        self.act(t, Input::Connect);
        t
    }

    /// Tab 0's manager.
    pub fn m(&mut self) -> &mut Manager {
        &mut self.tabs[0].m
    }

    /// Tab 0's log.
    pub fn log(&self) -> &[(u64, Output)] {
        &self.tabs[0].log
    }

    /// The socket the server considers open for tab 0.
    pub fn open_sock(&self) -> Option<Gen> {
        self.tabs[0].socket
    }

    fn schedule(&mut self, tab: usize, at: u64, input: Input) {
        self.seq += 1;
        self.events.insert((at, self.seq), (tab, input));
    }

    /// Feeds an input to tab 0 now and carries out the outputs.
    pub fn input(&mut self, input: Input) {
        self.input_to(0, input);
    }

    /// Feeds an input to tab `t` now and carries out what follows at once.
    pub fn input_to(&mut self, t: usize, input: Input) {
        self.work.push_back((t, input));
        self.run_work();
    }

    /// [`Sim::input_to`], then [`Sim::settle`].
    pub fn act(&mut self, t: usize, input: Input) {
        self.input_to(t, input);
        self.settle();
    }

    /// Runs what is due at this very time: the server's answers when `latency` is 0, the
    /// timers due now.
    pub fn settle(&mut self) {
        self.drive(0);
    }

    fn run_work(&mut self) {
        while let Some((t, i)) = self.work.pop_front() {
            if !self.tabs[t].open {
                continue;
            }
            self.tabs[t].m.handle(self.now, i);
            self.outputs(t);
        }
    }

    fn outputs(&mut self, t: usize) {
        while let Some(o) = self.tabs[t].m.poll_output() {
            // A remembered code's ids are read now, as a shell does (valid until the next
            // input): the log names every delivery's ids.
            let o = match o {
                Output::Deliver(m, to, n) => {
                    let ids = self.tabs[t].m.registry().ids(&to).to_vec();
                    Output::Deliver(m, To::Ids(ids), n)
                }
                o => o,
            };
            self.tabs[t].log.push((self.now, o.clone()));
            match o {
                Output::OpenSocket(g) => self.open_socket(t, g),
                Output::CloseSocket(g) if self.tabs[t].socket == Some(g) => {
                    self.tabs[t].socket = None;
                }
                Output::Fetch(g) => {
                    self.tabs[t].fetches += 1;
                    let answer = match &self.feed {
                        Feed::Ok => FetchResult::Answer(200, self.feed_body()),
                        Feed::Status(s, b) => FetchResult::Answer(*s, b.clone()),
                        Feed::Body(b) => FetchResult::Answer(200, b.clone()),
                        Feed::Fail => FetchResult::Failed,
                    };
                    let at = self.now + self.latency;
                    self.schedule(t, at, Input::Fetched(g, answer));
                }
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
                Output::Publish(b) => self.publish(t, &b),
                Output::Deliver(m, To::Ids(ids), _)
                    if self.tabs[t].sub.is_some_and(|s| ids.contains(&s)) =>
                {
                    let code = m.notice.code.clone();
                    self.tabs[t].got.push((code, m.source.as_str()));
                }
                Output::Resync(_) => self.tabs[t].resyncs += 1,
                _ => {}
            }
        }
    }

    fn open_socket(&mut self, t: usize, g: Gen) {
        self.tabs[t].sockets += 1;
        let at = self.now + self.latency;
        match self.upgrade {
            Upgrade::Accept => self.schedule(t, at, Input::SocketOpened(g, self.protocol.into())),
            Upgrade::Refuse => self.schedule(t, at, Input::SocketClosed(g)),
            Upgrade::KillAfter(ms) => {
                self.schedule(t, at, Input::SocketOpened(g, self.protocol.into()));
                self.schedule(t, at + ms, Input::SocketClosed(g));
            }
            Upgrade::Hang => {}
            // The constructor throws: the shell reports it before the next output.
            Upgrade::Unavailable => self.tabs[t].m.handle(self.now, Input::SocketUnavailable(g)),
        }
        if matches!(self.upgrade, Upgrade::Accept | Upgrade::KillAfter(_)) {
            self.tabs[t].socket = Some(g);
        }
    }

    /// A post on the channel reaches every other open tab (a hello only the lock holder).
    fn publish(&mut self, t: usize, b: &Broadcast) {
        self.tabs[t].published += 1;
        for other in 0..self.tabs.len() {
            if other == t || !self.tabs[other].open {
                continue;
            }
            let input = match b {
                Broadcast::Message(m) => Input::Relayed(m.clone()),
                Broadcast::State(c) => Input::LeaderState(*c),
                Broadcast::Resync => Input::LeaderResync,
                Broadcast::Hello if self.holder == Some(other) => Input::Hello,
                Broadcast::Hello => continue,
            };
            self.work.push_back((other, input));
        }
    }

    /// Tab `t` lets the lock go (or leaves its queue); the next in the queue gets it.
    pub fn resign(&mut self, t: usize) {
        if self.holder == Some(t) {
            self.holder = self.queue.pop_front();
            if let Some(next) = self.holder {
                self.work.push_back((next, Input::Lead));
            }
        } else {
            self.queue.retain(|&q| q != t);
        }
    }

    /// Tab `t`'s page goes away (closed or crashed, no `close()`): the browser releases its
    /// lock.
    pub fn close_page(&mut self, t: usize) {
        self.tabs[t].open = false;
        self.resign(t);
        self.run_work();
        self.settle();
    }

    /// The tab holding the lock.
    pub fn leader(&self) -> usize {
        self.holder.expect("a leader")
    }

    /// Open tabs with an open socket.
    pub fn sockets(&self) -> usize {
        self.tabs
            .iter()
            .filter(|t| t.open && t.socket.is_some())
            .count()
    }

    fn feed_body(&self) -> String {
        let items: Vec<String> = self
            .store
            .iter()
            .map(|(c, t)| {
                format!("{{\"code\":\"{c}\",\"message\":\"{c}: text\",\"timestamp\":\"{t}\"}}")
            })
            .collect();
        format!("[{}]", items.join(","))
    }

    /// The server pushes `text` (raw stream bytes) to the open socket (of the first open tab
    /// that has one: the leader, when tabs share), now.
    pub fn push(&mut self, text: &str) {
        let open = self.tabs.iter().enumerate().find_map(|(t, tab)| {
            let g = tab.socket.filter(|_| tab.open)?;
            Some((t, g))
        });
        if let Some((t, g)) = open {
            self.input_to(
                t,
                Input::SocketFrame(g, Frame::Binary(text.as_bytes().to_vec())),
            );
        }
    }

    /// [`Sim::push`], then [`Sim::settle`].
    pub fn serve(&mut self, text: &str) {
        self.push(text);
        self.settle();
    }

    /// The server drops tab 0's open socket, now.
    pub fn drop_socket(&mut self) {
        if let Some(g) = self.tabs[0].socket.take() {
            self.input(Input::SocketClosed(g));
        }
    }

    /// Advances the clock by `ms`, firing every tab's timers and the world's events in time
    /// order.
    pub fn drive(&mut self, ms: u64) {
        let end = self.now + ms;
        loop {
            self.steps += 1;
            assert!(self.steps < 1_000_000, "livelock: too many steps");
            let timer = (0..self.tabs.len())
                .filter(|&t| self.tabs[t].open)
                .filter_map(|t| Some((self.tabs[t].m.poll_timeout()?, t)))
                .min()
                .filter(|&(at, _)| at <= end);
            let event = self
                .events
                .keys()
                .next()
                .copied()
                .filter(|&(at, _)| at <= end);
            match (timer, event) {
                (None, None) => break,
                (Some((at, t)), ev) if ev.map_or(true, |(et, _)| at < et) => {
                    self.now = self.now.max(at);
                    self.work.push_back((t, Input::Timer));
                }
                (_, Some(key)) => {
                    let (t, input) = self.events.remove(&key).expect("event");
                    self.now = self.now.max(key.0);
                    self.work.push_back((t, input));
                }
                (Some(_), None) => unreachable!(),
            }
            self.run_work();
        }
        self.now = end;
    }

    /// Drives until tab 0 is in `state` (or panics after `ms`).
    pub fn drive_until_state(&mut self, state: State, ms: u64) {
        for _ in 0..ms {
            if self.m().state() == state {
                return;
            }
            self.drive(1);
        }
        assert_eq!(self.m().state(), state, "state not reached in {ms} ms");
    }

    /// Tab 0's state changes.
    pub fn states(&self) -> Vec<StateChange> {
        self.log()
            .iter()
            .filter_map(|(_, o)| {
                if let Output::State(s) = o {
                    Some(*s)
                } else {
                    None
                }
            })
            .collect()
    }

    pub fn count(&self, f: impl Fn(&Output) -> bool) -> usize {
        self.log().iter().filter(|(_, o)| f(o)).count()
    }

    pub fn count_since(&self, t: u64, f: impl Fn(&Output) -> bool) -> usize {
        self.log().iter().filter(|(at, o)| *at >= t && f(o)).count()
    }

    /// Codes delivered by tab 0 (to any subscriber), with sources, in order.
    pub fn delivered(&self) -> Vec<(String, &'static str)> {
        self.log()
            .iter()
            .filter_map(|(_, o)| match o {
                Output::Deliver(m, ..) => Some((m.notice.code.clone(), m.source.as_str())),
                _ => None,
            })
            .collect()
    }

    /// Tab 0 subscribes to every code ([`subscribe_all`]).
    pub fn subscribe_all(&mut self) -> SubId {
        let now = self.now;
        subscribe_all(self.m(), now)
    }
}

/// Subscribes to every code, across tab switches, with resync calls (what a page-wide
/// listener such as the demo's event log does).
pub fn subscribe_all(m: &mut Manager, now: u64) -> SubId {
    let o = SubOptions {
        persist: true,
        resync: true,
        ..Default::default()
    };
    m.subscribe(now, "*", o)
}

pub fn is_fetch(o: &Output) -> bool {
    matches!(o, Output::Fetch(_))
}
pub fn is_open(o: &Output) -> bool {
    matches!(o, Output::OpenSocket(_))
}
pub fn is_resync(o: &Output) -> bool {
    matches!(o, Output::Resync(_))
}
