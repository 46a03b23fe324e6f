//! # wok-push
//!
//! One websocket per page for every WoK plugin tab: dispatch by message code, automatic
//! reconnect with jittered backoff, fallback to polling `GET /notifications` and back,
//! catch-up and `resync` after every gap.
//!
//! - [`core`] is the pure, sans-IO state machine (host-testable, no browser types).
//! - `web` (wasm32 only) is the browser shell and the `#[wasm_bindgen]` API.
//!
//! The shipped wasm is built `no_std` (feature `shipped`, set by `scripts/build.mjs`) with its
//! own panic handler: a panic traps, and none of `core::fmt` or the panic messages is linked
//! (bytes). Everything else builds with std.
#![deny(missing_docs)]
#![cfg_attr(all(target_arch = "wasm32", feature = "shipped"), no_std)]

extern crate alloc;

/// The sans-IO core: the `wok-push-core` crate (`crates/core`), which has no wasm, web or JS
/// dependency, so the compiler keeps it pure.
#[cfg(not(feature = "shipped"))]
pub use wok_push_core as core;

// The shipped wasm compiles the same sources as a module of this crate: one crate for LLVM is
// 438 B gz smaller than two under LTO (measured, docs/performance.md). What those sources may
// use is still the crate's (`cargo clippy`, `cargo test` and the lint's dependency check build
// it alone), and their `crate::` paths find the same names here.
#[cfg(feature = "shipped")]
#[allow(unused_attributes, missing_docs, unexpected_cfgs)]
#[path = "../crates/core/src/lib.rs"]
pub mod core;

// The core's names at this crate's root, in both forms: the core's `crate::` paths when its
// sources are a module here, and the one `prelude` (alloc names, `cat`) the shell uses too.
#[allow(unused_imports)]
use core::*;

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
