//! The `alloc` names every module uses, the same with std (host, tests) and without it
//! (the shipped wasm, built `no_std` with the `shipped` feature).

pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
