//! # wok-push
//!
//! One websocket per page for every WoK plugin tab: dispatch by message code, automatic
//! reconnect with jittered backoff, fallback to polling `GET /notifications` and back,
//! catch-up and `resync` after every gap.
//!
//! - [`core`] is the pure, sans-IO state machine (host-testable, no browser types).
//! - `web` (wasm32 only) is the browser shell and the `#[wasm_bindgen]` API.
#![deny(missing_docs)]

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod web;

/// The wasm allocator: talc is several KB smaller than the default dlmalloc.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
