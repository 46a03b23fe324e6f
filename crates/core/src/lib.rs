//! The sans-IO core: every decision of wok-push, as a deterministic state machine.
//!
//! Pure Rust (no web-sys, js-sys or wasm-bindgen): it never reads a clock, never sleeps,
//! never starts a timer and never does I/O. Inputs go in with
//! [`Manager::handle`]`(now_ms, input)`; outputs come out of [`Manager::poll_output`]; the next
//! deadline is [`Manager::poll_timeout`]. The browser shell (`src/web`) only carries them out.
//!
//! ```
//! use wok_push_core::{Config, Input, Manager, Output};
//! let mut m = Manager::new(Config::default(), 42).unwrap();
//! m.handle(0, Input::Connect);
//! assert_eq!(m.poll_output().map(|o| matches!(o, Output::State(_))), Some(true));
//! assert_eq!(m.poll_output(), Some(Output::OpenSocket(1)));
//! ```

#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub mod prelude;

pub mod backoff;
pub mod coalesce;
pub mod config;
pub mod dedupe;
pub mod error;
pub mod frame;
#[cfg(feature = "host")]
pub mod host;
pub mod io;
pub mod manager;
pub mod notice;
pub mod platform;
pub mod registry;
pub mod state;
pub mod url;

pub use config::{Config, Format, Kind, Opt};
pub use error::Error;
pub use frame::{Frame, Protocol};
pub use io::{Broadcast, FetchResult, Gen, Input, Output, Role, Stats};
pub use manager::Manager;
pub use notice::{Message, Notice, Source};
pub use platform::{Json, Platform};
pub use registry::{SubId, SubOptions, To};
pub use state::{Reason, State, StateChange, Transport};
