//! The driver: one mutation, then drain every output, then re-arm the one timer.
//! Owns: the core [`Manager`], the [`Io`] that carries out its outputs (socket, fetch, timer,
//! page listeners, tabs) and the [`Table`] of user handlers. No `RefCell` is borrowed while
//! user code runs: each output is popped under a short borrow, which is released before it
//! is carried out.
//!
//! Re-entrancy: a handler may call back into the manager (`subscribe`, `close`, …). Such a
//! call only mutates the core; the outermost drain, still running below the handler,
//! carries out what it produced, one output at a time, so the core matches each next
//! message against the subscriptions live at that moment.
//!
//! Generic over its [`Io`] and [`Table`]: the browser's are `js/io.js` and `js/dispatch.js`
//! (`src/web`); host tests (`tests/shell`) drive this same driver with a simulated world
//! and a scripted page.

use core::cell::{Cell, RefCell};
use wok_push_core::prelude::*;
use wok_push_core::{
    registry::KNOWN, Broadcast, Config, Error, Gen, Input, Manager, Message, Output, Protocol,
    Source, State, StateChange, SubId, SubOptions, To,
};

/// The handler table's slot for the deliveries that name their ids ([`To::Ids`]: trailing
/// calls, codes a coalescing subscription matches, resync calls): the code and the ids
/// always cross. Slots below it mirror the registry's remembered codes ([`To::Known`]).
const ONE_OFF: u32 = KNOWN as u32;

/// What the driver does in the world: in the browser, `js/io.js` (`web::port::Port`).
pub trait Io {
    /// The manager's clock, read now (ms, never going back).
    fn now(&self) -> u64;
    /// Opens websocket attempt `gen` to `url`; `false` when it cannot even start.
    fn open_socket(&self, url: &str, gen: Gen) -> bool;
    /// Detaches and closes attempt `gen`'s socket, if it is the current one.
    fn close_socket(&self, gen: Gen);
    /// Sends the heartbeat on attempt `gen`'s socket, encoded for `protocol`.
    fn send_heartbeat(&self, gen: Gen, protocol: Protocol);
    /// Starts `GET url` as fetch `gen` (aborting any other).
    fn start_fetch(&self, url: &str, gen: Gen);
    /// Aborts the fetch in flight.
    fn abort_fetch(&self);
    /// Keeps the one timer armed at `deadline` (none: disarmed); `now` is the time of the
    /// input that led here.
    fn arm(&self, deadline: Option<u64>, now: u64);
    /// The timer fired: it is no longer armed.
    fn fired(&self);
    /// Adds (`true`) or removes the page lifecycle listeners.
    fn page(&self, on: bool);
    /// Joins the election for the connection named `name`.
    fn elect(&self, name: &str);
    /// Leaves it.
    fn resign(&self);
    /// Posts `b` to the other tabs.
    fn publish(&self, b: &Broadcast);
}

/// The user's handlers and listeners: in the browser, `js/dispatch.js`
/// (`web::handlers::Table`).
pub trait Table {
    /// Calls the handlers of `ids` with a message of `code`, and `slot` holds both from now
    /// on; `ids` `None`: the ones `slot` holds, for the code it holds (the same `code`).
    /// Each handler is looked up at call time, and a close stops the call (see
    /// [`Table::bump_epoch`]). Returns how many threw.
    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &self,
        slot: u32,
        ids: Option<&[SubId]>,
        code: &str,
        source: u8,
        message: Option<&str>,
        timestamp: Option<&str>,
        coalesced: u32,
    ) -> u32;
    /// The id of the `i`-th handler that threw in the last dispatch.
    fn failed_id(&self, i: u32) -> SubId;
    /// Reports the `i`-th handler that threw in the last dispatch (`handler-threw`, with
    /// its `tab`) to the error listeners.
    fn report_threw(&self, i: u32, tab: Option<&str>);
    /// Emits `error`.
    fn emit_error(&self, e: &Error);
    /// Emits `state` from the codes (`retry_in` < 0: none).
    fn emit_state(&self, previous: u8, state: u8, reason: u16, retry_in: f64);
    /// Emits `resync`.
    fn emit_resync(&self);
    /// Forgets subscription `id`'s handler.
    fn remove_sub(&self, id: SubId);
    /// The manager closed: a dispatch under way stops before its next handler.
    fn bump_epoch(&self);
    /// Forgets every handler and listener (the driver is dropped).
    fn clear(&self);
}

