//! # wok-push
//!
//! One websocket per page for every WoK plugin tab: dispatch by message code, automatic
//! reconnect with jittered backoff, fallback to polling `GET /notifications` and back,
//! catch-up and `resync` after every gap.
//!
//! - [`wok_push_core`] is the pure, sans-IO state machine (host-testable, no browser types).
//! - [`driver`] carries the core's outputs out through an [`driver::Io`] and a
//!   [`driver::Table`] of handlers (the browser's in `web`, a simulated world's in host tests).
//! - `web` (wasm32 only) is the browser shell and the `#[wasm_bindgen]` API.
//!
//! The shipped wasm is built `no_std` (feature `shipped`, set by `scripts/build.mjs`) with its
//! own panic handler: a panic traps, and none of `core::fmt` or the panic messages is linked
//! (bytes). Everything else builds with std.
#![deny(missing_docs)]
#![cfg_attr(all(target_arch = "wasm32", feature = "shipped"), no_std)]

extern crate alloc;

/// The sans-IO core: the `wok-push-core` crate (`crates/core`), an ordinary dependency with no
/// wasm, web or JS dependency of its own, so the compiler keeps it pure.
pub use wok_push_core;

pub mod boundary;
pub mod driver;
#[cfg(target_arch = "wasm32")]
pub mod web;

/// The wasm allocator: talc is several KB smaller than the default dlmalloc.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The shipped wasm's panic handler: trap (the browser reports a `RuntimeError`); nothing
/// is formatted.
#[cfg(all(target_arch = "wasm32", feature = "shipped"))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    ::core::arch::wasm32::unreachable()
}
