//! Typed configuration of the core. Owns: [`Config`], [`Format`], defaults and validation.
//!
//! Option names in errors are the JS names of DESIGN.md §3 (`heartbeatMs`, …).

use super::error::Error;
use super::platform::Platform;

/// How a complete message (the text between `//EOM//` markers) is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON notification objects when the text is one, else the whole text is the code.
    Auto,
    /// Always the whole text is the code (WoK's `METHOD:/app/entity`).
    Wok,
    /// Always a JSON notification (`{code, message?, timestamp?}` or an array of them).
    Json,
}

impl Format {
    /// Parses the JS option value (`'auto' | 'wok' | 'json'`).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `format` for any other string.
    pub fn parse(s: &str) -> Result<Format, Error> {
        match s {
            "auto" => Ok(Format::Auto),
            "wok" => Ok(Format::Wok),
            "json" => Ok(Format::Json),
            _ => Err(Error::InvalidOption("format")),
        }
    }
}

/// Every tunable of the connection manager, in milliseconds unless named otherwise.
#[derive(Clone, Debug)]
pub struct Config {
    /// Message format (`format`, default `Auto`).
    pub format: Format,
    /// Interval of the client heartbeat on an open socket (`heartbeatMs`, 30 000).
    pub heartbeat_ms: u64,
    /// Lower bound of the reconnect and probe backoff (`reconnectMinMs`, 500).
    pub reconnect_min_ms: u64,
    /// Upper bound of the reconnect and probe backoff (`reconnectMaxMs`, 30 000).
    pub reconnect_max_ms: u64,
    /// Interval of `GET /notifications` while polling, jittered ±20 % (`pollIntervalMs`, 3000).
    pub poll_interval_ms: u64,
    /// Failed websocket attempts in a row before polling (`fallbackAfter`, 3).
    pub fallback_after: u32,
    /// Bound on a websocket handshake (`connectTimeoutMs`, 10 000).
    pub connect_timeout_ms: u64,
    /// Bound on one `GET /notifications` (`fetchTimeoutMs`, 15 000).
    pub fetch_timeout_ms: u64,
    /// A socket open this long (or one that delivered a message) proved useful: only then
    /// the attempt counter resets and a probe switches back (`usefulAfterMs`, 5000).
    pub useful_after_ms: u64,
    /// Drop non-persistent tab subscriptions on `hashchange` (`autoTabCleanup`, true).
    pub auto_tab_cleanup: bool,
    /// Largest partial message kept between frames, in bytes (1 MiB).
    pub max_partial_bytes: usize,
    /// Most items accepted in one `GET /notifications` answer (1000).
    pub max_notifications: usize,
    /// How JSON and base64 are read (the browser's own in the shell).
    pub platform: Platform,
    /// Share one connection with the other tabs of the origin (`shareAcrossTabs`; the shell
    /// sets it only where Web Locks and BroadcastChannel exist). Default false in the core.
    pub shared: bool,
}

impl Config {
    /// The defaults (the README's options table), reading JSON and base64 with `platform`.
    pub fn new(platform: Platform) -> Config {
        Config {
            format: Format::Auto,
            heartbeat_ms: 30_000,
            reconnect_min_ms: 500,
            reconnect_max_ms: 30_000,
            poll_interval_ms: 3_000,
            fallback_after: 3,
            connect_timeout_ms: 10_000,
            fetch_timeout_ms: 15_000,
            useful_after_ms: 5_000,
            auto_tab_cleanup: true,
            max_partial_bytes: 1 << 20,
            max_notifications: 1000,
            platform,
            shared: false,
        }
    }
}

/// The defaults on the host platform (`host.rs`: tests, simulation, fuzzing). On wasm32 there
/// is no default: the shell names the browser's platform (`Config::new`).
#[cfg(feature = "host")]
impl Default for Config {
    fn default() -> Self {
        Config::new(super::host::PLATFORM)
    }
}

/// Largest accepted duration: about 24 days, so deadlines never overflow.
pub const MAX_MS: f64 = 2_147_483_647.0;

impl Config {
    /// Checks every value (durations from 1 ms to [`MAX_MS`], `fallbackAfter` from 1 to a
    /// million) and the relations between them: the one place options are validated.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the offending option.
    pub fn validate(&self) -> Result<(), Error> {
        let ms: [(&'static str, u64); 7] = [
            ("heartbeatMs", self.heartbeat_ms),
            ("reconnectMinMs", self.reconnect_min_ms),
            ("reconnectMaxMs", self.reconnect_max_ms),
            ("pollIntervalMs", self.poll_interval_ms),
            ("connectTimeoutMs", self.connect_timeout_ms),
            ("fetchTimeoutMs", self.fetch_timeout_ms),
            ("usefulAfterMs", self.useful_after_ms),
        ];
        for (name, v) in ms {
            if v == 0 || v as f64 > MAX_MS {
                return Err(Error::InvalidOption(name));
            }
        }
        if self.reconnect_max_ms < self.reconnect_min_ms {
            return Err(Error::InvalidOption("reconnectMaxMs"));
        }
        if self.fallback_after == 0 || self.fallback_after > 1_000_000 {
            return Err(Error::InvalidOption("fallbackAfter"));
        }
        Ok(())
    }
}

#[cfg(all(test, feature = "host"))]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_documented_values() {
        let c = Config::default();
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.heartbeat_ms, 30_000);
        assert_eq!((c.reconnect_min_ms, c.reconnect_max_ms), (500, 30_000));
    }

    #[test]
    fn bad_values_name_the_option() {
        let c = Config {
            heartbeat_ms: 0,
            ..Config::default()
        };
        assert_eq!(c.validate(), Err(Error::InvalidOption("heartbeatMs")));
        let c = Config {
            poll_interval_ms: MAX_MS as u64 + 1,
            ..Config::default()
        };
        assert_eq!(c.validate(), Err(Error::InvalidOption("pollIntervalMs")));
        let c = Config {
            reconnect_max_ms: 100,
            ..Config::default()
        };
        assert_eq!(c.validate(), Err(Error::InvalidOption("reconnectMaxMs")));
        let c = Config {
            fallback_after: 0,
            ..Config::default()
        };
        assert_eq!(c.validate(), Err(Error::InvalidOption("fallbackAfter")));
        assert_eq!(Format::parse("xml"), Err(Error::InvalidOption("format")));
    }
}
