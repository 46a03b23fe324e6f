//! Typed configuration of the core. Owns: [`Config`], [`Format`], the declaration of the
//! `connect()` options ([`Opt`]: JS name and kind, the one list of them), defaults and
//! validation.
//!
//! Adding a number or flag option: an [`Opt`] variant with its row in [`Opt::spec`] and its
//! place in [`Opt::ALL`], the [`Config`] field with its default, and its arm in
//! [`Config::slot`]. The JS side (the names and kinds `js/api.js` reads) is generated from
//! this declaration (`tests/sourcegen.rs`).

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
    /// Every format with its JS name.
    pub const ALL: [(&'static str, Format); 3] = [
        ("auto", Format::Auto),
        ("wok", Format::Wok),
        ("json", Format::Json),
    ];

    /// Parses the JS option value (`'auto' | 'wok' | 'json'`).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `format` for any other string.
    pub fn parse(s: &str) -> Result<Format, Error> {
        Format::ALL
            .iter()
            .find(|(name, _)| *name == s)
            .map(|&(_, f)| f)
            .ok_or(Error::InvalidOption("format"))
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

/// How the value of an [`Opt`] is read and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A duration in ms: a number from 1 to [`MAX_MS`].
    Ms,
    /// A count: a whole number from 1 to a million.
    Count,
    /// A boolean (crosses as 0 or 1).
    Flag,
}

/// A number or flag option of `connect()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opt {
    /// `heartbeatMs`: [`Config::heartbeat_ms`].
    HeartbeatMs,
    /// `reconnectMinMs`: [`Config::reconnect_min_ms`].
    ReconnectMinMs,
    /// `reconnectMaxMs`: [`Config::reconnect_max_ms`].
    ReconnectMaxMs,
    /// `pollIntervalMs`: [`Config::poll_interval_ms`].
    PollIntervalMs,
    /// `connectTimeoutMs`: [`Config::connect_timeout_ms`].
    ConnectTimeoutMs,
    /// `fetchTimeoutMs`: [`Config::fetch_timeout_ms`].
    FetchTimeoutMs,
    /// `usefulAfterMs`: [`Config::useful_after_ms`].
    UsefulAfterMs,
    /// `fallbackAfter`: [`Config::fallback_after`].
    FallbackAfter,
    /// `autoTabCleanup`: [`Config::auto_tab_cleanup`].
    AutoTabCleanup,
    /// `shareAcrossTabs`: [`Config::shared`].
    ShareAcrossTabs,
}

impl Opt {
    /// Every number and flag option, in the order their values cross the boundary.
    pub const ALL: [Opt; 10] = [
        Opt::HeartbeatMs,
        Opt::ReconnectMinMs,
        Opt::ReconnectMaxMs,
        Opt::PollIntervalMs,
        Opt::ConnectTimeoutMs,
        Opt::FetchTimeoutMs,
        Opt::UsefulAfterMs,
        Opt::FallbackAfter,
        Opt::AutoTabCleanup,
        Opt::ShareAcrossTabs,
    ];

    /// The string options of `connect()`, in the order they cross the boundary (read by the
    /// shell: `format` with [`Format::parse`], the two URLs against the page's location).
    pub const STRINGS: [&'static str; 3] = ["format", "url", "notificationsUrl"];

    /// The relations between options: the first of each pair may not be below the second
    /// (the error names the first).
    pub const NOT_BELOW: [(Opt, Opt); 1] = [(Opt::ReconnectMaxMs, Opt::ReconnectMinMs)];

    /// Its JS name and kind: the declaration.
    pub const fn spec(self) -> (&'static str, Kind) {
        match self {
            Opt::HeartbeatMs => ("heartbeatMs", Kind::Ms),
            Opt::ReconnectMinMs => ("reconnectMinMs", Kind::Ms),
            Opt::ReconnectMaxMs => ("reconnectMaxMs", Kind::Ms),
            Opt::PollIntervalMs => ("pollIntervalMs", Kind::Ms),
            Opt::ConnectTimeoutMs => ("connectTimeoutMs", Kind::Ms),
            Opt::FetchTimeoutMs => ("fetchTimeoutMs", Kind::Ms),
            Opt::UsefulAfterMs => ("usefulAfterMs", Kind::Ms),
            Opt::FallbackAfter => ("fallbackAfter", Kind::Count),
            Opt::AutoTabCleanup => ("autoTabCleanup", Kind::Flag),
            Opt::ShareAcrossTabs => ("shareAcrossTabs", Kind::Flag),
        }
    }

    /// Its JS name (as errors name it).
    pub const fn name(self) -> &'static str {
        self.spec().0
    }

    /// Its kind.
    pub const fn kind(self) -> Kind {
        self.spec().1
    }
}

