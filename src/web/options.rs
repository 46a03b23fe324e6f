//! The `connect(options)` values. Owns: reading them into a core [`Config`] plus the two
//! URLs.
//!
//! The JS facade reads and checks the options object (`js/options.js`, generated from the
//! core's declarations [`Opt`], [`Format::ALL`]) and hands over each number or flag, the
//! format's index and the two URLs (resolved against the page by the browser's `URL`). The
//! engine checks them again: each number by the core's [`Config::set`], their relations by
//! `Manager::new`.

use wok_push_core::prelude::*;
use wok_push_core::{Config, Error, Format, Opt};

/// The option values as the facade read them (`js/options.js` `readOptions`).
pub struct Raw {
    /// The values of [`Opt::ALL`], in its order (flags 0/1; `NaN` for a wrong type).
    pub numbers: [Option<f64>; Opt::ALL.len()],
    /// The format's index in [`Format::ALL`].
    pub format: u32,
    /// The websocket URL, absolute.
    pub url: String,
    /// The feed's URL.
    pub notifications_url: String,
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
    let [format, url, feed] = Opt::STRINGS;
    c.format = match Format::ALL.get(raw.format as usize) {
        Some(&(_, f)) => f,
        None => return Err(Error::InvalidOption(format)),
    };
    if raw.url.is_empty() {
        return Err(Error::InvalidOption(url));
    }
    if raw.notifications_url.is_empty() {
        return Err(Error::InvalidOption(feed));
    }
    Ok(Options {
        config: c,
        url: raw.url,
        notifications_url: raw.notifications_url,
    })
}
