//! Fuzzing with proptest (cargo fuzz needs a nightly toolchain, which these machines lack).
//! `npm test` runs a short version; `npm run fuzz` runs `WOK_FUZZ_CASES` per target
//! (default there: 400 000 × 3 targets = 1 200 000 cases) in release mode.
//! Every target asserts no panic plus its invariants.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use proptest::test_runner::Config as PtConfig;
use wok_push_core::frame::{Decoder, Frame, Protocol};
use wok_push_core::host::{parse_feed, parse_json_notices};
use wok_push_core::{Config, FetchResult, Format, Input, Manager, Output, State};

fn cases(default: u32) -> PtConfig {
    let n = std::env::var("WOK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    PtConfig {
        cases: n,
        failure_persistence: None,
        ..PtConfig::default()
    }
}

/// Byte chunks biased towards the interesting: markers, marker fragments, UTF-8 pieces,
/// JSON fragments, base64 text, and raw garbage.
fn chunk() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"//EOM//".to_vec()),
        Just(b"//EO".to_vec()),
        Just(b"M//".to_vec()),
        Just("é日".as_bytes().to_vec()),
        Just(vec![0xe6, 0x97]),
        Just(b"{\"code\":\"K\",\"timestamp\":\"t\"}".to_vec()),
        Just(b"[{\"code\":".to_vec()),
        Just(b"POST:/kimchi/vms".to_vec()),
        Just(b"UE9TVDovd29rL2xvZ3MvL0VPTS8v".to_vec()),
        prop::collection::vec(any::<u8>(), 0..40),
    ];
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![Just(Format::Auto), Just(Format::Wok), Just(Format::Json)]
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn decoder(chunks in prop::collection::vec(chunk(), 0..12), fmt in format(),
               max in 1usize..200, b64 in any::<bool>(), text in any::<bool>()) {
        let mut d = Decoder::new(fmt, max);
        let mut out = Vec::new();
        let proto = if b64 { Protocol::Base64 } else { Protocol::Binary };
        for c in chunks {
            let frame = if text { Frame::Text(String::from_utf8_lossy(&c).into_owned()) } else { Frame::Binary(c) };
            d.push(&frame, proto, &mut out);
            prop_assert!(d.partial_len() <= max);
        }
        for n in out.into_iter().flatten() {
            prop_assert!(!n.code.contains("//EOM//") || fmt == Format::Json);
        }
    }

    #[test]
    fn feed_and_json(body in prop_oneof![
        "[\\[\\]{}\",:a-zA-Z0-9 _\\\\]{0,120}",
        prop::collection::vec(chunk(), 0..4).prop_map(|v| String::from_utf8_lossy(&v.concat()).into_owned()),
    ]) {
        let _ = parse_json_notices(&body);
        if let Ok(items) = parse_feed(&body, 50) {
            prop_assert!(items.len() <= 50);
        }
    }

    #[test]
    fn manager(inputs in prop::collection::vec(input(), 0..60)) {
        let cfg = Config { reconnect_min_ms: 10, reconnect_max_ms: 100, poll_interval_ms: 50, useful_after_ms: 20, ..Config::default() };
        let mut m = Manager::new(cfg, 7).unwrap();
        let mut now = 0u64;
        for (dt, i) in inputs {
            now += dt;
            let was_closed = m.state() == State::Closed;
            let reopening = matches!(i, Input::Connect | Input::HashChange(_));
            let timer = matches!(i, Input::Timer);
            m.handle(now, i);
            if timer {
                // Nothing may stay due after a timer input, or the shell's timer would spin.
                prop_assert!(m.poll_timeout().map_or(true, |t| t > now), "due after a timer: {:?}", m.poll_timeout());
            }
            let mut outs = Vec::new();
            while let Some(o) = m.poll_output() { outs.push(o); }
            if was_closed && !reopening {
                prop_assert!(outs.is_empty(), "a closed manager acted: {outs:?}");
            }
            if m.state() == State::Closed {
                prop_assert_eq!(m.poll_timeout(), None);
            }
            for o in &outs {
                if let Output::State(c) = o { prop_assert_ne!(c.previous, c.state); }
            }
        }
    }
}

fn input() -> impl Strategy<Value = (u64, Input)> {
    let gen = 0u32..6;
    let i = prop_oneof![
        Just(Input::Connect),
        Just(Input::Close),
        gen.clone().prop_map(Input::SocketUnavailable),
        (
            gen.clone(),
            prop_oneof![
                Just("binary".to_string()),
                Just("base64".to_string()),
                Just(String::new())
            ]
        )
            .prop_map(|(g, p)| Input::SocketOpened(g, p)),
        (gen.clone(), chunk()).prop_map(|(g, c)| Input::SocketFrame(g, Frame::Binary(c))),
        gen.clone().prop_map(Input::SocketClosed),
        (gen.clone(), any::<u16>(), chunk()).prop_map(|(g, s, b)| Input::Fetched(
            g,
            FetchResult::Answer(s % 600, String::from_utf8_lossy(&b).into_owned())
        )),
        gen.prop_map(|g| Input::Fetched(g, FetchResult::Failed)),
        Just(Input::Timer),
        Just(Input::Online),
        Just(Input::Offline),
        any::<bool>().prop_map(Input::Visibility),
        Just(Input::PageHide),
        Just(Input::PageShow),
        any::<u64>().prop_map(|t| Input::HashChange(t % 100_000)),
    ];
    (prop_oneof![Just(0u64), 0u64..50, 0u64..100_000], i)
}
