//! The `connect(options)` object. Owns: reading and validating JS options into a core
//! [`Config`] plus the two URLs, with defaults taken from the page's location.

use super::js::get;
use crate::core::config::millis;
use crate::core::url::{default_url, ws_url};
use crate::core::{Config, Error, Format};
use crate::prelude::*;
use wasm_bindgen::JsValue;

/// Options of one manager, validated.
#[derive(Clone, Debug)]
pub struct Options {
    /// Core tunables.
    pub config: Config,
    /// Websocket URL.
    pub url: String,
    /// `GET` URL of the notifications feed.
    pub notifications_url: String,
}

fn ms(opts: &JsValue, name: &'static str, slot: &mut u64) -> Result<(), Error> {
    let v = get(opts, name);
    if v.is_undefined() {
        return Ok(());
    }
    *slot = millis(name, v.as_f64().ok_or(Error::InvalidOption(name))?)?;
    Ok(())
}

fn string(opts: &JsValue, name: &'static str) -> Result<Option<String>, Error> {
    let v = get(opts, name);
    if v.is_undefined() {
        return Ok(None);
    }
    match v.as_string() {
        Some(s) if !s.is_empty() => Ok(Some(s)),
        _ => Err(Error::InvalidOption(name)),
    }
}

/// Reads `opts` (an object, `undefined` or `null`).
///
/// # Errors
/// [`Error::InvalidOption`] naming the first bad option.
pub fn parse(opts: &JsValue) -> Result<Options, Error> {
    if !(opts.is_undefined() || opts.is_null() || opts.is_object()) {
        return Err(Error::InvalidOption("options"));
    }
    let mut c = Config {
        platform: super::codec::PLATFORM,
        ..Config::default()
    };
    ms(opts, "heartbeatMs", &mut c.heartbeat_ms)?;
    ms(opts, "reconnectMinMs", &mut c.reconnect_min_ms)?;
    ms(opts, "reconnectMaxMs", &mut c.reconnect_max_ms)?;
    ms(opts, "pollIntervalMs", &mut c.poll_interval_ms)?;
    ms(opts, "connectTimeoutMs", &mut c.connect_timeout_ms)?;
    ms(opts, "fetchTimeoutMs", &mut c.fetch_timeout_ms)?;
    ms(opts, "usefulAfterMs", &mut c.useful_after_ms)?;
    let fb = get(opts, "fallbackAfter");
    if !fb.is_undefined() {
        match fb.as_f64() {
            Some(n) if (1.0..=1e6).contains(&n) && n == f64::from(n as u32) => {
                c.fallback_after = n as u32
            }
            _ => return Err(Error::InvalidOption("fallbackAfter")),
        }
    }
    let tc = get(opts, "autoTabCleanup");
    if !tc.is_undefined() {
        c.auto_tab_cleanup = tc.as_bool().ok_or(Error::InvalidOption("autoTabCleanup"))?;
    }
    let share = get(opts, "shareAcrossTabs");
    let wanted = share.is_undefined()
        || share
            .as_bool()
            .ok_or(Error::InvalidOption("shareAcrossTabs"))?;
    // Without Web Locks or BroadcastChannel every tab runs alone.
    c.shared = wanted && super::port::tabs_supported();
    if let Some(f) = string(opts, "format")? {
        c.format = Format::parse(&f)?;
    }
    c.validate()?;
    let origin = super::port::page_origin();
    let (protocol, host) = origin.split_once("//").unwrap_or(("", ""));
    let url = match string(opts, "url")? {
        Some(u) => ws_url(&u, protocol, host),
        None => default_url(protocol, host),
    };
    let notifications_url =
        string(opts, "notificationsUrl")?.unwrap_or_else(|| "/notifications".into());
    Ok(Options {
        config: c,
        url,
        notifications_url,
    })
}