/// One manager: its core, its world and its handlers.
pub struct Driver<I: Io, T: Table> {
    /// The handlers (`js/dispatch.js` in the browser).
    table: T,
    /// A drain is running (further down the stack): nested inputs only mutate.
    draining: Cell<bool>,
    core: RefCell<Manager>,
    url: String,
    notifications_url: String,
    /// The socket, fetch, timer and page listeners (`js/io.js` in the browser).
    io: I,
    /// The Web Lock and BroadcastChannel name of a shared connection: the endpoint.
    lock_name: String,
    /// Which version (stamp) of the registry's remembered entry each slot of the handler
    /// table holds, with its code decoded and its handler list (0: none yet).
    held: [Cell<u32>; KNOWN],
}

impl<I: Io, T: Table> Drop for Driver<I, T> {
    fn drop(&mut self) {
        self.table.clear();
    }
}

impl<I: Io, T: Table> Driver<I, T> {
    /// A closed manager for `cfg`, opening `url` and polling `notifications_url`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `cfg` does not validate.
    pub fn new(
        cfg: Config,
        seed: u64,
        url: String,
        notifications_url: String,
        table: T,
        io: I,
    ) -> Result<Driver<I, T>, Error> {
        let core = Manager::new(cfg, seed)?;
        // No `format!`: core::fmt stays out of the wasm.
        let lock_name = cat(&["wok-push ", &url, " ", &notifications_url]);
        Ok(Driver {
            table,
            draining: Cell::new(false),
            core: RefCell::new(core),
            url,
            notifications_url,
            io,
            lock_name,
            held: Default::default(),
        })
    }

    /// Its world.
    pub fn io(&self) -> &I {
        &self.io
    }

    /// Its handlers.
    pub fn table(&self) -> &T {
        &self.table
    }

    /// One mutation made by an API call, now; see [`Driver::input_at`].
    pub fn input(&self, input: Input) {
        self.input_at(self.io.now(), input);
    }

    /// One mutation by an event at `now`, then (unless a drain is already running) drain
    /// and re-arm.
    pub fn input_at(&self, now: u64, input: Input) {
        let closed = {
            let mut core = self.core.borrow_mut();
            let was = core.is_closed();
            core.handle(now, input);
            !was && core.is_closed()
        };
        if closed {
            // Before anything else runs: no handler is called after `close()`.
            self.table.bump_epoch();
        }
        if !self.draining.get() {
            self.drain(now);
        }
    }

    /// Called by the timer, which fired at `at`.
    pub fn timer_fired(&self, at: u64) {
        self.io.fired();
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
        self.io.arm(deadline, now);
    }

    fn execute(&self, out: Output) {
        match out {
            Output::OpenSocket(gen) => {
                if !self.io.open_socket(&self.url, gen) {
                    self.core
                        .borrow_mut()
                        .handle(self.io.now(), Input::SocketUnavailable(gen));
                }
            }
            Output::CloseSocket(gen) => self.io.close_socket(gen),
            Output::Send(gen, protocol) => self.io.send_heartbeat(gen, protocol),
            Output::Fetch(gen) => self.io.start_fetch(&self.notifications_url, gen),
            Output::AbortFetch => self.io.abort_fetch(),
            Output::State(change) => self.state_changed(change),
            Output::Deliver(msg, to, n) => self.deliver(&msg, &to, n),
            Output::Resync(ids) => self.resync(&ids),
            Output::Error(e) => self.table.emit_error(&e),
            Output::Elect => self.io.elect(&self.lock_name),
            Output::Resign => self.io.resign(),
            Output::Publish(b) => self.io.publish(&b),
            Output::Dropped(ids) => self.forget(&ids),
        }
    }

