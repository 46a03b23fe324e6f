//! The websocket transport. Owns: one `WebSocket` and its four handlers. Dropping a [`Ws`]
//! detaches the handlers first, then closes the socket: no handler fires after that, and
//! nothing is leaked per connection (every closure is owned here, never forgotten).

use super::driver::{feed, Inner};
use crate::core::{Frame, Gen, Input, Protocol};
use js_sys::{Array, ArrayBuffer, Uint8Array};
use std::rc::Weak;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BinaryType, Event, MessageEvent, WebSocket};

/// Subprotocols offered: `binary` (websockify ≥ 0.9, preferred by 0.8 too) and `base64`.
const PROTOCOLS: [&str; 2] = ["binary", "base64"];

/// An open or opening websocket of one attempt.
pub struct Ws {
    sock: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(Event)>,
}

impl Ws {
    /// Opens `url` for attempt `gen`; events are fed to `sink` tagged with `gen`.
    ///
    /// # Errors
    /// The `WebSocket` constructor's exception (bad URL, blocked port, no WebSocket).
    pub fn open(url: &str, gen: Gen, sink: Weak<Inner>) -> Result<Ws, JsValue> {
        let protocols: Array = PROTOCOLS.iter().map(|p| JsValue::from_str(p)).collect();
        let sock = WebSocket::new_with_str_sequence(url, &protocols)?;
        sock.set_binary_type(BinaryType::Arraybuffer);
        let s = sink.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            let proto = e
                .target()
                .and_then(|t| t.dyn_into::<WebSocket>().ok())
                .map(|w| w.protocol())
                .unwrap_or_default();
            feed(&s, Input::SocketOpened(gen, proto));
        });
        let s = sink.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let frame = if let Some(text) = data.as_string() {
                Frame::Text(text)
            } else if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
                Frame::Binary(Uint8Array::new(buf).to_vec())
            } else {
                return;
            };
            feed(&s, Input::SocketFrame(gen, frame));
        });
        // `error` is a plain `Event` and is always followed by `close`; both mean "gone".
        let on_close = Closure::<dyn FnMut(Event)>::new(move |_e: Event| {
            feed(&sink, Input::SocketClosed(gen));
        });
        sock.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        sock.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        sock.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        sock.set_onerror(Some(on_close.as_ref().unchecked_ref()));
        Ok(Ws {
            sock,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    /// Sends the heartbeat encoded for the negotiated protocol.
    pub fn send_heartbeat(&self, protocol: Protocol) {
        let text = protocol.heartbeat();
        let _ = match protocol {
            Protocol::Base64 => self.sock.send_with_str(text),
            Protocol::Binary => self.sock.send_with_u8_array(text.as_bytes()),
        };
    }

    /// Bytes queued by `send()` but not yet handed to the network.
    pub fn buffered_amount(&self) -> u32 {
        self.sock.buffered_amount()
    }
}

impl Drop for Ws {
    fn drop(&mut self) {
        self.sock.set_onopen(None);
        self.sock.set_onmessage(None);
        self.sock.set_onclose(None);
        self.sock.set_onerror(None);
        let _ = self.sock.close();
    }
}
