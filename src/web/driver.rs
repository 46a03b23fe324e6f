//! The driver: one mutation, then drain every output, then re-arm the one timer.
//! Owns: the core [`Manager`] and every JS resource of one manager (socket, fetch, timer,
//! lifecycle listeners, handlers). No `RefCell` is borrowed while user JS runs: each output
//! is popped under a short borrow, which is released before it is carried out.

use super::handlers::{dispatch, make_message, Handlers, Style};
use super::js::{get, opt_str, set, to_js_error, Clock};
use super::page::Page;
use super::poll::Poll;
use super::timer::Timer;
use super::ws::Ws;
use crate::core::{
    Config, Error, FetchResult, Gen, Input, Manager, Message, Output, Source, State, StateChange,
    SubId,
};
use js_sys::{Array, Function, Object};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};

/// Kinds of `on(event)` listeners.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// `'state'`.
    State,
    /// `'error'`.
    Error,
    /// `'resync'`.
    Resync,
}

impl Event {
    /// Parses the JS event name.
    pub fn parse(s: &str) -> Option<Event> {
        match s {
            "state" => Some(Event::State),
            "error" => Some(Event::Error),
            "resync" => Some(Event::Resync),
            _ => None,
        }
    }
}

/// JS strings used for every message, made once (each `JsValue::from_str` crosses into JS).
struct Keys {
    sources: [JsValue; 3],
}

impl Keys {
    fn new() -> Keys {
        let s = JsValue::from_str;
        Keys {
            sources: [Source::Push, Source::Poll, Source::Resync].map(|x| s(x.as_str())),
        }
    }

    fn source(&self, s: Source) -> &JsValue {
        &self.sources[s as usize]
    }
}

/// Everything one manager owns.
pub struct Inner {
    clock: Clock,
    keys: Keys,
    /// `{ closed }`, read by `dispatch` before each handler call.
    gate: Object,
    /// Dispatch lists by target ids, reused while no subscription changes.
    lists: RefCell<Vec<(Vec<SubId>, Array)>>,
    core: RefCell<Manager>,
    url: String,
    notifications_url: String,
    this: Weak<Inner>,
    ws: RefCell<Option<(Gen, Ws)>>,
    poll: RefCell<Option<Poll>>,
    timer: RefCell<Timer>,
    page: RefCell<Option<Page>>,
    subs: RefCell<Handlers>,
    listeners: RefCell<[Handlers; 3]>,
    next_listener: Cell<u32>,
}

/// Feeds `input` to the manager behind `sink`, if it is still alive.
pub fn feed(sink: &Weak<Inner>, input: Input) {
    if let Some(inner) = sink.upgrade() {
        inner.input(input);
    }
}

impl Inner {
    /// A closed manager for `cfg`, opening `url` and polling `notifications_url`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `cfg` does not validate.
    pub fn new(
        cfg: Config,
        seed: u64,
        url: String,
        notifications_url: String,
    ) -> Result<Rc<Inner>, Error> {
        let core = Manager::new(cfg, seed)?;
        Ok(Rc::new_cyclic(|this| Inner {
            clock: Clock::new(),
            keys: Keys::new(),
            gate: Object::new(),
            lists: RefCell::new(Vec::new()),
            core: RefCell::new(core),
            url,
            notifications_url,
            this: this.clone(),
            ws: RefCell::new(None),
            poll: RefCell::new(None),
            timer: RefCell::new(Timer::default()),
            page: RefCell::new(None),
            subs: RefCell::new(Handlers::default()),
            listeners: RefCell::new(Default::default()),
            next_listener: Cell::new(0),
        }))
    }

    /// One mutation, then drain, then re-arm.
    pub fn input(&self, input: Input) {
        if let Input::Fetched(gen, _) = &input {
            let done = {
                let mut poll = self.poll.borrow_mut();
                if poll.as_ref().is_some_and(|p| p.gen == *gen) {
                    poll.take()
                } else {
                    None
                }
            };
            drop(done);
        }
        self.core.borrow_mut().handle(self.clock.now(), input);
        self.drain();
    }

    /// Called by the timer.
    pub fn timer_fired(sink: &Weak<Inner>) {
        if let Some(inner) = sink.upgrade() {
            inner.timer.borrow_mut().fired();
            let buffered = inner
                .ws
                .borrow()
                .as_ref()
                .map_or(0, |(_, ws)| ws.buffered_amount());
            inner.input(Input::Timer(buffered));
        }
    }