    fn state_changed(&self, c: StateChange) {
        if c.state == State::Closed || c.previous == State::Closed {
            self.io.page(c.state != State::Closed);
        }
        self.table.emit_state(
            c.previous.code(),
            c.state.code(),
            c.reason.code(),
            c.retry_in.map_or(-1.0, |ms| ms as f64),
        );
    }

    /// Calls the handlers `to` names. A remembered code's slot crosses alone while the
    /// table holds that version of the entry: no list, no code, no allocation, no
    /// comparison per message (a burst of one code, WoK's resource code and
    /// `POST:/wok/logs` in turn). Otherwise the code and the ids cross, and the slot keeps
    /// them.
    fn deliver(&self, msg: &Message, to: &To, coalesced: u32) {
        let n = &msg.notice;
        let known;
        let (slot, ids) = match *to {
            To::Ids(ref ids) => (ONE_OFF, Some(ids.as_slice())),
            To::Known { slot, stamp } => {
                let held = self.held.get(usize::from(slot));
                let fresh = held.map_or(true, |h| h.replace(stamp) != stamp);
                // Copied: the core is not borrowed while handlers run.
                known = fresh.then(|| self.core.borrow().registry().ids(to).to_vec());
                (u32::from(slot), known.as_deref())
            }
        };
        let failed = self.table.dispatch(
            slot,
            ids,
            &n.code,
            msg.source as u8,
            n.message.as_deref(),
            n.timestamp.as_deref(),
            coalesced,
        );
        self.report(failed);
    }

    fn resync(&self, ids: &[SubId]) {
        self.table.emit_resync();
        for &id in ids {
            let pattern = self
                .core
                .borrow()
                .registry()
                .get(id)
                .map(|s| s.pattern.clone());
            if let Some(p) = pattern {
                let failed = self.table.dispatch(
                    ONE_OFF,
                    Some(&[id]),
                    &p,
                    Source::Resync as u8,
                    None,
                    None,
                    0,
                );
                self.report(failed);
            }
        }
    }

    /// Reports each of the `failed` handlers of the last dispatch that threw, with its tab.
    fn report(&self, failed: u32) {
        // Usually none: then nothing crosses back. The table still holds the code.
        for i in 0..failed {
            let tab = self
                .core
                .borrow()
                .registry()
                .get(self.table.failed_id(i))
                .and_then(|s| s.tab.clone());
            self.table.report_threw(i, tab.as_deref());
        }
    }

    /// Forgets the handlers of `ids` (subscriptions the core dropped).
    fn forget(&self, ids: &[SubId]) {
        for &id in ids {
            self.table.remove_sub(id);
        }
    }

    /// Adds a subscription (the caller registers its handler under the id); returns its id.
    pub fn subscribe(&self, pattern: &str, options: SubOptions) -> SubId {
        self.core
            .borrow_mut()
            .subscribe(self.io.now(), pattern, options)
    }

    /// Removes a subscription; `false` when already gone.
    pub fn unsubscribe(&self, id: SubId) -> bool {
        self.table.remove_sub(id);
        self.core.borrow_mut().unsubscribe(id)
    }

    /// Drops every subscription of `tab`; returns how many.
    pub fn close_tab(&self, tab: &str) -> usize {
        let ids = self.core.borrow_mut().close_tab(tab);
        self.forget(&ids);
        ids.len()
    }

    /// Reads the core (briefly; never held across user code).
    pub fn with_core<R>(&self, f: impl FnOnce(&Manager) -> R) -> R {
        f(&self.core.borrow())
    }
}
