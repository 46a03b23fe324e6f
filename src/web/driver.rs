//! The driver: one mutation, then drain every output, then re-arm the one timer.
//! Owns: the core [`Manager`] and every JS resource of one manager (socket, fetch, timer,
//! lifecycle listeners, handlers). No `RefCell` is borrowed while user JS runs: each output
//! is popped under a short borrow, which is released before it is carried out.

use super::handlers::{Handler, Handlers, Style};
use super::js::{now_ms, opt_str, set, to_js_error};
use super::page::Page;
use super::poll::Poll;
use super::timer::Timer;
use super::ws::Ws;
use crate::core::{
    Config, Error, FetchResult, Gen, Input, Manager, Message, Output, Source, State, StateChange,
    SubId,
};
use js_sys::{Function, Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::JsValue;

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
    code: JsValue,
    message: JsValue,
    timestamp: JsValue,
    source: JsValue,
    sources: [JsValue; 3],
}

impl Keys {
    fn new() -> Keys {
        let s = JsValue::from_str;
        Keys {
            code: s("code"),
            message: s("message"),
            timestamp: s("timestamp"),
            source: s("source"),
            sources: [Source::Push, Source::Poll, Source::Resync].map(|x| s(x.as_str())),
        }
    }

    fn source(&self, s: Source) -> &JsValue {
        &self.sources[s as usize]
    }
}

/// Everything one manager owns.
pub struct Inner {
    keys: Keys,
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
            keys: Keys::new(),
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
        self.core.borrow_mut().handle(now_ms(), input);
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
        self.timer.borrow_mut().arm(deadline, now_ms(), &self.this);
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
                    .handle(now_ms(), Input::SocketUnavailable(gen)),
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
                        .handle(now_ms(), Input::Fetched(gen, FetchResult::Failed)),
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
            }
        }
    }

    fn state_changed(&self, c: StateChange) {
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

    fn deliver(&self, msg: &Message, ids: &[SubId]) {
        let n = &msg.notice;
        let k = &self.keys;
        let code = JsValue::from_str(&n.code);
        let obj = Object::new();
        let put = |key: &JsValue, v: &JsValue| {
            let _ = Reflect::set(&obj, key, v);
        };
        put(&k.code, &code);
        if let Some(m) = &n.message {
            put(&k.message, &JsValue::from_str(m));
        }
        if let Some(t) = &n.timestamp {
            put(&k.timestamp, &JsValue::from_str(t));
        }
        put(&k.source, k.source(msg.source));
        let obj: JsValue = obj.into();
        for &id in ids {
            if self.core.borrow().is_closed() {
                break;
            }
            if !self.live(id) {
                continue;
            }
            let handler = self.subs.borrow().get(id);
            if let Some(h) = handler {
                let arg = if h.style == Style::Compat {
                    &code
                } else {
                    &obj
                };
                self.call_handler(&h, arg, &n.code);
            }
        }
    }

    fn resync(&self, ids: &[SubId]) {
        let e = Object::new();
        set(&e, "source", &JsValue::from_str(Source::Resync.as_str()));
        self.emit(Event::Resync, &e.into());
        for &id in ids {
            if !self.live(id) || self.core.borrow().is_closed() {
                continue;
            }
            let pattern = self
                .core
                .borrow()
                .registry()
                .get(id)
                .map(|s| s.pattern.clone());
            let handler = self.subs.borrow().get(id);
            if let (Some(h), Some(p)) = (handler, pattern) {
                let code = JsValue::from_str(&p);
                let arg: JsValue = if h.style == Style::Compat {
                    code
                } else {
                    let o = Object::new();
                    set(&o, "code", &code);
                    set(&o, "source", &JsValue::from_str(Source::Resync.as_str()));
                    o.into()
                };
                self.call_handler(&h, &arg, &p);
            }
        }
    }

    fn live(&self, id: SubId) -> bool {
        self.core.borrow().registry().contains(id)
    }

    /// Calls one subscription handler; a throw is reported once and affects nobody else.
    fn call_handler(&self, h: &Handler, arg: &JsValue, code: &str) {
        if let Err(cause) = h.f.call1(&JsValue::UNDEFINED, arg) {
            let err = to_js_error(&Error::HandlerThrew);
            set(&err, "cause", &cause);
            set(&err, "messageCode", &JsValue::from_str(code));
            let tab = self
                .core
                .borrow()
                .registry()
                .get(h.id)
                .and_then(|s| s.tab.clone());
            set(&err, "tab", &opt_str(tab.as_deref()));
            set(&err, "subscription", &JsValue::from(h.id));
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
            .subscribe(now_ms(), pattern, tab, persist, resync);
        self.subs.borrow_mut().add(id, f, style);
        id
    }

    /// Removes a subscription; `false` when already gone.
    pub fn unsubscribe(&self, id: SubId) -> bool {
        self.subs.borrow_mut().remove(id);
        self.core.borrow_mut().unsubscribe(id)
    }

    /// Whether subscription `id` is live.
    pub fn is_subscribed(&self, id: SubId) -> bool {
        self.live(id)
    }

    /// Drops every subscription of `tab`; returns how many.
    pub fn close_tab(&self, tab: &str) -> usize {
        let ids = self.core.borrow_mut().close_tab(tab);
        let mut subs = self.subs.borrow_mut();
        for &id in &ids {
            subs.remove(id);
        }
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
