//! The driver: one mutation, then drain every output, then re-arm the one timer.
//! Owns: the core [`Manager`] and every JS resource of one manager (socket, fetch, timer,
//! lifecycle listeners, the handler table). No `RefCell` is borrowed while user JS runs:
//! each output is popped under a short borrow, which is released before it is carried out.
//!
//! Re-entrancy: a handler may call back into the manager (`subscribe`, `close`, …). Such a
//! call only mutates the core; the outermost drain, still running below the handler,
//! carries out what it produced, one output at a time, so the core matches each next
//! message against the subscriptions live at that moment.

use super::handlers::{
    add_sub, bump_epoch, clear_table, dispatch, emit, handler_count, listen, make_table,
    remove_sub, Style, Table,
};
use super::js::{opt_str, set, to_js_error, Clock};
use super::port::Port;
use crate::core::{
    Config, Error, Input, Manager, Message, Output, Source, State, StateChange, SubId,
};
use crate::prelude::*;
use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};
use js_sys::{Array, Function, Object};
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

/// Everything one manager owns.
pub struct Inner {
    clock: Clock,
    /// id -> JS handler, and the `on()` listeners (`js/dispatch.js`).
    table: Table,
    /// A drain is running (further down the stack): nested inputs only mutate.
    draining: Cell<bool>,
    core: RefCell<Manager>,
    url: String,
    notifications_url: String,
    /// The socket, fetch, timer and page listeners (`js/io.js`).
    port: Port,
    /// The Web Lock and BroadcastChannel name of a shared connection: the endpoint.
    lock_name: String,
}

