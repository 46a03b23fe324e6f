//! The `connect(options)` values. Owns: validating them into a core [`Config`] plus the two
//! URLs, with defaults taken from the page's location.
//!
//! The JS facade (`js/api.js`) reads the options object and hands each value over as is
//! when it has the expected JS type, as `NaN` (numbers, booleans) or `''` (strings) when
//! it has another one, and as `None` when it is absent. Types and strings are checked
//! here; every number by the core's `Config::validate`, the one place that knows the
//! ranges.

use wok_push_core::prelude::*;
use wok_push_core::url::{default_url, ws_url};
use wok_push_core::{Config, Error, Format};

/// The raw option values, in the order of [`Raw::NAMES`].
pub struct Raw {
    /// `heartbeatMs`, `reconnectMinMs`, `reconnectMaxMs`, `pollIntervalMs`,
    /// `connectTimeoutMs`, `fetchTimeoutMs`, `usefulAfterMs`, `fallbackAfter`,
    /// `autoTabCleanup` (0/1), `shareAcrossTabs` (0/1): `NaN` for a wrong type.
    pub numbers: [Option<f64>; 10],
    /// `format`, `url`, `notificationsUrl`: `''` for a wrong type.
    pub strings: [Option<String>; 3],
}

impl Raw {
    /// The JS names of [`Raw::numbers`], in order.
    pub const NAMES: [&'static str; 10] = [
        "heartbeatMs",
        "reconnectMinMs",
        "reconnectMaxMs",
        "pollIntervalMs",
        "connectTimeoutMs",
        "fetchTimeoutMs",
        "usefulAfterMs",
        "fallbackAfter",
        "autoTabCleanup",
        "shareAcrossTabs",
    ];
}

/// Options of one manager, read (the core validates its [`Config`]).
#[derive(Clone, Debug)]
pub struct Options {
    /// Core tunables.
    pub config: Config,
    /// Websocket URL.
    pub url: String,
    /// `GET` URL of the notifications feed.
    pub notifications_url: String,
}

fn string(v: Option<String>, name: &'static str) -> Result<Option<String>, Error> {
    match v {
        Some(s) if s.is_empty() => Err(Error::InvalidOption(name)),
        v => Ok(v),
    }
}

fn flag(v: f64, name: &'static str) -> Result<bool, Error> {
    if v == 0.0 || v == 1.0 {
        Ok(v == 1.0)
    } else {
        Err(Error::InvalidOption(name))
    }
}

/// Reads `raw` into the options of a manager; the numbers are checked in one place, the
/// core's [`Config::validate`] (run by `Manager::new`): a number that is no valid duration (`NaN`, negative, below
/// 1 ms, past [`MAX_MS`](wok_push_core::config::MAX_MS)) reads as 0 or as more than the
/// largest (the cast saturates), which it rejects, and a `fallbackAfter` that is no whole
/// number reads as 0.
///
/// # Errors
/// [`Error::InvalidOption`] naming the first option of the wrong type or a bad string.
pub fn parse(raw: Raw) -> Result<Options, Error> {
    let mut c = Config::new(super::codec::PLATFORM);
    let slots = [
        &mut c.heartbeat_ms,
        &mut c.reconnect_min_ms,
        &mut c.reconnect_max_ms,
        &mut c.poll_interval_ms,
        &mut c.connect_timeout_ms,
        &mut c.fetch_timeout_ms,
        &mut c.useful_after_ms,
    ];
    for (slot, v) in slots.into_iter().zip(raw.numbers) {
        if let Some(v) = v {
            *slot = v as u64;
        }
    }
    let [.., fallback, cleanup, share] = raw.numbers;
    if let Some(n) = fallback {
        let whole = n as u32;
        c.fallback_after = if f64::from(whole) == n { whole } else { 0 };
    }
    if let Some(v) = cleanup {
        c.auto_tab_cleanup = flag(v, "autoTabCleanup")?;
    }
    let wanted = match share {
        Some(v) => flag(v, "shareAcrossTabs")?,
        None => true,
    };
    // Without Web Locks or BroadcastChannel every tab runs alone.
    c.shared = wanted && super::port::tabs_supported();
    let [format, url, notifications_url] = raw.strings;
    if let Some(f) = string(format, "format")? {
        c.format = Format::parse(&f)?;
    }
    let (host, secure) = (super::port::page_host(), super::port::page_secure());
    let url = match string(url, "url")? {
        Some(u) => ws_url(&u, secure, &host),
        None => default_url(secure, &host),
    };
    let notifications_url =
        string(notifications_url, "notificationsUrl")?.unwrap_or_else(|| "/notifications".into());
    Ok(Options {
        config: c,
        url,
        notifications_url,
    })
}
