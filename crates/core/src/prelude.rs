//! The `alloc` names every module uses, the same with std (host, tests) and without it
//! (the shipped wasm, built `no_std` with the `shipped` feature).

pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;

/// Concatenates `parts` into one `String`, like `parts.concat()` but smaller in the wasm
/// (`concat` links a generic join with its own overflow checks and panics: ~1 KB).
pub fn cat(parts: &[&str]) -> String {
    let mut s = String::new();
    for p in parts {
        s.push_str(p);
    }
    s
}