/// Feeds `input` to the manager behind `sink`, if it is still alive.
pub fn feed(sink: &Weak<Inner>, input: Input) {
    if let Some(inner) = sink.upgrade() {
        inner.input(input);
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        clear_table(&self.table);
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
        // No `format!`: core::fmt stays out of the wasm.
        let lock_name = ["wok-push ", &url, " ", &notifications_url].concat();
        Ok(Rc::new_cyclic(|this| Inner {
            clock: Clock::new(),
            table: make_table(),
            draining: Cell::new(false),
            core: RefCell::new(core),
            url,
            notifications_url,
            port: Port::new(this.clone()),
            lock_name,
        }))
    }

    /// One mutation, then (unless a drain is already running) drain and re-arm.
    pub fn input(&self, input: Input) {
        let now = self.clock.now();
        let closed = {
            let mut core = self.core.borrow_mut();
            let was = core.is_closed();
            core.handle(now, input);
            !was && core.is_closed()
        };
        if closed {
            // Before anything else runs: no handler is called after `close()`.
            bump_epoch(&self.table);
        }
        if !self.draining.get() {
            self.drain(now);
        }
    }

    /// Called by the timer.
    pub fn timer_fired(sink: &Weak<Inner>) {
        if let Some(inner) = sink.upgrade() {
            inner.port.fired();
            let buffered = inner.port.buffered();
            inner.input(Input::Timer(buffered));
        }
    }

    /// Carries out every output; `now` is the time of the input that started it (one clock
    /// read per input: the timer is re-armed from it).
    fn drain(&self, now: u64) {
        self.draining.set(true);
        loop {
            let next = self.core.borrow_mut().poll_output();
            match next {
                Some(out) => self.execute(out),
                None => break,
            }
        }
        self.draining.set(false);
        let deadline = self.core.borrow().poll_timeout();
        self.port.arm(deadline, now);
    }

    fn execute(&self, out: Output) {
        match out {
            Output::OpenSocket(gen) => {
                if !self.port.open_socket(&self.url, gen) {
                    self.core
                        .borrow_mut()
                        .handle(self.clock.now(), Input::SocketUnavailable(gen));
                }
            }
            Output::CloseSocket(gen) => self.port.close_socket(gen),
            Output::Send(gen, protocol) => self.port.send_heartbeat(gen, protocol),
            Output::Fetch(gen) => self.port.start_fetch(&self.notifications_url, gen),
            Output::AbortFetch => self.port.abort_fetch(),
            Output::State(change) => self.state_changed(change),
            Output::Deliver(msg, ids) => self.deliver(&msg, &ids),
            Output::Resync(ids) => self.resync(&ids),
            Output::Error(e) => emit(&self.table, Event::Error as u32, &to_js_error(&e).into()),
            Output::Elect => self.port.elect(&self.lock_name),
            Output::Resign => self.port.resign(),
            Output::Publish(b) => self.port.publish(&b),
            Output::Dropped(ids) => {
                for id in ids {
                    remove_sub(&self.table, id);
                }
            }
        }
    }

    fn state_changed(&self, c: StateChange) {
        if c.state == State::Closed || c.previous == State::Closed {
            self.port.page(c.state != State::Closed);
        }
        let e = Object::new();
        set(&e, "previous", &c.previous.as_str().into());
        set(&e, "state", &c.state.as_str().into());
        set(
            &e,
            "transport",
            &c.transport
                .as_str()
                .map_or(JsValue::NULL, JsValue::from_str),
        );
        set(&e, "reason", &c.reason.as_str().into());
        set(&e, "reasonCode", &JsValue::from(c.reason.code()));
        if let Some(ms) = c.retry_in {
            set(&e, "retryIn", &JsValue::from(ms as f64));
        }
        emit(&self.table, Event::State as u32, &e.into());
    }

    fn deliver(&self, msg: &Message, ids: &[SubId]) {
        let n = &msg.notice;
        let failed = dispatch(
            &self.table,
            ids,
            &n.code,
            msg.source as u8,
            n.message.as_deref(),
            n.timestamp.as_deref(),
        );
        self.report_failures(&failed, &n.code);
    }

    fn resync(&self, ids: &[SubId]) {
        let e = Object::new();
        set(&e, "source", &Source::Resync.as_str().into());
        emit(&self.table, Event::Resync as u32, &e.into());
        for &id in ids {
            let pattern = self
                .core
                .borrow()
                .registry()
                .get(id)
                .map(|s| s.pattern.clone());
            if let Some(p) = pattern {
                let failed = dispatch(&self.table, &[id], &p, Source::Resync as u8, None, None);
                self.report_failures(&failed, &p);
            }
        }
    }

    /// Reports each handler that threw (`[id, error, …]` from `dispatch`) once.
    fn report_failures(&self, failed: &JsValue, code: &str) {
        let Some(pairs) = failed.dyn_ref::<Array>() else {
            return;
        };
        for i in (0..pairs.length()).step_by(2) {
            let id = pairs.get(i).as_f64().unwrap_or(0.0) as SubId;
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
            emit(&self.table, Event::Error as u32, &err.into());
        }
    }

    /// Adds a subscription with its handler; returns its id.
    pub fn subscribe(
        &self,
        pattern: &str,
        f: &Function,
        style: Style,
        tab: Option<String>,
        persist: bool,
        resync: bool,
    ) -> SubId {
        let id = self
            .core
            .borrow_mut()
            .subscribe(self.clock.now(), pattern, tab, persist, resync);
        add_sub(&self.table, id, f, style == Style::Compat);
        id
    }

    /// Removes a subscription; `false` when already gone.
    pub fn unsubscribe(&self, id: SubId) -> bool {
        remove_sub(&self.table, id);
        self.core.borrow_mut().unsubscribe(id)
    }

    /// Whether subscription `id` is live.
    pub fn is_subscribed(&self, id: SubId) -> bool {
        self.core.borrow().registry().contains(id)
    }

    /// Drops every subscription of `tab`; returns how many.
    pub fn close_tab(&self, tab: &str) -> usize {
        let ids = self.core.borrow_mut().close_tab(tab);
        for &id in &ids {
            remove_sub(&self.table, id);
        }
        ids.len()
    }

    /// Adds an `on(kind)` listener; returns its idempotent removal function.
    pub fn on(&self, kind: Event, f: &Function) -> Function {
        listen(&self.table, kind as u32, f)
    }

    /// Reads the core (briefly; never held across user JS).
    pub fn with_core<R>(&self, f: impl FnOnce(&Manager) -> R) -> R {
        f(&self.core.borrow())
    }

    /// Counts of owned JS resources: `[socket, fetch, timer, page listeners, handlers]`.
    pub fn resources(&self) -> [usize; 6] {
        let [socket, fetch, timer, page, channel] = self.port.resources();
        [
            socket,
            fetch,
            timer,
            page,
            handler_count(&self.table) as usize,
            channel,
        ]
    }
}
