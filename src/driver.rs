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
    bump_epoch, clear_table, dispatch, emit_error, emit_resync, emit_state, failed_id, remove_sub,
    report_threw, Table,
};
use super::js::{to_js_error, Clock};
use super::port::{JsPort, Port};
use super::slots::Slots;
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};
use wok_push_core::prelude::*;
use wok_push_core::{
    Config, Error, Input, Manager, Message, Output, Source, State, StateChange, SubId, SubOptions,
};

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
    /// The codes the handler table holds decoded, and their id lists.
    slots: RefCell<Slots>,
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
        table: Table,
        port: JsPort,
    ) -> Result<Rc<Inner>, Error> {
        let core = Manager::new(cfg, seed)?;
        // No `format!`: core::fmt stays out of the wasm.
        let lock_name = cat(&["wok-push ", &url, " ", &notifications_url]);
        Ok(Rc::new(Inner {
            clock: Clock::new(),
            table,
            draining: Cell::new(false),
            core: RefCell::new(core),
            url,
            notifications_url,
            port: Port::new(port),
            lock_name,
            slots: RefCell::new(Slots::default()),
        }))
    }

    /// One mutation made by an API call, now; see [`Inner::input_at`].
    pub fn input(&self, input: Input) {
        self.input_at(self.clock.now(), input);
    }

    /// The manager's time of an event that happened at `ms` (its `timeStamp`), see
    /// [`Clock::at`].
    pub fn event_time(&self, ms: f64) -> u64 {
        self.clock.at(ms)
    }

    /// One mutation by an event at `now` (see [`Inner::event_time`]), then (unless a drain
    /// is already running) drain and re-arm.
    pub fn input_at(&self, now: u64, input: Input) {
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

    /// Called by the timer, which fired at `at`.
    pub fn timer_fired(&self, at: u64) {
        self.port.fired();
        self.input_at(at, Input::Timer);
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
            Output::Deliver(msg, ids, n) => self.deliver(&msg, &ids, n),
            Output::Resync(ids) => self.resync(&ids),
            Output::Error(e) => emit_error(&self.table, &to_js_error(&e)),
            Output::Elect => self.port.elect(&self.lock_name),
            Output::Resign => self.port.resign(),
            Output::Publish(b) => self.port.publish(&b),
            Output::Dropped(ids) => self.forget(&ids),
        }
    }

    fn state_changed(&self, c: StateChange) {
        if c.state == State::Closed || c.previous == State::Closed {
            self.port.page(c.state != State::Closed);
        }
        emit_state(
            &self.table,
            c.previous.code(),
            c.state.code(),
            c.reason.code(),
            c.retry_in.map_or(-1.0, |ms| ms as f64),
        );
    }

    fn deliver(&self, msg: &Message, ids: &[SubId], coalesced: u32) {
        let n = &msg.notice;
        self.call(
            ids,
            &n.code,
            msg.source as u8,
            n.message.as_deref(),
            n.timestamp.as_deref(),
            coalesced,
        );
    }

    fn resync(&self, ids: &[SubId]) {
        emit_resync(&self.table);
        for &id in ids {
            let pattern = self
                .core
                .borrow()
                .registry()
                .get(id)
                .map(|s| s.pattern.clone());
            if let Some(p) = pattern {
                self.call(&[id], &p, Source::Resync as u8, None, None, 0);
            }
        }
    }

    /// Calls the handlers of `ids` (see [`dispatch`]) with a message that stands for
    /// `coalesced` messages (0: a resync call), then reports each one that threw. The code
    /// is named by its slot, and it and the id list cross only when the table does not hold
    /// them (see [`Slots`]).
    fn call(
        &self,
        ids: &[SubId],
        code: &str,
        source: u8,
        message: Option<&str>,
        timestamp: Option<&str>,
        coalesced: u32,
    ) {
        let named = self.slots.borrow_mut().name(code, ids);
        let failed = dispatch(
            &self.table,
            named.slot,
            named.ids.then_some(ids),
            named.code.then_some(code),
            source,
            message,
            timestamp,
            coalesced,
        );
        // Usually none: then nothing crosses back. The table still holds the code.
        for i in 0..failed {
            let tab = self
                .core
                .borrow()
                .registry()
                .get(failed_id(&self.table, i))
                .and_then(|s| s.tab.clone());
            let err = to_js_error(&Error::HandlerThrew);
            report_threw(&self.table, i, &err, tab.as_deref());
        }
    }

    /// Forgets the handlers of `ids` (subscriptions the core dropped).
    fn forget(&self, ids: &[SubId]) {
        for &id in ids {
            remove_sub(&self.table, id);
        }
    }

    /// Adds a subscription (the facade registers its handler under the id); returns its id.
    pub fn subscribe(&self, pattern: &str, options: SubOptions) -> SubId {
        self.core
            .borrow_mut()
            .subscribe(self.clock.now(), pattern, options)
    }

    /// Removes a subscription; `false` when already gone.
    pub fn unsubscribe(&self, id: SubId) -> bool {
        remove_sub(&self.table, id);
        self.core.borrow_mut().unsubscribe(id)
    }

    /// Drops every subscription of `tab`; returns how many.
    pub fn close_tab(&self, tab: &str) -> usize {
        let ids = self.core.borrow_mut().close_tab(tab);
        self.forget(&ids);
        ids.len()
    }

    /// Reads the core (briefly; never held across user JS).
    pub fn with_core<R>(&self, f: impl FnOnce(&Manager) -> R) -> R {
        f(&self.core.borrow())
    }
}