/// Where a [`Config`] keeps the value of an [`Opt`].
pub enum Slot<'a> {
    /// A duration.
    Ms(&'a mut u64),
    /// A count.
    Count(&'a mut u32),
    /// A flag.
    Flag(&'a mut bool),
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

/// Largest accepted count (`fallbackAfter`).
pub const MAX_COUNT: f64 = 1_000_000.0;

impl Config {
    /// The field that holds `o`.
    pub fn slot(&mut self, o: Opt) -> Slot<'_> {
        match o {
            Opt::HeartbeatMs => Slot::Ms(&mut self.heartbeat_ms),
            Opt::ReconnectMinMs => Slot::Ms(&mut self.reconnect_min_ms),
            Opt::ReconnectMaxMs => Slot::Ms(&mut self.reconnect_max_ms),
            Opt::PollIntervalMs => Slot::Ms(&mut self.poll_interval_ms),
            Opt::ConnectTimeoutMs => Slot::Ms(&mut self.connect_timeout_ms),
            Opt::FetchTimeoutMs => Slot::Ms(&mut self.fetch_timeout_ms),
            Opt::UsefulAfterMs => Slot::Ms(&mut self.useful_after_ms),
            Opt::FallbackAfter => Slot::Count(&mut self.fallback_after),
            Opt::AutoTabCleanup => Slot::Flag(&mut self.auto_tab_cleanup),
            Opt::ShareAcrossTabs => Slot::Flag(&mut self.shared),
        }
    }

    /// The value of `o` as JS gives it (flags 0 or 1).
    pub fn get(&self, o: Opt) -> f64 {
        match o {
            Opt::HeartbeatMs => self.heartbeat_ms as f64,
            Opt::ReconnectMinMs => self.reconnect_min_ms as f64,
            Opt::ReconnectMaxMs => self.reconnect_max_ms as f64,
            Opt::PollIntervalMs => self.poll_interval_ms as f64,
            Opt::ConnectTimeoutMs => self.connect_timeout_ms as f64,
            Opt::FetchTimeoutMs => self.fetch_timeout_ms as f64,
            Opt::UsefulAfterMs => self.useful_after_ms as f64,
            Opt::FallbackAfter => f64::from(self.fallback_after),
            Opt::AutoTabCleanup => f64::from(u8::from(self.auto_tab_cleanup)),
            Opt::ShareAcrossTabs => f64::from(u8::from(self.shared)),
        }
    }

    /// Sets `o` from a JS value (`NaN` stands for a value of the wrong type), checked by its
    /// [`Kind`]: the one rule for an option's value (the relations between options are
    /// [`Config::validate`]'s).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming `o` when `v` is no valid value of its kind.
    pub fn set(&mut self, o: Opt, v: f64) -> Result<(), Error> {
        if !o.kind().accepts(v) {
            return Err(Error::InvalidOption(o.name()));
        }
        match self.slot(o) {
            Slot::Ms(f) => *f = v as u64,
            Slot::Count(f) => *f = v as u32,
            Slot::Flag(f) => *f = v == 1.0,
        }
        Ok(())
    }

    /// Checks every value against its kind and the relations between them: what
    /// `Manager::new` accepts.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the offending option.
    pub fn validate(&self) -> Result<(), Error> {
        for o in Opt::ALL {
            if !o.kind().accepts(self.get(o)) {
                return Err(Error::InvalidOption(o.name()));
            }
        }
        for (o, floor) in Opt::NOT_BELOW {
            if self.get(o) < self.get(floor) {
                return Err(Error::InvalidOption(o.name()));
            }
        }
        Ok(())
    }
}

impl Kind {
    /// Its valid values: from `min` to `max`, whole numbers only when `whole` (durations
    /// from 1 ms to [`MAX_MS`], counts from 1 to [`MAX_COUNT`], flags 0 or 1).
    pub const fn bounds(self) -> (f64, f64, bool) {
        match self {
            Kind::Ms => (1.0, MAX_MS, false),
            Kind::Count => (1.0, MAX_COUNT, true),
            Kind::Flag => (0.0, 1.0, true),
        }
    }

    /// Whether `v` is a valid value of this kind ([`Kind::bounds`]); `NaN` never is.
    #[allow(clippy::manual_range_contains)] // `contains` costs bytes in the wasm
    pub fn accepts(self, v: f64) -> bool {
        let (min, max, whole) = self.bounds();
        v >= min && v <= max && (!whole || v == v as u32 as f64)
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

    #[test]
    fn set_checks_by_kind() {
        let mut c = Config::default();
        assert_eq!(c.set(Opt::HeartbeatMs, 5000.0), Ok(()));
        assert_eq!(c.heartbeat_ms, 5000);
        for bad in [0.0, 0.5, -1.0, f64::NAN, MAX_MS + 1.0] {
            assert_eq!(
                c.set(Opt::PollIntervalMs, bad),
                Err(Error::InvalidOption("pollIntervalMs"))
            );
        }
        assert_eq!(
            c.set(Opt::FallbackAfter, 2.5),
            Err(Error::InvalidOption("fallbackAfter"))
        );
        assert_eq!(
            c.set(Opt::FallbackAfter, MAX_COUNT + 1.0),
            Err(Error::InvalidOption("fallbackAfter"))
        );
        assert_eq!(c.set(Opt::FallbackAfter, 7.0), Ok(()));
        assert_eq!(
            c.set(Opt::AutoTabCleanup, 2.0),
            Err(Error::InvalidOption("autoTabCleanup"))
        );
        assert_eq!(c.set(Opt::ShareAcrossTabs, 1.0), Ok(()));
        assert!(c.shared);
    }

    #[test]
    fn every_option_once_in_order_of_declaration() {
        for (i, o) in Opt::ALL.into_iter().enumerate() {
            assert_eq!(o as usize, i, "{o:?} out of place in Opt::ALL");
        }
    }
}
