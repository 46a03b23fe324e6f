//! The page for host tests of delivery: the shipped driver (`wok_push::driver::Driver`, the
//! one `src/web` runs in the browser) over a simulated world and a scripted handler table.
//! The table keeps `js/dispatch.js`' rules: codes and id lists held by slot, each handler
//! looked up at call time, a close stopping the call; its handlers may call back into the
//! driver (which only mutates; the outermost drain goes on). The world fires the timer and
//! answers `GET /notifications` at once (with nothing); a socket opens when the test says.
//! Messages are codes `<letter><ordinal>`.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::{Rc, Weak};
use wok_push::driver::{Driver, Io, Table};
use wok_push_core::{
    Broadcast, Config, Error, FetchResult, Frame, Gen, Input, Manager, Protocol, Source, SubId,
    SubOptions,
};

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

type D = Driver<World, Page>;

/// The world of one tab: its clock, the one timer, the socket the core asked for last and
/// the fetch in flight.
#[derive(Default)]
pub struct World {
    now: Cell<u64>,
    deadline: Cell<Option<u64>>,
    asked: Cell<Gen>,
    fetch: Cell<Option<Gen>>,
}

impl Io for World {
    fn now(&self) -> u64 {
        self.now.get()
    }
    fn open_socket(&self, _: &str, gen: Gen) -> bool {
        self.asked.set(gen);
        true
    }
    fn close_socket(&self, _: Gen) {}
    fn send_heartbeat(&self, _: Gen, _: Protocol) {}
    fn start_fetch(&self, _: &str, gen: Gen) {
        self.fetch.set(Some(gen));
    }
    fn abort_fetch(&self) {
        self.fetch.set(None);
    }
    fn arm(&self, deadline: Option<u64>, _: u64) {
        self.deadline.set(deadline);
    }
    fn fired(&self) {
        self.deadline.set(None);
    }
    fn page(&self, _: bool) {}
    fn elect(&self, _: &str) {}
    fn resign(&self) {}
    fn publish(&self, _: &Broadcast) {}
}

/// The handlers' side: the table the driver calls, what it was given and what it does.
#[derive(Default)]
pub struct Page {
    /// The driver, for the handlers' calls back into it.
    driver: RefCell<Weak<D>>,
    /// Subscription ids in subscription order (ordinal = index).
    subs: RefCell<Vec<SubId>>,
    /// The ids that have a handler (removed: forgotten).
    handlers: RefCell<BTreeSet<SubId>>,
    /// The codes and id lists held by slot.
    slots: RefCell<BTreeMap<u32, (String, Vec<SubId>)>>,
    /// Every handler call, in order.
    calls: RefCell<Vec<Call>>,
    /// Bumped by each close: a call stops when it changes.
    epoch: Cell<u32>,
    script: Script,
}

impl Page {
    fn driver(&self) -> Rc<D> {
        self.driver.borrow().upgrade().expect("driver")
    }

    /// Subscribes (with resync calls) now, and registers the handler.
    fn subscribe(&self, (p, tab, ms): Spec) {
        let o = SubOptions {
            tab: tab.map(String::from),
            resync: true,
            coalesce_ms: ms,
            ..SubOptions::default()
        };
        let id = self.driver().subscribe(p, o);
        self.handlers.borrow_mut().insert(id);
        self.subs.borrow_mut().push(id);
    }

    fn act(&self, a: &Action) {
        let d = self.driver();
        match a {
            Action::Subscribe(p, tab) => self.subscribe((p, *tab, 0)),
            Action::Unsubscribe(n) => {
                let id = {
                    let subs = self.subs.borrow();
                    subs[n % subs.len()]
                };
                d.unsubscribe(id);
            }
            Action::CloseTab(t) => {
                d.close_tab(t);
            }
            Action::HashChange => d.input(Input::HashChange(d.io().now())),
            Action::Close => d.input(Input::Close),
            Action::Reconnect => {
                d.input(Input::Close);
                d.input(Input::Connect);
            }
        }
    }
}

