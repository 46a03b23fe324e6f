//! Typed errors of the core. Owns: [`Error`], its stable string codes and messages.
//!
//! The shell turns an [`Error`] into a JS `Error` once, at the boundary, with
//! `err.code` set to [`Error::code`] and `err.message` to [`Error::message`].

use crate::prelude::*;
/// Everything that can go wrong in wok-push, as a value. Nothing here panics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// An option had a bad value; the payload names the option.
    InvalidOption(&'static str),
    /// A message grew past the partial-message limit without a `//EOM//` marker;
    /// the partial data was dropped.
    FrameTooLong,
    /// A complete message was not valid UTF-8; it was dropped.
    InvalidUtf8,
    /// A text frame on a `base64` connection was not valid base64; it was dropped.
    InvalidBase64,
    /// With `format: 'json'`, a message was not a JSON notification.
    InvalidJson,
    /// `GET /notifications` answered 401: the WoK session ended. The manager is closed
    /// (reason `session-expired`) until `connect()`/`reconnect()` or a login in another tab.
    SessionExpired,
    /// `GET /notifications` answered with this non-success HTTP status.
    HttpStatus(u16),
    /// `GET /notifications` answered something that is not JSON (an HTML login page, say).
    NotJson,
    /// `GET /notifications` answered valid JSON that is not `[{code, message?, timestamp?}]`:
    /// a wrong endpoint or an incompatible server version.
    BadShape,
    /// `GET /notifications` answered a body that starts like JSON but does not parse
    /// (truncated or corrupted: a broken body, a proxy cutting the answer).
    MalformedJson,
    /// `GET /notifications` answered more items than wok-push accepts in one answer.
    TooManyNotifications,
    /// The `GET /notifications` request failed at the network level or was reset.
    Network,
    /// The `GET /notifications` request got no answer within `fetchTimeoutMs`; aborted.
    FetchTimeout,
    /// The browser has no usable `WebSocket`, or the URL was refused by the constructor.
    WebSocketUnavailable,
    /// A subscriber's handler threw; the others were still called.
    HandlerThrew,
}

impl Error {
    /// Stable machine-readable code, used as `err.code` in JS.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidOption(_) => "invalid-option",
            Error::FrameTooLong => "frame-too-long",
            Error::InvalidUtf8 => "invalid-utf8",
            Error::InvalidBase64 => "invalid-base64",
            Error::InvalidJson => "invalid-json",
            Error::SessionExpired => "session-expired",
            Error::HttpStatus(_) => "http-status",
            Error::NotJson => "not-json",
            Error::BadShape => "bad-shape",
            Error::MalformedJson => "malformed-json",
            Error::TooManyNotifications => "too-many-notifications",
            Error::Network => "network",
            Error::FetchTimeout => "fetch-timeout",
            Error::WebSocketUnavailable => "websocket-unavailable",
            Error::HandlerThrew => "handler-threw",
        }
    }

    /// Human-readable message (English), used as `err.message` in JS.
    pub fn message(&self) -> String {
        let base = match self {
            Error::InvalidOption(_) => "wok-push: invalid option: ",
            Error::FrameTooLong => {
                "wok-push: message exceeded the size limit without //EOM//; dropped"
            }
            Error::InvalidUtf8 => "wok-push: message is not valid UTF-8; dropped",
            Error::InvalidBase64 => "wok-push: base64 frame is not valid base64; dropped",
            Error::InvalidJson => "wok-push: message is not a JSON notification; dropped",
            Error::SessionExpired => {
                "wok-push: GET /notifications answered 401 (session expired); closed until connect() or reconnect()"
            }
            Error::HttpStatus(_) => "wok-push: GET /notifications failed with HTTP ",
            Error::NotJson => "wok-push: GET /notifications did not answer JSON",
            Error::BadShape => {
                "wok-push: GET /notifications answered JSON of an unexpected shape (not [{code, message, timestamp}]): wrong URL or server version?"
            }
            Error::MalformedJson => {
                "wok-push: GET /notifications answered broken JSON (truncated or corrupted body)"
            }
            Error::TooManyNotifications => "wok-push: GET /notifications answered too many items",
            Error::Network => "wok-push: GET /notifications failed (network)",
            Error::FetchTimeout => "wok-push: GET /notifications got no answer in time; aborted",
            Error::WebSocketUnavailable => "wok-push: WebSocket unavailable; using polling",
            Error::HandlerThrew => "wok-push: a subscriber's handler threw",
        };
        let mut s = String::from(base);
        match self {
            Error::InvalidOption(name) => s.push_str(name),
            Error::HttpStatus(status) => push_u32(&mut s, u32::from(*status)),
            _ => {}
        }
        s
    }
}

/// Appends a decimal number without pulling in `core::fmt` (bytes matter in the wasm).
pub(crate) fn push_u32(s: &mut String, n: u32) {
    if n >= 10 {
        push_u32(s, n / 10);
    }
    s.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_detail() {
        assert_eq!(
            Error::InvalidOption("heartbeatMs").message(),
            "wok-push: invalid option: heartbeatMs"
        );
        assert!(Error::HttpStatus(503).message().ends_with("HTTP 503"));
        assert_eq!(Error::HttpStatus(0).message().chars().last(), Some('0'));
        assert_eq!(Error::SessionExpired.code(), "session-expired");
    }
}
