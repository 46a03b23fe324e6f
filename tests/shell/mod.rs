//! The page's handlers for host tests of delivery, in the one simulated world (`tests/sim`,
//! one tab): they take the core's outputs the way `src/web` does, one at a time, each
//! handler looked up at call time and allowed to call back into the manager (which only
//! mutates; the outermost drain goes on), behind a per-delivery gate that a close bumps.
//! The world fires the timers and answers `GET /notifications` at once (with nothing); a
//! socket opens when the test says. Messages are codes `<letter><ordinal>`.
#![allow(dead_code)]

use crate::sim::{Handlers, Sim, Upgrade};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wok_push_core::{Config, Frame, Input, Manager, Output, SubId, SubOptions};

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

/// The handlers' side: what they were given and what they do.
struct Page {
    /// Subscription ids in subscription order (ordinal = index).
    subs: Vec<SubId>,
    /// Every handler call, in order.
    calls: Vec<Call>,
    /// Bumped by each close: a delivery stops when it changes (the shell's gate).
    epoch: u32,
    script: Script,
}

impl Page {
    /// Subscribes (with resync calls) at `at`.
    fn subscribe(&mut self, m: &mut Manager, at: u64, (p, tab, ms): Spec) {
        let o = SubOptions {
            tab: tab.map(String::from),
            resync: true,
            coalesce_ms: ms,
            ..SubOptions::default()
        };
        self.subs.push(m.subscribe(at, p, o));
    }

    fn act(&mut self, m: &mut Manager, now: u64, a: &Action) {
        match a {
            Action::Subscribe(p, tab) => self.subscribe(m, now, (p, *tab, 0)),
            Action::Unsubscribe(n) => {
                let id = self.subs[n % self.subs.len()];
                m.unsubscribe(id);
            }
            Action::CloseTab(t) => {
                m.close_tab(t);
            }
            // Re-entrant inputs only mutate: the outermost drain goes on.
            Action::HashChange => m.handle(now, Input::HashChange(now)),
            Action::Close | Action::Reconnect => {
                m.handle(now, Input::Close);
                self.epoch += 1;
                if *a == Action::Reconnect {
                    // Re-entrant: only mutates; the next socket opens when the test says.
                    m.handle(now, Input::Connect);
                }
            }
        }
    }
}

impl Handlers for Page {
    fn call(&mut self, m: &mut Manager, now: u64, out: &Output) {
        let (msg, ids, n) = match out {
            Output::Deliver(msg, ids, n) => {
                let k: usize = msg.notice.code[1..].parse().expect("ordinal");
                (Some(k), ids, *n)
            }
            Output::Resync(ids) => (None, ids, 0),
            _ => return,
        };
        let epoch = self.epoch;
        for &id in ids {
            if self.epoch != epoch {
                break;
            }
            if !m.registry().contains(id) {
                continue;
            }
            let sub = self.subs.iter().position(|&s| s == id).expect("known");
            self.calls.push(Call {
                sub,
                msg,
                n,
                at: now,
            });
            let actions = msg
                .and_then(|k| self.script.get(&(sub, k)).cloned())
                .unwrap_or_default();
            for a in actions {
                self.act(m, now, &a);
            }
        }
    }
}

/// One page with its handlers in a world of one tab.
pub struct Shell {
    pub world: Sim,
    page: Rc<RefCell<Page>>,
    /// The socket open (the one the test opened last).
    pub gen: u32,
}

impl Shell {
    pub fn new(specs: &[Spec], script: Script) -> Shell {
        let mut world = Sim::seeded(Config::default(), 7);
        world.latency = 0;
        world.upgrade = Upgrade::Hang;
        let page = Rc::new(RefCell::new(Page {
            subs: Vec::new(),
            calls: Vec::new(),
            epoch: 0,
            script,
        }));
        world.tabs[0].handlers = Some(page.clone());
        let mut s = Shell {
            world,
            page,
            gen: 0,
        };
        for &spec in specs {
            // Made before the run starts (a hashchange in it drops the tab-scoped ones).
            let at = s.now() - 10;
            s.subscribe(at, spec);
        }
        s.connect();
        s
    }

    /// The page's manager.
    pub fn m(&mut self) -> &mut Manager {
        self.world.m()
    }

    pub fn now(&self) -> u64 {
        self.world.now
    }

    /// The socket attempt the core asked for last.
    pub fn asked(&self) -> u32 {
        self.world
            .log()
            .iter()
            .rev()
            .find_map(|(_, o)| match o {
                Output::OpenSocket(g) => Some(*g),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// Subscription ids in subscription order (ordinal = index).
    pub fn subs(&self) -> Vec<SubId> {
        self.page.borrow().subs.clone()
    }

    /// Every handler call, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.page.borrow().calls.clone()
    }

    /// Subscribes (with resync calls) at `at`.
    pub fn subscribe(&mut self, at: u64, spec: Spec) {
        let m = &mut self.world.tabs[0].m;
        self.page.borrow_mut().subscribe(m, at, spec);
    }

    pub fn connect(&mut self) {
        self.input(Input::Connect);
        self.open();
    }

    /// The server accepts the attempt the core asked for.
    pub fn open(&mut self) {
        self.gen = self.asked();
        self.input(Input::SocketOpened(self.gen, "binary".into()));
    }

    /// An input now, and what follows at this time (`GET /notifications` answers).
    pub fn input(&mut self, i: Input) {
        self.world.act(0, i);
    }

    /// Advances to `t`, firing the timers at each deadline on the way.
    pub fn advance(&mut self, t: u64) {
        let ms = t.saturating_sub(self.world.now);
        self.world.drive(ms);
    }

    pub fn frame(&mut self, at: u64, bytes: &[u8]) {
        self.advance(at);
        self.input(Input::SocketFrame(self.gen, Frame::Binary(bytes.to_vec())));
    }

    /// Calls of subscription `sub` as (message, coalesced, time).
    pub fn of(&self, sub: usize) -> Vec<(Option<usize>, u32, u64)> {
        self.page
            .borrow()
            .calls
            .iter()
            .filter(|c| c.sub == sub)
            .map(|c| (c.msg, c.n, c.at))
            .collect()
    }
}
