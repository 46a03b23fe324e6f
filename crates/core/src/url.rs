//! WoK's endpoints: the push token path and the notifications feed. The shell's JS resolves
//! them against the page with the browser's `URL` (`js/options.js`, generated from these).

/// WoK's constant push token: URL-safe base64 of `woknotifications`, without padding.
pub const TOKEN_PATH: &str = "/websockify?token=d29rbm90aWZpY2F0aW9ucw";

/// WoK's notifications feed (`GET`).
pub const NOTIFICATIONS_URL: &str = "/notifications";
