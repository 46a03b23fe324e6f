//! A simulated world for the sans-IO core: a simulated clock and a scripted fake WoK server
//! (websocket + `/notifications`), quinn/str0m style. `drive(ms)` advances to each next
//! deadline or world event in order, and fails on a livelock (too many steps).
#![allow(dead_code)]

use std::collections::BTreeMap;
use wok_push::core::{
    Config, FetchResult, Frame, Gen, Input, Manager, Output, State, StateChange, SubId, SubOptions,
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

pub struct Sim {
    pub m: Manager,
    pub now: u64,
    pub latency: u64,
    pub upgrade: Upgrade,
    pub feed: Feed,
    pub protocol: &'static str,
    /// The notification store: code -> timestamp.
    pub store: Vec<(String, String)>,
    /// Scheduled world events: (time, seq) -> input.
    events: BTreeMap<(u64, u64), Input>,
    seq: u64,
    /// The socket the server considers open (gen).
    pub open_sock: Option<Gen>,
    /// Everything the core asked for, with its time.
    pub log: Vec<(u64, Output)>,
    pub steps: u64,
}

impl Sim {
    pub fn new(cfg: Config) -> Sim {
        Sim {
            m: Manager::new(cfg, 12345).expect("valid config"),
            now: 1_000,
            latency: 10,
            upgrade: Upgrade::Accept,
            feed: Feed::Ok,
            protocol: "binary",
            store: Vec::new(),
            events: BTreeMap::new(),
            seq: 0,
            open_sock: None,
            log: Vec::new(),
            steps: 0,
        }
    }

    pub fn default() -> Sim {
        Sim::new(Config::default())
    }

    fn schedule(&mut self, at: u64, input: Input) {
        self.seq += 1;
        self.events.insert((at, self.seq), input);
    }

    /// Feeds an input now and carries out the outputs.
    pub fn input(&mut self, input: Input) {
        self.m.handle(self.now, input);
        self.outputs();
    }

    fn outputs(&mut self) {
        while let Some(o) = self.m.poll_output() {
            self.log.push((self.now, o.clone()));
            match o {
                Output::OpenSocket(g) => {
                    let at = self.now + self.latency;
                    match self.upgrade {
                        Upgrade::Accept => {
                            self.schedule(at, Input::SocketOpened(g, self.protocol.into()))
                        }
                        Upgrade::Refuse => self.schedule(at, Input::SocketClosed(g)),
                        Upgrade::KillAfter(ms) => {
                            self.schedule(at, Input::SocketOpened(g, self.protocol.into()));
                            self.schedule(at + ms, Input::SocketClosed(g));
                        }
                        Upgrade::Hang => {}
                        Upgrade::Unavailable => {
                            self.m.handle(self.now, Input::SocketUnavailable(g))
                        }
                    }
                    if matches!(self.upgrade, Upgrade::Accept | Upgrade::KillAfter(_)) {
                        self.open_sock = Some(g);
                    }
                }
                Output::CloseSocket(g) if self.open_sock == Some(g) => {
                    self.open_sock = None;
                }
                Output::Fetch(g) => {
                    let answer = match &self.feed {
                        Feed::Ok => FetchResult::Answer(200, self.feed_body()),
                        Feed::Status(s, b) => FetchResult::Answer(*s, b.clone()),
                        Feed::Body(b) => FetchResult::Answer(200, b.clone()),
                        Feed::Fail => FetchResult::Failed,
                    };
                    let at = self.now + self.latency;
                    self.schedule(at, Input::Fetched(g, answer));
                }
                _ => {}
            }
        }
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

    /// The server pushes `text` (raw stream bytes) to the open socket, now.
    pub fn push(&mut self, text: &str) {
        if let Some(g) = self.open_sock {
            self.input(Input::SocketFrame(
                g,
                Frame::Binary(text.as_bytes().to_vec()),
            ));
        }
    }

    /// The server drops the open socket, now.
    pub fn drop_socket(&mut self) {
        if let Some(g) = self.open_sock.take() {
            self.input(Input::SocketClosed(g));
        }
    }

    /// Advances the clock by `ms`, firing timers and world events in time order.
    pub fn drive(&mut self, ms: u64) {
        let end = self.now + ms;
        loop {
            self.steps += 1;
            assert!(self.steps < 1_000_000, "livelock: too many steps");
            let timer = self.m.poll_timeout().filter(|&t| t <= end);
            let event = self
                .events
                .keys()
                .next()
                .copied()
                .filter(|&(t, _)| t <= end);
            match (timer, event) {
                (None, None) => break,
                (Some(t), ev) if ev.map_or(true, |(et, _)| t < et) => {
                    self.now = self.now.max(t);
                    self.input(Input::Timer);
                }
                (_, Some(key)) => {
                    let input = self.events.remove(&key).expect("event");
                    self.now = self.now.max(key.0);
                    self.input(input);
                }
                (Some(_), None) => unreachable!(),
            }
        }
        self.now = end;
    }

    /// Drives until `state` (or panics after `ms`).
    pub fn drive_until_state(&mut self, state: State, ms: u64) {
        for _ in 0..ms {
            if self.m.state() == state {
                return;
            }
            self.drive(1);
        }
        assert_eq!(self.m.state(), state, "state not reached in {ms} ms");
    }

    pub fn states(&self) -> Vec<StateChange> {
        self.log
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
        self.log.iter().filter(|(_, o)| f(o)).count()
    }

    pub fn count_since(&self, t: u64, f: impl Fn(&Output) -> bool) -> usize {
        self.log.iter().filter(|(at, o)| *at >= t && f(o)).count()
    }

    /// Codes delivered (to any subscriber), with sources, in order.
    pub fn delivered(&self) -> Vec<(String, &'static str)> {
        self.log
            .iter()
            .filter_map(|(_, o)| match o {
                Output::Deliver(m, ..) => Some((m.notice.code.clone(), m.source.as_str())),
                _ => None,
            })
            .collect()
    }

    pub fn subscribe_all(&mut self) -> SubId {
        subscribe_all(&mut self.m, self.now)
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
