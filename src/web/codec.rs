//! The browser [`Platform`] of the core: `JSON.parse` and `atob` (`js/codec.js`), so the
//! shipped wasm carries no JSON or base64 engine. Owns: the conversion of their results.

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wok_push_core::prelude::*;
use wok_push_core::{Json, Notice, Platform};

#[wasm_bindgen(module = "/js/codec.js")]
extern "C" {
    #[wasm_bindgen(js_name = readNotices)]
    fn read_notices(text: &str, max: f64) -> JsValue;
    #[wasm_bindgen(js_name = fromBase64)]
    fn from_base64(text: &str) -> Option<String>;
}

/// The browser platform.
pub const PLATFORM: Platform = Platform { json, base64 };

fn json(text: &str, max: usize) -> Json {
    let v = read_notices(text, max as f64);
    if let Some(k) = v.as_f64() {
        return match k as u8 {
            1 => Json::Malformed,
            3 => Json::TooMany,
            _ => Json::OtherShape,
        };
    }
    let a: Array = v.unchecked_into();
    let mut items = Vec::new();
    let mut i = 1;
    while i + 2 < a.length() {
        items.push(Notice {
            code: a.get(i).as_string().unwrap_or_default(),
            message: a.get(i + 1).as_string(),
            timestamp: a.get(i + 2).as_string(),
        });
        i += 3;
    }
    Json::Notices {
        array: a.get(0).is_truthy(),
        items,
    }
}

/// `atob` gives a binary string: one char per byte, each below 256.
fn base64(text: &str) -> Option<Vec<u8>> {
    from_base64(text).map(|s| s.chars().map(|c| c as u32 as u8).collect())
}