    fn drain(&self) {
        loop {
            let next = self.core.borrow_mut().poll_output();
            match next {
                Some(out) => self.execute(out),
                None => break,
            }
        }
        let deadline = self.core.borrow().poll_timeout();
        self.timer
            .borrow_mut()
            .arm(deadline, || self.clock.now(), &self.this);
    }

    fn execute(&self, out: Output) {
        match out {
            Output::OpenSocket(gen) => match Ws::open(&self.url, gen, self.this.clone()) {
                Ok(ws) => {
                    let old = self.ws.borrow_mut().replace((gen, ws));
                    drop(old);
                }
                Err(_) => self
                    .core
                    .borrow_mut()
                    .handle(self.clock.now(), Input::SocketUnavailable(gen)),
            },
            Output::CloseSocket(gen) => {
                let old = {
                    let mut ws = self.ws.borrow_mut();
                    if ws.as_ref().is_some_and(|(g, _)| *g == gen) {
                        ws.take()
                    } else {
                        None
                    }
                };
                drop(old);
            }
            Output::Send(gen, protocol) => {
                if let Some((g, ws)) = self.ws.borrow().as_ref() {
                    if *g == gen {
                        ws.send_heartbeat(protocol);
                    }
                }
            }
            Output::Fetch(gen) => {
                match Poll::start(&self.notifications_url, gen, self.this.clone()) {
                    Ok(p) => {
                        let old = self.poll.borrow_mut().replace(p);
                        drop(old);
                    }
                    Err(_) => self
                        .core
                        .borrow_mut()
                        .handle(self.clock.now(), Input::Fetched(gen, FetchResult::Failed)),
                }
            }
            Output::AbortFetch => {
                let old = self.poll.borrow_mut().take();
                drop(old);
            }
            Output::State(change) => self.state_changed(change),
            Output::Deliver(msg, ids) => self.deliver(&msg, &ids),
            Output::Resync(ids) => self.resync(&ids),
            Output::Error(e) => self.emit(Event::Error, &to_js_error(&e).into()),
            Output::Dropped(ids) => {
                let mut subs = self.subs.borrow_mut();
                for id in ids {
                    subs.remove(id);
                }
                self.lists.borrow_mut().clear();
            }
        }
    }

    fn state_changed(&self, c: StateChange) {
        set(
            &self.gate,
            "closed",
            &JsValue::from_bool(c.state == State::Closed),
        );
        if c.state == State::Closed {
            let page = self.page.borrow_mut().take();
            drop(page);
        } else if c.previous == State::Closed {
            let page = Page::install(&self.this);
            *self.page.borrow_mut() = Some(page);
        }
        let e = Object::new();
        set(&e, "previous", &c.previous.as_str().into());
        set(&e, "state", &c.state.as_str().into());
        set(&e, "transport", &opt_str(c.transport.as_str()).into());
        if c.transport.as_str().is_none() {
            set(&e, "transport", &JsValue::NULL);
        }
        set(&e, "reason", &c.reason.as_str().into());
        set(&e, "reasonCode", &JsValue::from(c.reason.code()));
        if let Some(ms) = c.retry_in {
            set(&e, "retryIn", &JsValue::from(ms as f64));
        }
        self.emit(Event::State, &e.into());
    }

    /// The dispatch list for `ids`, from the cache when no subscription changed since.
    fn list(&self, ids: &[SubId]) -> Array {
        if let Some((_, l)) = self
            .lists
            .borrow()
            .iter()
            .find(|(k, _)| k.as_slice() == ids)
        {
            return l.clone();
        }
        let l = self.subs.borrow().records(ids);
        let mut lists = self.lists.borrow_mut();
        if lists.len() >= 32 {
            lists.clear();
        }
        lists.push((ids.to_vec(), l.clone()));
        l
    }

    fn deliver(&self, msg: &Message, ids: &[SubId]) {
        let n = &msg.notice;
        let code = JsValue::from_str(&n.code);
        let obj = make_message(
            &code,
            self.keys.source(msg.source),
            n.message.clone(),
            n.timestamp.clone(),
        );
        let list = self.list(ids);
        let failed = dispatch(&list, &obj, &code, &self.gate);
        self.report_failures(&failed, &n.code);
    }

