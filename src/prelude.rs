//! The `alloc` names every module of the shell uses, and the core's [`cat`] (one copy of it
//! in the wasm), the same with std (host, tests) and without it (the shipped wasm, built
//! `no_std` with the `shipped` feature).

pub use alloc::string::String;
pub use alloc::vec::Vec;
pub use wok_push_core::prelude::cat;
