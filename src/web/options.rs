//! The `connect(options)` values. Owns: reading them into a core [`Config`] plus the two
//! URLs, with defaults taken from the page's location.
//!
//! The JS facade (`js/api.js`) reads the options object by the names the core declares
//! ([`Opt::ALL`], [`Opt::STRINGS`], generated into it) and hands each value over as is when
//! it has the expected JS type, as `NaN` (numbers, booleans) or `''` (strings) when it has
//! another one, and as `None` when it is absent. Each value is checked by the core's
//! [`Config::set`], the one place that knows an option's kind and range.

use wok_push_core::prelude::*;
use wok_push_core::url::{default_url, ws_url};
use wok_push_core::{Config, Error, Format, Opt};

/// The raw option values.
pub struct Raw {
    /// The values of [`Opt::ALL`], in its order (flags 0/1; `NaN` for a wrong type).
    pub numbers: [Option<f64>; Opt::ALL.len()],
    /// The values of [`Opt::STRINGS`], in its order (`''` for a wrong type).
    pub strings: [Option<String>; Opt::STRINGS.len()],
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

/// Reads `raw` into the options of a manager; each number and flag is checked by the
/// core's [`Config::set`], their relations by [`Config::validate`] (run by `Manager::new`).
///
/// # Errors
/// [`Error::InvalidOption`] naming the first option of the wrong type or value.
pub fn parse(raw: Raw) -> Result<Options, Error> {
    let mut c = Config::new(super::codec::PLATFORM);
    // The page's default: one connection for the origin's tabs.
    c.shared = true;
    for (o, v) in Opt::ALL.into_iter().zip(raw.numbers) {
        if let Some(v) = v {
            c.set(o, v)?;
        }
    }
    // Without Web Locks or BroadcastChannel every tab runs alone.
    c.shared = c.shared && super::port::tabs_supported();
    let [format, url, notifications_url] = raw.strings;
    let [f_name, url_name, feed_name] = Opt::STRINGS;
    if let Some(f) = string(format, f_name)? {
        c.format = Format::parse(&f)?;
    }
    let (host, secure) = (super::port::page_host(), super::port::page_secure());
    let url = match string(url, url_name)? {
        Some(u) => ws_url(&u, secure, &host),
        None => default_url(secure, &host),
    };
    let notifications_url =
        string(notifications_url, feed_name)?.unwrap_or_else(|| "/notifications".into());
    Ok(Options {
        config: c,
        url,
        notifications_url,
    })
}
