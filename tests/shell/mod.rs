//! A small browser shell for host tests of delivery: it drives the core the way `src/web`
//! does: one output at a time, each handler looked up at call time and allowed to call back
//! into the manager (which only mutates; the outermost drain goes on), a per-delivery gate
//! that a close bumps, the one timer fired at `poll_timeout()`, and `GET /notifications`
//! answered at once with nothing. Messages are codes `<letter><ordinal>`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use wok_push::core::{Config, Frame, Input, Manager, Output, SubId, SubOptions};

/// What a handler does when it is called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Subscribe a new handler (pattern, tab), exact calls.
    Subscribe(&'static str, Option<&'static str>),
    /// Unsubscribe the n-th subscription (modulo their number).
    Unsubscribe(usize),
    CloseTab(&'static str),
    /// A `hashchange` now (tab cleanup).
    HashChange,
    Close,
    /// Close, then connect again at once (the rest of this message is still not delivered).
    Reconnect,
}

/// One handler call: subscription ordinal, message ordinal (`None`: resync), `coalesced`, time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    pub sub: usize,
    pub msg: Option<usize>,
    pub n: u32,
    pub at: u64,
}

/// The handler script: (subscription ordinal, message ordinal) -> actions.
pub type Script = BTreeMap<(usize, usize), Vec<Action>>;

/// A subscription to make: pattern, tab, `coalesceMs`.
pub type Spec = (&'static str, Option<&'static str>, u64);

pub struct Shell {
    pub m: Manager,
    pub now: u64,
    /// The socket attempt the core asked for last, and the one open.
    pub asked: u32,
    pub gen: u32,
    /// Fetches the core started, answered (empty) after each drain.
    fetches: Vec<u32>,
    /// Subscription ids in subscription order (ordinal = index).
    pub subs: Vec<SubId>,
    /// Every handler call, in order.
    pub calls: Vec<Call>,
    /// Bumped by each close: a delivery stops when it changes (the shell's gate).
    epoch: u32,
    script: Script,
}

impl Shell {
    pub fn new(specs: &[Spec], script: Script) -> Shell {
        let mut s = Shell {
            m: Manager::new(Config::default(), 7).expect("config"),
            now: 1_000,
            asked: 0,
            gen: 0,
            fetches: Vec::new(),
            subs: Vec::new(),
            calls: Vec::new(),
            epoch: 0,
            script,
        };
        for &spec in specs {
            // Made before the run starts (a hashchange in it drops the tab-scoped ones).
            s.subscribe(s.now - 10, spec);
        }
        s.connect();
        s
    }

    /// Subscribes (with resync calls) at `at`.
    pub fn subscribe(&mut self, at: u64, (p, tab, ms): Spec) {
        let o = SubOptions {
            tab: tab.map(String::from),
            resync: true,
            coalesce_ms: ms,
            ..SubOptions::default()
        };
        let id = self.m.subscribe(at, p, o);
        self.subs.push(id);
    }

    pub fn connect(&mut self) {
        self.input(Input::Connect);
        self.open();
    }

    /// The server accepts the attempt the core asked for.
    pub fn open(&mut self) {
        self.gen = self.asked;
        self.input(Input::SocketOpened(self.gen, "binary".into()));
    }

    pub fn input(&mut self, i: Input) {
        self.m.handle(self.now, i);
        self.drain();
        // `GET /notifications` answers at once, with nothing.
        while let Some(g) = self.fetches.pop() {
            let answer = wok_push::core::FetchResult::Answer(200, "[]".into());
            self.m.handle(self.now, Input::Fetched(g, answer));
            self.drain();
        }
    }

    /// Advances to `t`, firing the one timer at each deadline on the way.
    pub fn advance(&mut self, t: u64) {
        while let Some(d) = self.m.poll_timeout().filter(|&d| d <= t) {
            self.now = self.now.max(d);
            self.input(Input::Timer);
        }
        self.now = self.now.max(t);
    }

    pub fn frame(&mut self, at: u64, bytes: &[u8]) {
        self.advance(at);
        self.input(Input::SocketFrame(self.gen, Frame::Binary(bytes.to_vec())));
    }

    pub fn drain(&mut self) {
        while let Some(o) = self.m.poll_output() {
            let (msg, ids, n) = match o {
                Output::Deliver(msg, ids, n) => {
                    let k: usize = msg.notice.code[1..].parse().expect("ordinal");
                    (Some(k), ids, n)
                }
                Output::Resync(ids) => (None, ids, 0),
                Output::OpenSocket(g) => {
                    self.asked = g;
                    continue;
                }
                Output::Fetch(g) => {
                    self.fetches.push(g);
                    continue;
                }
                _ => continue,
            };
            let epoch = self.epoch;
            for id in ids {
                if self.epoch != epoch {
                    break;
                }
                if !self.m.registry().contains(id) {
                    continue;
                }
                let sub = self.subs.iter().position(|&s| s == id).expect("known");
                self.calls.push(Call {
                    sub,
                    msg,
                    n,
                    at: self.now,
                });
                let actions = msg
                    .and_then(|k| self.script.get(&(sub, k)).cloned())
                    .unwrap_or_default();
                for a in actions {
                    self.act(&a);
                }
            }
        }
    }

    pub fn act(&mut self, a: &Action) {
        match a {
            Action::Subscribe(p, tab) => self.subscribe(self.now, (p, *tab, 0)),
            Action::Unsubscribe(n) => {
                let id = self.subs[n % self.subs.len()];
                self.m.unsubscribe(id);
            }
            Action::CloseTab(t) => {
                self.m.close_tab(t);
            }
            // Re-entrant inputs only mutate: the outermost drain goes on.
            Action::HashChange => self.m.handle(self.now, Input::HashChange(self.now)),
            Action::Close | Action::Reconnect => {
                self.m.handle(self.now, Input::Close);
                self.epoch += 1;
                if *a == Action::Reconnect {
                    // Re-entrant: only mutates; the next socket opens when the test says.
                    self.m.handle(self.now, Input::Connect);
                }
            }
        }
    }

    /// Calls of subscription `sub` as (message, coalesced, time).
    pub fn of(&self, sub: usize) -> Vec<(Option<usize>, u32, u64)> {
        self.calls
            .iter()
            .filter(|c| c.sub == sub)
            .map(|c| (c.msg, c.n, c.at))
            .collect()
    }
}
