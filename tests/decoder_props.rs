//! Property tests of the push stream decoder: any split of a stream gives the same messages;
//! garbage never panics; the partial-message buffer stays bounded.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use wok_push_core::frame::{Decoder, Frame, Protocol};
use wok_push_core::{Error, Format, Notice};

fn decode_all(chunks: &[Vec<u8>], max: usize) -> (Vec<Result<Notice, Error>>, usize) {
    let mut d = Decoder::new(Format::Auto, max);
    let mut out = Vec::new();
    let mut peak = 0;
    for c in chunks {
        d.push(&Frame::Binary(c.clone()), Protocol::Binary, &mut out);
        peak = peak.max(d.partial_len());
    }
    (out, peak)
}

fn split(stream: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut prev = 0;
    for c in cuts {
        out.push(stream[prev..c].to_vec());
        prev = c;
    }
    out.push(stream[prev..].to_vec());
    out
}

fn code() -> impl Strategy<Value = String> {
    // WoK-like codes plus non-ASCII and slashes, never containing the marker.
    "[A-Z]{1,6}:/[a-zé日/]{1,12}".prop_filter("no marker", |s| !s.contains("//EOM//"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn any_split_gives_the_same_messages(codes in prop::collection::vec(code(), 1..20),
                                         cuts in prop::collection::vec(any::<usize>(), 0..12)) {
        let stream: Vec<u8> = codes.iter().flat_map(|c| [c.as_bytes(), b"//EOM//"].concat()).collect();
        let (out, _) = decode_all(&split(&stream, &cuts), 1 << 20);
        let got: Vec<String> = out.into_iter().map(|r| r.map(|n| n.code).unwrap()).collect();
        let want: Vec<String> = codes.into_iter().filter(|c| !c.is_empty()).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn garbage_never_panics_and_stays_bounded(chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..20),
                                             max in 1usize..256) {
        let (_, peak) = decode_all(&chunks, max);
        prop_assert!(peak <= max);
    }

    #[test]
    fn base64_and_text_garbage_never_panics(texts in prop::collection::vec(".{0,200}", 0..10)) {
        let mut d = Decoder::new(Format::Auto, 1024);
        let mut out = Vec::new();
        for t in &texts {
            d.push(&Frame::Text(t.clone()), Protocol::Base64, &mut out);
            d.push(&Frame::Text(t.clone()), Protocol::Binary, &mut out);
        }
        for r in out {
            if let Err(e) = r {
                prop_assert!(matches!(e, Error::InvalidBase64 | Error::InvalidUtf8 | Error::FrameTooLong | Error::InvalidJson));
            }
        }
    }

    #[test]
    fn json_garbage_never_panics(s in "[\\[\\]{}\",:a-z0-9 ]{0,80}") {
        let mut out = Vec::new();
        wok_push_core::frame::read_message(&s, Format::Json, &mut out);
        wok_push_core::frame::read_message(&s, Format::Auto, &mut out);
        let _ = wok_push_core::host::parse_feed(&s, 100);
    }
}
