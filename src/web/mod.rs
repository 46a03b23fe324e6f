//! The browser shell (wasm32 only). Owns every JS resource: the `WebSocket` and its
//! handlers, the `fetch` and its `AbortController`, the one timer, page lifecycle listeners,
//! and the handler table (the public API and the page singleton are the JS facade,
//! `js/api.js`, over [`api::Engine`]). It turns browser events into core inputs and
//! carries out core outputs; it makes no protocol decision of its own.

pub mod api;
pub mod codec;
pub mod handlers;
pub mod js;
pub mod options;
pub mod port;
