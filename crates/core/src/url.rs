//! Websocket URLs. Owns: WoK's push token path, the default URL for a page, and turning a
//! user-given URL into a websocket URL (`https:` pages get `wss:`).

use crate::prelude::*;
/// WoK's constant push token: URL-safe base64 of `woknotifications`, without padding.
pub const TOKEN_PATH: &str = "/websockify?token=d29rbm90aWZpY2F0aW9ucw";

/// The default websocket URL for a page at `host` (`hostname[:port]`, no stray `:` when
/// the port is empty), served over `https:` when `secure`.
pub fn default_url(secure: bool, host: &str) -> String {
    cat(&[scheme(secure), host, TOKEN_PATH])
}

/// `wss://` for an `https:` page, `ws://` otherwise.
fn scheme(secure: bool) -> &'static str {
    if secure {
        "wss://"
    } else {
        "ws://"
    }
}

/// Makes `url` a websocket URL: `http(s):` becomes `ws(s):`, a path is taken relative to
/// the page's host (`secure`: the page is served over `https:`).
pub fn ws_url(url: &str, secure: bool, host: &str) -> String {
    if let Some(rest) = url.strip_prefix("https:") {
        cat(&["wss:", rest])
    } else if let Some(rest) = url.strip_prefix("http:") {
        cat(&["ws:", rest])
    } else if url.starts_with('/') && !url.starts_with("//") {
        cat(&[scheme(secure), host, url])
    } else {
        url.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_pages_use_wss_and_no_stray_colon() {
        assert_eq!(
            default_url(true, "wok.example:8001"),
            "wss://wok.example:8001/websockify?token=d29rbm90aWZpY2F0aW9ucw"
        );
        assert_eq!(
            default_url(true, "wok.example"),
            "wss://wok.example/websockify?token=d29rbm90aWZpY2F0aW9ucw"
        );
        assert_eq!(
            default_url(false, "127.0.0.1:8123"),
            "ws://127.0.0.1:8123/websockify?token=d29rbm90aWZpY2F0aW9ucw"
        );
    }

    #[test]
    fn given_urls_are_converted() {
        assert_eq!(
            ws_url("https://h/websockify?token=t", false, "x"),
            "wss://h/websockify?token=t"
        );
        assert_eq!(ws_url("http://h/p", true, "x"), "ws://h/p");
        assert_eq!(
            ws_url("/wok/websockify?token=t", true, "h:1"),
            "wss://h:1/wok/websockify?token=t"
        );
        assert_eq!(ws_url("wss://h/p", false, "x"), "wss://h/p");
    }
}
