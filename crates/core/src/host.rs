//! The host [`Platform`]: JSON with `miniserde` and base64 with the `base64` crate, for
//! tests, the simulator and fuzzing (never in the wasm, where the browser's `JSON.parse`
//! and `atob` do it). Follows the rules of `platform.rs`.

use super::error::Error;
use super::notice::Notice;
use super::platform::{read_feed, read_json_notices, Json, Platform};
use crate::prelude::*;
use alloc::vec;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use miniserde::de::Visitor;
use miniserde::Deserialize;

/// The host platform.
pub const PLATFORM: Platform = Platform { json, base64 };

/// Lenient standard-alphabet base64 (padding optional), as websockify 0.8 writes it.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn base64(text: &str) -> Option<Vec<u8>> {
    B64.decode(text.trim()).ok()
}

/// Any JSON value, read and thrown away: tells broken JSON from JSON of another shape
/// without building a value tree.
struct AnyJson;

impl Deserialize for AnyJson {
    fn begin(out: &mut Option<Self>) -> &mut dyn Visitor {
        *out = Some(AnyJson);
        <dyn Visitor>::ignore()
    }
}

/// The wire shape of a notification.
#[derive(Deserialize)]
struct Wire {
    code: String,
    message: Option<String>,
    timestamp: Option<String>,
}

impl From<Wire> for Notice {
    fn from(w: Wire) -> Notice {
        Notice {
            code: w.code,
            message: w.message,
            timestamp: w.timestamp,
        }
    }
}

fn json(text: &str, max: usize) -> Json {
    let t = text.trim_start();
    let parsed = if t.starts_with('[') {
        miniserde::json::from_str::<Vec<Wire>>(t).map(|v| (true, v))
    } else {
        miniserde::json::from_str::<Wire>(t).map(|n| (false, vec![n]))
    };
    match parsed {
        Ok((_, items)) if items.len() > max => Json::TooMany,
        Ok((array, items)) => Json::Notices {
            array,
            items: items.into_iter().map(Notice::from).collect(),
        },
        Err(_) => match miniserde::json::from_str::<AnyJson>(t) {
            Ok(_) => Json::OtherShape,
            Err(_) => Json::Malformed,
        },
    }
}

/// [`read_json_notices`] on the host platform.
///
/// # Errors
/// As [`read_json_notices`].
pub fn parse_json_notices(text: &str) -> Result<Vec<Notice>, Error> {
    read_json_notices(PLATFORM.json, text, usize::MAX)
}

/// [`read_feed`] on the host platform.
///
/// # Errors
/// As [`read_feed`].
pub fn parse_feed(body: &str, max: usize) -> Result<Vec<Notice>, Error> {
    read_feed(PLATFORM.json, body, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(json("{\"code\":", 9), Json::Malformed);
        assert_eq!(json("[1]", 9), Json::OtherShape);
        assert_eq!(json("{\"code\":\"A\",\"message\":5}", 9), Json::OtherShape);
        assert_eq!(
            json("[{\"code\":\"A\"},{\"code\":\"B\"}]", 1),
            Json::TooMany
        );
        assert_eq!(
            json("{\"code\":\"A\",\"message\":null,\"x\":[1]}", 9),
            Json::Notices {
                array: false,
                items: vec![Notice::code("A")]
            }
        );
        assert_eq!(base64("aGVhcnRiZWF0"), Some(b"heartbeat".to_vec()));
        assert_eq!(base64("aGVhcnRiZWE"), Some(b"heartbea".to_vec()));
        assert_eq!(base64("not base64!"), None);
    }

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
        // JSON's own whitespace before it is fine; nothing, or whitespace only, is not JSON.
        assert_eq!(parse_feed(" \r\n\t[]", 10), Ok(vec![]));
        assert_eq!(parse_feed("", 10), Err(Error::NotJson));
        assert_eq!(parse_feed(" \n ", 10), Err(Error::NotJson));
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
