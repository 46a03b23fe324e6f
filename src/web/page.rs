//! Page lifecycle listeners. Owns: `online`, `offline`, `pagehide`, `pageshow`,
//! `hashchange` (window) and `visibilitychange` (document), as RAII `EventListener`s that
//! are removed when [`Page`] is dropped (on `close()`).

use super::driver::{feed, Inner};
use crate::core::Input;
use gloo_events::EventListener;
use std::rc::Weak;
use web_sys::{Event, VisibilityState};

/// The installed lifecycle listeners of one manager.
pub struct Page {
    _listeners: Vec<EventListener>,
}

impl Page {
    /// Installs the listeners, feeding `sink`. Without a window, installs nothing.
    pub fn install(sink: &Weak<Inner>) -> Page {
        let mut list = Vec::new();
        if let Some(w) = web_sys::window() {
            let on = |kind: &'static str, input: fn(&Event) -> Input| {
                let s = sink.clone();
                EventListener::new(&w, kind, move |e| feed(&s, input(e)))
            };
            list.push(on("online", |_| Input::Online));
            list.push(on("offline", |_| Input::Offline));
            list.push(on("pagehide", |_| Input::PageHide));
            list.push(on("pageshow", |_| Input::PageShow));
            // The event's time lets the core keep subscriptions that other `hashchange`
            // listeners (the new tab's) made before this one ran.
            let s = sink.clone();
            list.push(EventListener::new(&w, "hashchange", move |e| {
                feed(&s, Input::HashChange(e.time_stamp() as u64))
            }));
            if let Some(doc) = w.document() {
                let s = sink.clone();
                let d = doc.clone();
                list.push(EventListener::new(&doc, "visibilitychange", move |_| {
                    feed(
                        &s,
                        Input::Visibility(d.visibility_state() == VisibilityState::Visible),
                    );
                }));
            }
        }
        Page { _listeners: list }
    }

    /// Number of listeners installed (for tests).
    pub fn len(&self) -> usize {
        self._listeners.len()
    }

    /// Whether none is installed.
    pub fn is_empty(&self) -> bool {
        self._listeners.is_empty()
    }
}