impl Table for Page {
    fn dispatch(
        &self,
        slot: u32,
        ids: Option<&[SubId]>,
        code: &str,
        source: u8,
        _: Option<&str>,
        _: Option<&str>,
        coalesced: u32,
    ) -> u32 {
        // As js/dispatch.js: with no ids, the code and the ids are the ones the slot holds.
        let (code, list) = {
            let mut slots = self.slots.borrow_mut();
            let held = slots.entry(slot).or_default();
            if let Some(ids) = ids {
                *held = (code.to_string(), ids.to_vec());
            }
            held.clone()
        };
        let msg = (source != Source::Resync as u8).then(|| code[1..].parse().expect("ordinal"));
        let (epoch, at) = (self.epoch.get(), self.driver().io().now());
        for id in list {
            if self.epoch.get() != epoch {
                break;
            }
            if !self.handlers.borrow().contains(&id) {
                continue;
            }
            let sub = self
                .subs
                .borrow()
                .iter()
                .position(|&s| s == id)
                .expect("known");
            self.calls.borrow_mut().push(Call {
                sub,
                msg,
                n: coalesced,
                at,
            });
            let actions = msg
                .and_then(|k| self.script.get(&(sub, k)).cloned())
                .unwrap_or_default();
            for a in actions {
                self.act(&a);
            }
        }
        0
    }
    fn failed_id(&self, _: u32) -> SubId {
        unreachable!("no handler throws here")
    }
    fn report_threw(&self, _: u32, _: Option<&str>) {}
    fn emit_error(&self, _: &Error) {}
    fn emit_state(&self, _: u8, _: u8, _: u16, _: f64) {}
    fn emit_resync(&self) {}
    fn remove_sub(&self, id: SubId) {
        self.handlers.borrow_mut().remove(&id);
    }
    fn bump_epoch(&self) {
        self.epoch.set(self.epoch.get() + 1);
    }
    fn clear(&self) {
        self.handlers.borrow_mut().clear();
    }
}

/// One page with its handlers, driven by the shipped driver.
pub struct Shell {
    d: Rc<D>,
    /// The socket open (the one the test opened last).
    pub gen: u32,
}

impl Shell {
    pub fn new(specs: &[Spec], script: Script) -> Shell {
        let page = Page {
            script,
            ..Page::default()
        };
        let world = World::default();
        world.now.set(1_000 - 10);
        let d = Rc::new(
            Driver::new(
                Config::default(),
                7,
                "ws".into(),
                "feed".into(),
                page,
                world,
            )
            .expect("valid"),
        );
        *d.table().driver.borrow_mut() = Rc::downgrade(&d);
        let mut s = Shell { d, gen: 0 };
        // Made before the run starts (a hashchange in it drops the tab-scoped ones).
        for &spec in specs {
            s.d.table().subscribe(spec);
        }
        s.d.io().now.set(1_000);
        s.connect();
        s
    }

    /// Reads the page's manager.
    pub fn with<R>(&self, f: impl FnOnce(&Manager) -> R) -> R {
        self.d.with_core(f)
    }

    pub fn now(&self) -> u64 {
        self.d.io().now()
    }

    /// The socket attempt the core asked for last.
    pub fn asked(&self) -> u32 {
        self.d.io().asked.get()
    }

    /// Subscription ids in subscription order (ordinal = index).
    pub fn subs(&self) -> Vec<SubId> {
        self.d.table().subs.borrow().clone()
    }

    /// Every handler call, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.d.table().calls.borrow().clone()
    }

    /// Subscribes (with resync calls) at `at`.
    pub fn subscribe(&mut self, at: u64, spec: Spec) {
        let now = self.now();
        self.d.io().now.set(at);
        self.d.table().subscribe(spec);
        self.d.io().now.set(now);
    }

    /// Unsubscribes, as `Subscription.unsubscribe()` does.
    pub fn unsubscribe(&mut self, id: SubId) -> bool {
        self.d.unsubscribe(id)
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
        self.d.input(i);
        self.answer();
    }

    /// Answers every fetch in flight at once, with an empty store.
    fn answer(&mut self) {
        while let Some(gen) = self.d.io().fetch.take() {
            self.d
                .input(Input::Fetched(gen, FetchResult::Answer(200, "[]".into())));
        }
    }

    /// Advances to `t`, firing the timer at each deadline on the way.
    pub fn advance(&mut self, t: u64) {
        while let Some(at) = self.d.io().deadline.get().filter(|&at| at <= t) {
            let w = self.d.io();
            w.now.set(w.now.get().max(at));
            self.d.timer_fired(w.now.get());
            self.answer();
        }
        let w = self.d.io();
        w.now.set(w.now.get().max(t));
    }

    pub fn frame(&mut self, at: u64, bytes: &[u8]) {
        self.advance(at);
        self.input(Input::SocketFrame(self.gen, Frame::Binary(bytes.to_vec())));
    }

    /// Calls of subscription `sub` as (message, coalesced, time).
    pub fn of(&self, sub: usize) -> Vec<(Option<usize>, u32, u64)> {
        self.calls()
            .iter()
            .filter(|c| c.sub == sub)
            .map(|c| (c.msg, c.n, c.at))
            .collect()
    }
}
