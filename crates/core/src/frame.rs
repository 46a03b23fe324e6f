//! The push stream decoder. Owns: splitting the byte stream on `//EOM//`, the bounded
//! partial message kept between frames, base64/binary frame decoding, UTF-8, and reading a
//! complete message as a WoK code or a JSON notification.
//!
//! websockify relays bytes as they arrive, so a frame may hold several messages, part of one,
//! or cut a UTF-8 character in two: the stream is split on bytes first, then each complete
//! message is decoded.

use super::config::Format;
use super::error::Error;
use super::notice::Notice;
use super::platform::{read_json_notices, starts_like_json};
use super::platform::{Json, JsonFn, Platform};
use crate::prelude::*;

/// The end-of-message marker of WoK's push server.
pub const MARKER: &[u8] = b"//EOM//";

/// The websocket subprotocol the server selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `binary` or none: data frames carry raw bytes (text frames are read as UTF-8 bytes).
    Binary,
    /// `base64` (websockify ≤ 0.8): text frames carry base64 of the raw bytes.
    Base64,
}

impl Protocol {
    /// Maps `WebSocket.protocol` to a [`Protocol`].
    pub fn from_selected(selected: &str) -> Protocol {
        if selected == "base64" {
            Protocol::Base64
        } else {
            Protocol::Binary
        }
    }

    /// The heartbeat payload for this protocol: raw `heartbeat` or its base64 `aGVhcnRiZWF0`.
    pub fn heartbeat(self) -> &'static str {
        match self {
            Protocol::Binary => "heartbeat",
            Protocol::Base64 => "aGVhcnRiZWF0",
        }
    }
}

/// One websocket data frame as the browser delivered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// A binary frame (`ArrayBuffer`).
    Binary(Vec<u8>),
    /// A text frame.
    Text(String),
}

/// Splits and decodes the push stream of one connection.
#[derive(Debug)]
pub struct Decoder {
    partial: Vec<u8>,
    max_partial: usize,
    format: Format,
    platform: Platform,
}

impl Decoder {
    /// A decoder keeping at most `max_partial` bytes of an unfinished message, on the host
    /// platform (host builds only).
    #[cfg(feature = "host")]
    pub fn new(format: Format, max_partial: usize) -> Decoder {
        Decoder::with_platform(format, max_partial, super::host::PLATFORM)
    }

    /// A decoder using `platform` to read JSON and base64.
    pub fn with_platform(format: Format, max_partial: usize, platform: Platform) -> Decoder {
        Decoder {
            partial: Vec::new(),
            max_partial,
            format,
            platform,
        }
    }

    /// Forgets any partial message (a new connection starts clean).
    pub fn reset(&mut self) {
        self.partial = Vec::new();
    }

    /// Bytes of the unfinished message currently kept.
    pub fn partial_len(&self) -> usize {
        self.partial.len()
    }

    /// Feeds one frame; complete messages (or errors) are appended to `out` in order.
    pub fn push(
        &mut self,
        frame: &Frame,
        protocol: Protocol,
        out: &mut Vec<Result<Notice, Error>>,
    ) {
        match (frame, protocol) {
            (Frame::Text(t), Protocol::Base64) => match (self.platform.base64)(t) {
                Some(bytes) => self.push_bytes(&bytes, out),
                None => out.push(Err(Error::InvalidBase64)),
            },
            (Frame::Text(t), Protocol::Binary) => self.push_bytes(t.as_bytes(), out),
            (Frame::Binary(b), _) => self.push_bytes(b, out),
        }
    }

    /// Feeds raw stream bytes.
    ///
    /// The whole-frame JSON rule (`format` `auto` or `json`): when no partial `//EOM//`
    /// message is pending and the frame is, by itself, a JSON notification object or an
    /// array of them, it is read as such with no marker needed (the tornado push server of
    /// WoK's 2017 proposal sends one JSON object or array per websocket message). Anything
    /// else, `{"code":"A"}//EOM//` included, goes through the `//EOM//` stream.
    pub fn push_bytes(&mut self, bytes: &[u8], out: &mut Vec<Result<Notice, Error>>) {
        if self.partial.is_empty() && self.format != Format::Wok {
            if let Some(items) = whole_json_frame(self.platform.json, bytes) {
                out.extend(items.into_iter().map(Ok));
                return;
            }
        }
        if self.partial.is_empty() {
            let rest = self.split(bytes, out);
            self.keep(bytes.get(rest..).unwrap_or_default(), out);
        } else {
            let mut buf = core::mem::take(&mut self.partial);
            buf.extend_from_slice(bytes);
            let rest = self.split(&buf, out);
            self.keep(buf.get(rest..).unwrap_or_default(), out);
        }
    }

