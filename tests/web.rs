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
use wok_push::web::api::connect;

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

fn call(obj: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let f: Function = get(obj, name).dyn_into().unwrap();
    f.apply(obj, &args.iter().collect::<Array>()).unwrap()
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

fn recorder() -> (Rc<RefCell<Vec<String>>>, Closure<dyn FnMut(JsValue)>) {
    let got = Rc::new(RefCell::new(Vec::new()));
    let g = got.clone();
    let f = Closure::<dyn FnMut(JsValue)>::new(move |msg: JsValue| {
        let code = get(&msg, "code").as_string().unwrap_or_default();
        let source = get(&msg, "source").as_string().unwrap_or_default();
        g.borrow_mut().push([code, source].join("|"));
    });
    (got, f)
}

#[wasm_bindgen_test]
async fn open_message_close_against_the_backend() {
    control("reset", "{}").await;
    let ws_url = BASE.replacen("http:", "ws:", 1) + "/websockify?token=d29rbm90aWZpY2F0aW9ucw";
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"url".into(), &ws_url.into()).unwrap();
    Reflect::set(
        &opts,
        &"notificationsUrl".into(),
        &(BASE.to_string() + "/notifications").into(),
    )
    .unwrap();
    let push = connect(Some(opts)).unwrap();

    // The singleton: a second connect() returns the same object.
    assert!(Object_is(&push, &connect(None).unwrap()));

    let (got, handler) = recorder();
    let sub = call(
        &push,
        "subscribe",
        &[
            "POST:/kimchi/*".into(),
            handler.as_ref().clone(),
            JsValue::UNDEFINED,
        ],
    );
    assert!(
        until(|| get(&push, "state").as_string().as_deref() == Some("open")).await,
        "never opened"
    );

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

    // The heartbeat timer is armed while open.
    let res = get(&call(&push, "stats", &[]), "resources");
    assert_eq!(get(&res, "socket").as_f64(), Some(1.0));
    assert_eq!(get(&res, "timer").as_f64(), Some(1.0));
    assert_eq!(get(&res, "pageListeners").as_f64(), Some(6.0));

    // Close: listeners and socket gone, no handler fires afterwards.
    call(&push, "close", &[]);
    assert_eq!(get(&push, "state").as_string().as_deref(), Some("closed"));
    let res = get(&call(&push, "stats", &[]), "resources");
    for k in ["socket", "fetch", "timer", "pageListeners"] {
        assert_eq!(get(&res, k).as_f64(), Some(0.0), "{k} left after close");
    }
    let before = got.borrow().len();
    control("push", r#"{"messages":["POST:/kimchi/vms"]}"#).await;
    TimeoutFuture::new(300).await;
    assert_eq!(got.borrow().len(), before, "a handler fired after close");
    assert!(call(&sub, "unsubscribe", &[]).as_bool().unwrap());
    assert!(!call(&sub, "unsubscribe", &[]).as_bool().unwrap());
}

#[wasm_bindgen_test]
fn bad_options_throw_naming_the_option() {
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"heartbeatMs".into(), &JsValue::from(-5)).unwrap();
    let err = connect(Some(opts)).unwrap_err();
    assert_eq!(
        get(&err, "code").as_string().as_deref(),
        Some("invalid-option")
    );
    assert!(get(&err, "message")
        .as_string()
        .unwrap()
        .contains("heartbeatMs"));
}

#[allow(non_snake_case)]
fn Object_is(a: &JsValue, b: &JsValue) -> bool {
    js_sys::Object::is(a, b)
}

#[wasm_bindgen_test]
async fn the_one_timer_re_arms_heartbeats_and_stops_on_close() {
    use wok_push::core::{Config, Input};
    use wok_push::web::driver::Inner;
    let ws_url = BASE.replacen("http:", "ws:", 1) + "/websockify?token=d29rbm90aWZpY2F0aW9ucw";
    let cfg = Config {
        heartbeat_ms: 100,
        ..Config::default()
    };
    // A manager of its own (not the page singleton), to set a short heartbeat.
    let inner = Inner::new(cfg, 1, ws_url, BASE.to_string() + "/notifications").unwrap();
    inner.input(Input::Connect);
    assert!(until(|| inner.with_core(|c| c.state().as_str() == "open")).await);
    let frames = |v: JsValue| get(&v, "clientFrames").as_f64().unwrap_or(-1.0);
    let before = frames(control("sockets", "{}").await);
    TimeoutFuture::new(550).await;
    let during = frames(control("sockets", "{}").await);
    assert!(during - before >= 3.0, "heartbeats: {before} -> {during}");
    inner.input(Input::Close);
    assert_eq!(
        inner.resources()[..4],
        [0, 0, 0, 0],
        "socket, fetch, timer, page listeners all gone"
    );
    TimeoutFuture::new(300).await;
    let after = frames(control("sockets", "{}").await);
    assert!(
        after - during <= 1.0,
        "no heartbeat after close: {during} -> {after}"
    );
}
