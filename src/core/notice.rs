//! What a message is once decoded. Owns: [`Notice`], [`Message`], [`Source`], and the JSON
//! shape of a WoK notification (`{code, message?, timestamp?}`), parsed with miniserde.

use super::error::Error;
use super::platform::{Json, JsonFn};
use crate::prelude::*;

/// Where a delivered message came from; `msg.source` in JS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Source {
    /// Came over the websocket.
    Push,
    /// Found by `GET /notifications` (periodic poll or catch-up).
    Poll,
    /// Not a message: a call telling a handler that asked for it to refresh after a gap.
    Resync,
}

impl Source {
    /// The JS string of this source.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Push => "push",
            Source::Poll => "poll",
            Source::Resync => "resync",
        }
    }
}

/// One decoded message: a code and, for notifications, their text and first-seen time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The dispatch key, e.g. `METHOD:/kimchi/vms` or `KCHCONN0002E`.
    pub code: String,
    /// The notification text (WoK prefixes it with the code).
    pub message: Option<String>,
    /// WoK's local ISO timestamp of the first time the notification was raised.
    pub timestamp: Option<String>,
}

impl Notice {
    /// A bare WoK push message: only a code.
    pub fn code(code: &str) -> Notice {
        Notice {
            code: code.into(),
            message: None,
            timestamp: None,
        }
    }
}

/// A notice on its way to subscribers, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The decoded message.
    pub notice: Notice,
    /// Its source.
    pub source: Source,
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

/// [`read_json_notices`] on the host platform (host builds only).
///
/// # Errors
/// As [`read_json_notices`].
#[cfg(not(target_arch = "wasm32"))]
pub fn parse_json_notices(text: &str) -> Result<Vec<Notice>, Error> {
    read_json_notices(super::host::PLATFORM.json, text, usize::MAX)
}

/// Reads the body of `GET /notifications` with `json`: a JSON array of notifications.
///
/// # Errors
/// [`Error::NotJson`] when the body does not even start like JSON (an HTML page, say),
/// [`Error::MalformedJson`] when it starts like JSON but does not parse (truncated),
/// [`Error::BadShape`] when it is valid JSON but not an array of `{code: string, …}`,
/// [`Error::TooManyNotifications`] past `max` items.
pub fn read_feed(json: JsonFn, body: &str, max: usize) -> Result<Vec<Notice>, Error> {
    let t = body.trim_start();
    if !(t.starts_with('[') || t.starts_with('{')) {
        return Err(Error::NotJson);
    }
    match json(t, max) {
        Json::Notices { array: true, items } => Ok(items),
        Json::Notices { array: false, .. } | Json::OtherShape => Err(Error::BadShape),
        Json::Malformed => Err(Error::MalformedJson),
        Json::TooMany => Err(Error::TooManyNotifications),
    }
}

/// [`read_feed`] on the host platform (host builds only).
///
/// # Errors
/// As [`read_feed`].
#[cfg(not(target_arch = "wasm32"))]
pub fn parse_feed(body: &str, max: usize) -> Result<Vec<Notice>, Error> {
    read_feed(super::host::PLATFORM.json, body, max)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn feed_shapes() {
        let body = "[\n  {\n    \"code\":\"KCHCONN0002E\",\n    \"message\":\"KCHCONN0002E: Libvirt down\",\n    \"timestamp\":\"2020-10-18T16:45:36.123456\"\n  }\n]";
        let items = parse_feed(body, 10).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].code, "KCHCONN0002E");
        assert_eq!(
            items[0].timestamp.as_deref(),
            Some("2020-10-18T16:45:36.123456")
        );
        assert_eq!(parse_feed("[]", 10), Ok(vec![]));
        assert_eq!(parse_feed("<html>login</html>", 10), Err(Error::NotJson));
        assert_eq!(parse_feed("[{\"code\":", 10), Err(Error::MalformedJson));
        assert_eq!(
            parse_feed("[{\"code\":\"A\"}", 10),
            Err(Error::MalformedJson)
        );
        assert_eq!(
            parse_feed("{\"error\": [1, 2.5, null, true]}", 10),
            Err(Error::BadShape)
        );
        assert_eq!(
            parse_feed("[{\"message\":\"x\"}]", 10),
            Err(Error::BadShape)
        );
        assert_eq!(parse_feed("[{\"code\":5}]", 10), Err(Error::BadShape));
        assert_eq!(parse_feed("{\"code\":\"A\"}", 10), Err(Error::BadShape));
        assert_eq!(
            parse_feed("[{\"code\":\"A\"},{\"code\":\"B\"}]", 1),
            Err(Error::TooManyNotifications)
        );
    }

    #[test]
    fn json_messages() {
        assert_eq!(
            parse_json_notices("{\"code\":\"A\",\"extra\":1}"),
            Ok(vec![Notice::code("A")])
        );
        assert_eq!(
            parse_json_notices("[{\"code\":\"A\"},{\"code\":\"B\"}]").map(|v| v.len()),
            Ok(2)
        );
        assert_eq!(
            parse_json_notices("{\"nocode\":1}"),
            Err(Error::InvalidJson)
        );
    }
}
