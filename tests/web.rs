//! Browser tests of the shell (wasm-bindgen-test, headless Chromium and Firefox) against the
//! real backend (`server/backend.mjs`), which must listen at `WOK_TEST_BASE` (compile time,
//! default `http://127.0.0.1:8124`): `npm test` starts it; by hand run
//! `WOK_PORT=8124 node server/main.mjs &` first.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use js_sys::{Array, Function, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{RequestInit, Response};
use wok_push::web::api::Engine;

wasm_bindgen_test_configure!(run_in_browser);

const BASE: &str = match option_env!("WOK_TEST_BASE") {
    Some(b) => b,
    None => "http://127.0.0.1:8124",
};

async fn control(path: &str, body: &str) -> JsValue {
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let url = [BASE, "/_control/", path].concat();
    let w = web_sys::window().unwrap();
    let resp: Response = JsFuture::from(w.fetch_with_str_and_init(&url, &init))
        .await
        .unwrap()
        .dyn_into()
        .unwrap();
    JsFuture::from(resp.json().unwrap()).await.unwrap()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap()
}

/// Waits (up to ~5 s) until `cond` holds.
async fn until(mut cond: impl FnMut() -> bool) -> bool {
    for _ in 0..250 {
        if cond() {
            return true;
        }
        TimeoutFuture::new(20).await;
    }
    cond()
}

/// What a recorder saw, and the handler that records.
type Recorder = (Rc<RefCell<Vec<String>>>, Closure<dyn FnMut(JsValue)>);

fn recorder() -> Recorder {
    let got = Rc::new(RefCell::new(Vec::new()));
    let g = got.clone();
    let f = Closure::<dyn FnMut(JsValue)>::new(move |msg: JsValue| {
        let code = get(&msg, "code").as_string().unwrap_or_default();
        let source = get(&msg, "source").as_string().unwrap_or_default();
        g.borrow_mut().push([code, source].join("|"));
    });
    (got, f)
}

#[wasm_bindgen(module = "/js/io.js")]
extern "C" {
    #[wasm_bindgen(js_name = makePort)]
    fn make_port() -> wok_push::web::port::JsPort;
    /// `{ socket, fetch, timer, pageListeners, channel }` the port holds.
    fn resources(port: &JsValue) -> JsValue;
}

/// The counts of JS resources `engine`'s port holds: socket, fetch, timer, page listeners.
fn held(engine: &JsValue) -> [f64; 4] {
    let r = resources(&get(engine, "port"));
    ["socket", "fetch", "timer", "pageListeners"].map(|k| get(&r, k).as_f64().unwrap_or(-1.0))
}

/// The name of `engine`'s state (its `status()`'s low byte is the core's state code).
fn state_of(engine: &JsValue) -> &'static str {
    let code = call(engine, "status", &[]).as_f64().unwrap_or(-1.0) as u32 & 255;
    wok_push_core::State::from_code(code as u8).map_or("", |s| s.as_str())
}

/// A closed engine with its port wired to `Engine.input`, as `js/api.js` does it; returns
/// it as the JS object (the way the facade holds it), or the error its options gave.
fn try_engine(o: Settings, table: wok_push::web::handlers::Table) -> Result<JsValue, JsValue> {
    let port = make_port();
    let port_js: JsValue = port.clone();
    let e: JsValue = Engine::new(o.given, &o.numbers, o.format, o.url, o.feed, table, port)?.into();
    let input: Function = get(&e, "input").dyn_into().unwrap();
    Reflect::set(&port_js, &"cb".into(), &input.bind0(&e)).unwrap();
    // Kept beside it for the tests that read what the port holds.
    Reflect::set(&e, &"port".into(), &port_js).unwrap();
    Ok(e)
}

fn engine(o: Settings, table: wok_push::web::handlers::Table) -> JsValue {
    try_engine(o, table).unwrap()
}

fn call(obj: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let f: Function = get(obj, name).dyn_into().unwrap();
    f.apply(obj, &args.iter().collect::<Array>()).unwrap()
}

#[wasm_bindgen(module = "/js/dispatch.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeTable)]
    fn make_table() -> wok_push::web::handlers::Table;
    #[wasm_bindgen(js_name = addSub)]
    fn add_sub(t: &JsValue, id: u32, f: &JsValue, compat: bool);
}

/// The option values the facade hands to `new Engine` (see `js/options.js` `readOptions`).
struct Settings {
    given: u32,
    numbers: [f64; 10],
    format: u32,
    url: String,
    feed: String,
}