    fn keep(&mut self, rest: &[u8], out: &mut Vec<Result<Notice, Error>>) {
        if rest.len() > self.max_partial {
            self.partial = Vec::new();
            out.push(Err(Error::FrameTooLong));
        } else {
            self.partial.clear();
            self.partial.extend_from_slice(rest);
        }
    }

    /// Emits every complete message in `buf`; returns where the unfinished rest starts.
    fn split(&self, buf: &[u8], out: &mut Vec<Result<Notice, Error>>) -> usize {
        let mut start = 0;
        while let Some(at) = find_marker(buf, start) {
            if let Some(m) = buf.get(start..at).filter(|m| !m.is_empty()) {
                self.message(m, out);
            }
            start = at + MARKER.len();
        }
        start
    }

    fn message(&self, bytes: &[u8], out: &mut Vec<Result<Notice, Error>>) {
        let Ok(text) = core::str::from_utf8(bytes) else {
            out.push(Err(Error::InvalidUtf8));
            return;
        };
        read_message_with(self.platform.json, text, self.format, out);
    }
}

/// Where the next [`MARKER`] at or after `from` starts. Checked slicing only: no panic
/// site (and its message text) in the wasm.
fn find_marker(buf: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let at = from + buf.get(from..)?.iter().position(|&b| b == b'/')?;
        if buf.get(at..)?.starts_with(MARKER) {
            return Some(at);
        }
        from = at + 1;
    }
}

/// The notices of a frame that is by itself a JSON notification object or array.
fn whole_json_frame(json: JsonFn, bytes: &[u8]) -> Option<Vec<Notice>> {
    if !starts_like_json(bytes) {
        return None;
    }
    match json(core::str::from_utf8(bytes).ok()?, usize::MAX) {
        Json::Notices { items, .. } => Some(items),
        _ => None,
    }
}

/// Reads one complete message text per `format` on the host platform (host builds only).
#[cfg(feature = "host")]
pub fn read_message(text: &str, format: Format, out: &mut Vec<Result<Notice, Error>>) {
    read_message_with(super::host::PLATFORM.json, text, format, out);
}

/// Reads one complete message text per `format` and appends the result(s) to `out`.
pub fn read_message_with(
    json: JsonFn,
    text: &str,
    format: Format,
    out: &mut Vec<Result<Notice, Error>>,
) {
    match format {
        Format::Wok => out.push(Ok(Notice::code(text))),
        Format::Json => match read_json_notices(json, text, usize::MAX) {
            Ok(v) => out.extend(v.into_iter().map(Ok)),
            Err(e) => out.push(Err(e)),
        },
        Format::Auto => match starts_like_json(text.as_bytes())
            .then(|| read_json_notices(json, text, usize::MAX))
        {
            Some(Ok(v)) => out.extend(v.into_iter().map(Ok)),
            _ => out.push(Ok(Notice::code(text))),
        },
    }
}

#[cfg(all(test, feature = "host"))]
mod tests {
    use super::*;

    fn codes(d: &mut Decoder, frames: &[&[u8]]) -> Vec<Result<String, Error>> {
        let mut out = Vec::new();
        for f in frames {
            d.push(&Frame::Binary(f.to_vec()), Protocol::Binary, &mut out);
        }
        out.into_iter().map(|r| r.map(|n| n.code)).collect()
    }

    #[test]
    fn splits_several_messages_and_keeps_the_partial() {
        let mut d = Decoder::new(Format::Auto, 1024);
        let got = codes(
            &mut d,
            &[
                b"POST:/kimchi/vms//EOM//POST:/wok/logs//EOM//PUT:/kim",
                b"chi/template//EOM//",
            ],
        );
        assert_eq!(
            got,
            vec![
                Ok("POST:/kimchi/vms".into()),
                Ok("POST:/wok/logs".into()),
                Ok("PUT:/kimchi/template".into())
            ]
        );
        assert_eq!(d.partial_len(), 0);
    }

    #[test]
    fn empty_pieces_are_dropped() {
        let mut d = Decoder::new(Format::Auto, 1024);
        assert_eq!(
            codes(&mut d, &[b"//EOM////EOM//A//EOM//"]),
            vec![Ok("A".into())]
        );
    }