    fn resync(&self, ids: &[SubId]) {
        let e = Object::new();
        set(&e, "source", self.keys.source(Source::Resync));
        self.emit(Event::Resync, &e.into());
        for &id in ids {
            let pattern = self
                .core
                .borrow()
                .registry()
                .get(id)
                .map(|s| s.pattern.clone());
            if let Some(p) = pattern {
                let code = JsValue::from_str(&p);
                let obj = make_message(&code, self.keys.source(Source::Resync), None, None);
                let list = self.subs.borrow().records(&[id]);
                let failed = dispatch(&list, &obj, &code, &self.gate);
                self.report_failures(&failed, &p);
            }
        }
    }

    /// Reports each handler that threw (`[record, error, …]` from `dispatch`) once.
    fn report_failures(&self, failed: &JsValue, code: &str) {
        let Some(pairs) = failed.dyn_ref::<Array>() else {
            return;
        };
        for i in (0..pairs.length()).step_by(2) {
            let id = get(&pairs.get(i), "id").as_f64().unwrap_or(0.0) as SubId;
            let err = to_js_error(&Error::HandlerThrew);
            set(&err, "cause", &pairs.get(i + 1));
            set(&err, "messageCode", &JsValue::from_str(code));
            let tab = self
                .core
                .borrow()
                .registry()
                .get(id)
                .and_then(|s| s.tab.clone());
            set(&err, "tab", &opt_str(tab.as_deref()));
            set(&err, "subscription", &JsValue::from(id));
            self.emit(Event::Error, &err.into());
        }
    }

    /// Calls every `on(kind)` listener with `arg`; a throwing listener is ignored.
    fn emit(&self, kind: Event, arg: &JsValue) {
        let ids = self.listeners.borrow()[kind as usize].ids();
        for id in ids {
            let h = self.listeners.borrow()[kind as usize].get(id);
            if let Some(h) = h {
                let _ = h.f.call1(&JsValue::UNDEFINED, arg);
            }
        }
    }

    /// Adds a subscription with its handler; returns its id.
    pub fn subscribe(
        &self,
        pattern: &str,
        f: Function,
        style: Style,
        tab: Option<String>,
        persist: bool,
        resync: bool,
    ) -> SubId {
        let id = self
            .core
            .borrow_mut()
            .subscribe(self.clock.now(), pattern, tab, persist, resync);
        self.subs.borrow_mut().add_record(id, f, style);
        self.lists.borrow_mut().clear();
        id
    }

    /// Removes a subscription; `false` when already gone.
    pub fn unsubscribe(&self, id: SubId) -> bool {
        self.subs.borrow_mut().remove(id);
        self.lists.borrow_mut().clear();
        self.core.borrow_mut().unsubscribe(id)
    }

    /// Whether subscription `id` is live.
    pub fn is_subscribed(&self, id: SubId) -> bool {
        self.core.borrow().registry().contains(id)
    }

    /// Drops every subscription of `tab`; returns how many.
    pub fn close_tab(&self, tab: &str) -> usize {
        let ids = self.core.borrow_mut().close_tab(tab);
        let mut subs = self.subs.borrow_mut();
        for &id in &ids {
            subs.remove(id);
        }
        self.lists.borrow_mut().clear();
        ids.len()
    }

    /// Adds an `on(kind)` listener; returns its id.
    pub fn on(&self, kind: Event, f: Function) -> u32 {
        let id = self.next_listener.get().wrapping_add(1);
        self.next_listener.set(id);
        self.listeners.borrow_mut()[kind as usize].add(id, f, Style::Object);
        id
    }

    /// Removes an `on(kind)` listener; `false` when already gone.
    pub fn off(&self, kind: Event, id: u32) -> bool {
        self.listeners.borrow_mut()[kind as usize].remove(id)
    }

    /// Reads the core (briefly; never held across user JS).
    pub fn with_core<R>(&self, f: impl FnOnce(&Manager) -> R) -> R {
        f(&self.core.borrow())
    }

    /// Counts of owned JS resources: `[socket, fetch, timer, page listeners, handlers]`.
    pub fn resources(&self) -> [usize; 5] {
        [
            usize::from(self.ws.borrow().is_some()),
            usize::from(self.poll.borrow().is_some()),
            usize::from(self.timer.borrow().is_armed()),
            self.page.borrow().as_ref().map_or(0, Page::len),
            self.subs.borrow().len()
                + self
                    .listeners
                    .borrow()
                    .iter()
                    .map(Handlers::len)
                    .sum::<usize>(),
        ]
    }
}