/// Options with only `heartbeatMs`, `format` (an index in `Format::ALL`) and the two URLs set
/// (what the facade passes for `{ heartbeatMs, format, url, notificationsUrl: BASE + '/notifications' }`).
fn settings_with(heartbeat_ms: Option<f64>, format: u32, url: &str) -> Settings {
    let mut numbers = [0.0; 10];
    numbers[0] = heartbeat_ms.unwrap_or(0.0);
    Settings {
        given: u32::from(heartbeat_ms.is_some()),
        numbers,
        format,
        url: url.into(),
        feed: BASE.to_string() + "/notifications",
    }
}

/// The backend's push URL: WoK's token path on its host.
fn push_url() -> String {
    BASE.replacen("http:", "ws:", 1) + wok_push_core::url::TOKEN_PATH
}

fn settings(heartbeat_ms: Option<f64>, url: &str) -> Settings {
    settings_with(heartbeat_ms, 0, url)
}

#[wasm_bindgen_test]
async fn open_message_close_against_the_backend() {
    control("reset", "{}").await;
    let ws_url = push_url();
    let table = make_table();
    let table_js: JsValue = table.clone();
    let engine = engine(settings(None, &ws_url), table);
    call(&engine, "reconnect", &[]);

    let (got, handler) = recorder();
    let id = call(
        &engine,
        "subscribe",
        &["POST:/kimchi/*".into(), JsValue::UNDEFINED, 0.into()],
    );
    add_sub(
        &table_js,
        id.as_f64().unwrap() as u32,
        handler.as_ref(),
        false,
    );
    assert!(until(|| state_of(&engine) == "open").await, "never opened");

    // Several messages in one frame, and one cut across two frames.
    control(
        "push",
        r#"{"messages":["POST:/kimchi/vms","PUT:/kimchi/template","POST:/kimchi/templates"]}"#,
    )
    .await;
    control(
        "push-split",
        r#"{"message":"POST:/kimchi/networks","at":5}"#,
    )
    .await;
    assert!(
        until(|| got.borrow().len() >= 3).await,
        "got {:?}",
        got.borrow()
    );
    assert_eq!(
        *got.borrow(),
        vec![
            "POST:/kimchi/vms|push",
            "POST:/kimchi/templates|push",
            "POST:/kimchi/networks|push"
        ]
    );

    // The heartbeat timer is armed while open: a socket, no fetch, the timer, 6 page listeners.
    assert_eq!(held(&engine), [1.0, 0.0, 1.0, 6.0]);

    // Close: listeners and socket gone, no handler fires afterwards.
    call(&engine, "close", &[]);
    assert_eq!(state_of(&engine), "closed");
    assert_eq!(held(&engine), [0.0; 4], "left after close");
    let before = got.borrow().len();
    control("push", r#"{"messages":["POST:/kimchi/vms"]}"#).await;
    TimeoutFuture::new(300).await;
    assert_eq!(got.borrow().len(), before, "a handler fired after close");
    assert_eq!(
        call(&engine, "unsubscribe", std::slice::from_ref(&id)).as_bool(),
        Some(true)
    );
    assert_eq!(call(&engine, "unsubscribe", &[id]).as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn bad_options_throw_naming_the_option() {
    let err = try_engine(settings(Some(-5.0), "ws://127.0.0.1:1/"), make_table())
        .err()
        .unwrap();
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("invalid-option")
    );
    assert!(get(&err, "message")
        .as_string()
        .unwrap()
        .contains("heartbeatMs"));
    // A format out of range is named too.
    let err = try_engine(settings_with(None, 9, "ws://127.0.0.1:1/"), make_table())
        .err()
        .unwrap();
    assert!(get(&err, "message")
        .as_string()
        .unwrap()
        .ends_with("format"));
}

#[wasm_bindgen_test]
async fn the_one_timer_re_arms_heartbeats_and_stops_on_close() {
    let ws_url = push_url();
    // A manager of its own (not the page singleton), to set a short heartbeat.
    let e = engine(settings(Some(100.0), &ws_url), make_table());
    call(&e, "reconnect", &[]);
    assert!(until(|| state_of(&e) == "open").await);
    let frames = |v: JsValue| get(&v, "clientFrames").as_f64().unwrap_or(-1.0);
    let before = frames(control("sockets", "{}").await);
    TimeoutFuture::new(550).await;
    let during = frames(control("sockets", "{}").await);
    assert!(during - before >= 3.0, "heartbeats: {before} -> {during}");
    call(&e, "close", &[]);
    assert_eq!(
        held(&e),
        [0.0; 4],
        "socket, fetch, timer, page listeners all gone"
    );
    TimeoutFuture::new(300).await;
    let after = frames(control("sockets", "{}").await);
    assert!(
        after - during <= 1.0,
        "no heartbeat after close: {during} -> {after}"
    );
}
