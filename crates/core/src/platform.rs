//! What the core asks of the platform it runs on: reading a JSON text as notifications and
//! decoding base64. Owns: [`Platform`], [`Json`], and the two readers built on the
//! platform's JSON reader: [`read_json_notices`] (a JSON message) and [`read_feed`] (the
//! `GET /notifications` body, with its typed errors). Imports: `notice`, `error`; imported
//! by `frame`, the manager's feed and `host` (the host platform, host builds only).
//!
//! The browser already has `JSON.parse` and `atob`, so the shell passes those (no JSON or
//! base64 engine in the shipped wasm: bytes). Host builds (tests, simulation, fuzzing) use
//! the `miniserde` and `base64` crates (`host.rs`). Both follow the same rules, below.
//!
//! # Rules
//! - A *notification* is a JSON object with a string `code`; `message` and `timestamp` are
//!   strings or absent (`null` counts as absent); other members are ignored.
//! - A text that does not parse is [`Json::Malformed`]; valid JSON that is neither a
//!   notification nor an array of notifications is [`Json::OtherShape`]; an array of more
//!   than `max` items is [`Json::TooMany`].
//! - base64 is the standard alphabet with optional padding; anything else is `None`.

use super::error::Error;
use super::notice::Notice;
use crate::prelude::*;

/// A JSON text, read as notifications.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json {
    /// Not JSON at all (does not parse: truncated, corrupted).
    Malformed,
    /// Valid JSON of another shape.
    OtherShape,
    /// An array of more than `max` items.
    TooMany,
    /// One notification (`array: false`) or an array of them (`array: true`).
    Notices {
        /// Whether the text was an array.
        array: bool,
        /// The notifications, in order.
        items: Vec<Notice>,
    },
}

/// Reads a JSON text (with a bound on array items).
pub type JsonFn = fn(&str, usize) -> Json;
/// Decodes base64 to bytes; `None` when invalid.
pub type Base64Fn = fn(&str) -> Option<Vec<u8>>;

/// The platform functions a manager uses.
#[derive(Clone, Copy, Debug)]
pub struct Platform {
    /// JSON reader.
    pub json: JsonFn,
    /// base64 decoder.
    pub base64: Base64Fn,
}

/// Reads a JSON notification object, or an array of them, with `json`.
///
/// # Errors
/// [`Error::InvalidJson`] when `text` is not one of those shapes (a missing or non-string
/// `code`, say) or holds more than `max` items.
pub fn read_json_notices(json: JsonFn, text: &str, max: usize) -> Result<Vec<Notice>, Error> {
    match json(text, max) {
        Json::Notices { items, .. } => Ok(items),
        _ => Err(Error::InvalidJson),
    }
}

/// Whether `text` starts like a JSON object or array: `{` or `[` after JSON's whitespace
/// (ASCII only: no Unicode decoding, bytes).
pub fn starts_like_json(text: &[u8]) -> bool {
    matches!(
        text.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// Reads the body of `GET /notifications` with `json`: a JSON array of notifications.
///
/// # Errors
/// [`Error::NotJson`] when the body does not even start like JSON (an HTML page, say),
/// [`Error::MalformedJson`] when it starts like JSON but does not parse (truncated),
/// [`Error::BadShape`] when it is valid JSON but not an array of `{code: string, …}`,
/// [`Error::TooManyNotifications`] past `max` items.
pub fn read_feed(json: JsonFn, body: &str, max: usize) -> Result<Vec<Notice>, Error> {
    if !starts_like_json(body.as_bytes()) {
        return Err(Error::NotJson);
    }
    match json(body, max) {
        Json::Notices { array: true, items } => Ok(items),
        Json::Notices { array: false, .. } | Json::OtherShape => Err(Error::BadShape),
        Json::Malformed => Err(Error::MalformedJson),
        Json::TooMany => Err(Error::TooManyNotifications),
    }
}
