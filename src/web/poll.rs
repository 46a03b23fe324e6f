//! `GET /notifications`. Owns: the one fetch in flight and its `AbortController`.
//! Sends `Accept: application/json` and `Wok-Robot: wok-robot` (so polling does not keep a
//! WoK session alive), same-origin credentials; the answer is fed back as
//! `Input::Fetched(gen, …)`. Aborting makes the answer arrive as `Failed` for a generation
//! the core no longer waits for, so it is ignored.

use super::driver::{feed, Inner};
use crate::core::{FetchResult, Gen, Input};
use std::rc::Weak;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AbortController, Request, RequestCredentials, RequestInit, Response};

/// The fetch in flight.
pub struct Poll {
    /// The fetch generation.
    pub gen: Gen,
    ctrl: AbortController,
}

impl Poll {
    /// Starts fetch `gen` of `url`; its result is fed to `sink`.
    ///
    /// # Errors
    /// When the request cannot even be built (no window, bad URL).
    pub fn start(url: &str, gen: Gen, sink: Weak<Inner>) -> Result<Poll, JsValue> {
        let ctrl = AbortController::new()?;
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_credentials(RequestCredentials::SameOrigin);
        init.set_signal(Some(&ctrl.signal()));
        let req = Request::new_with_str_and_init(url, &init)?;
        let headers = req.headers();
        headers.set("Accept", "application/json")?;
        headers.set("Wok-Robot", "wok-robot")?;
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let promise = window.fetch_with_request(&req);
        spawn_local(async move {
            let result = answer(promise).await.unwrap_or(FetchResult::Failed);
            feed(&sink, Input::Fetched(gen, result));
        });
        Ok(Poll { gen, ctrl })
    }
}

async fn answer(promise: js_sys::Promise) -> Result<FetchResult, JsValue> {
    let resp: Response = JsFuture::from(promise).await?.dyn_into()?;
    let status = resp.status();
    let body = JsFuture::from(resp.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    Ok(FetchResult::Answer(status, body))
}

impl Drop for Poll {
    fn drop(&mut self) {
        self.ctrl.abort();
    }
}