    #[test]
    fn every_cut_position_gives_the_same_messages() {
        let stream = "METHOD:/kimchi/vms//EOM//é:/x//EOM//{\"code\":\"KCHCONN0002E\",\"timestamp\":\"t\"}//EOM//".as_bytes();
        for cut in 0..=stream.len() {
            let mut d = Decoder::new(Format::Auto, 1024);
            let got = codes(&mut d, &[&stream[..cut], &stream[cut..]]);
            assert_eq!(
                got,
                vec![
                    Ok("METHOD:/kimchi/vms".into()),
                    Ok("é:/x".into()),
                    Ok("KCHCONN0002E".into())
                ],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn base64_frames_decode_per_frame() {
        let mut d = Decoder::new(Format::Auto, 1024);
        let mut out = Vec::new();
        // "POST:/wok/logs//EOM//" in base64.
        d.push(
            &Frame::Text("UE9TVDovd29rL2xvZ3MvL0VPTS8v".into()),
            Protocol::Base64,
            &mut out,
        );
        assert_eq!(out, vec![Ok(Notice::code("POST:/wok/logs"))]);
        out.clear();
        d.push(
            &Frame::Text("not base64!".into()),
            Protocol::Base64,
            &mut out,
        );
        assert_eq!(out, vec![Err(Error::InvalidBase64)]);
    }

    #[test]
    fn invalid_utf8_and_oversize_are_typed_errors() {
        let mut d = Decoder::new(Format::Auto, 8);
        let mut out = Vec::new();
        d.push_bytes(b"\xff\xfe//EOM//", &mut out);
        assert_eq!(out, vec![Err(Error::InvalidUtf8)]);
        out.clear();
        d.push_bytes(b"0123456789", &mut out);
        assert_eq!(out, vec![Err(Error::FrameTooLong)]);
        assert_eq!(d.partial_len(), 0);
        out.clear();
        d.push_bytes(b"A//EOM//", &mut out);
        assert_eq!(out, vec![Ok(Notice::code("A"))]);
    }

    #[test]
    fn formats() {
        let mut out = Vec::new();
        read_message("{\"code\":\"A\"}", Format::Wok, &mut out);
        read_message("{broken", Format::Auto, &mut out);
        read_message(
            "[{\"code\":\"B\"},{\"code\":\"C\"}]",
            Format::Auto,
            &mut out,
        );
        read_message("POST:/x", Format::Json, &mut out);
        let got: Vec<_> = out.into_iter().map(|r| r.map(|n| n.code)).collect();
        assert_eq!(
            got,
            vec![
                Ok("{\"code\":\"A\"}".into()),
                Ok("{broken".into()),
                Ok("B".into()),
                Ok("C".into()),
                Err(Error::InvalidJson)
            ]
        );
    }

    #[test]
    fn whole_json_frames_need_no_marker_unless_a_message_is_pending() {
        let mut d = Decoder::new(Format::Auto, 1024);
        let got = codes(
            &mut d,
            &[
                b"{\"code\":\"A\",\"message\":\"A: x\",\"timestamp\":\"t\"}",
                b" [{\"code\":\"B\"},{\"code\":\"C\"}]\n",
                b"{\"code\":\"D\"}//EOM//",
                b"POST:/x//EOM//PUT:/",
                // A partial message is pending: this frame continues it.
                b"{\"code\":\"E\"}",
                b"//EOM//",
            ],
        );
        assert_eq!(
            got,
            vec![
                Ok("A".into()),
                Ok("B".into()),
                Ok("C".into()),
                Ok("D".into()),
                Ok("POST:/x".into()),
                Ok("PUT:/{\"code\":\"E\"}".into()),
            ]
        );
        // A JSON message cut across frames still needs its marker.
        let got = codes(&mut d, &[b"{\"code\":", b"\"F\"}//EOM//"]);
        assert_eq!(got, vec![Ok("F".into())]);
        // With format 'wok' a JSON frame is only a partial message.
        let mut w = Decoder::new(Format::Wok, 1024);
        assert_eq!(codes(&mut w, &[b"{\"code\":\"A\"}"]), vec![]);
        assert_eq!(w.partial_len(), 12);
    }

    #[test]
    fn heartbeat_per_protocol() {
        assert_eq!(
            Protocol::from_selected("base64").heartbeat(),
            "aGVhcnRiZWF0"
        );
        assert_eq!(Protocol::from_selected("").heartbeat(), "heartbeat");
    }
}
