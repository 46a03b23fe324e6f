//! The host [`Platform`]: JSON with `miniserde` and base64 with the `base64` crate, for
//! tests, the simulator and fuzzing (never in the wasm, where the browser's `JSON.parse`
//! and `atob` do it). Follows the rules of `platform.rs`.

use super::notice::Notice;
use super::platform::{Json, Platform};
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
}
