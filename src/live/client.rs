//! The page's end of a draft's live channel (browser only): one WebSocket per open draft
//! page, reopened after a drop with growing pauses (0.5 s up to 5 s), resuming after the
//! last event the page has, so nothing is missed.
//!
//! A tab shows one draft at a time, so the link lives in one thread-local slot.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::types::{Connection, LiveMessage, PageMessage};

/// Typing notices go out at most this often.
const TYPING_EVERY_MS: f64 = 100.0;

struct Link {
    draft_id: String,
    /// The last event the page has applied.
    last_seq: i64,
    attempt: u32,
    /// Bumped on every (re)open, so handlers of an old socket do nothing.
    generation: u32,
    socket: Option<WebSocket>,
    status: RwSignal<Connection>,
    on_message: Rc<dyn Fn(LiveMessage)>,
    last_typing_ms: f64,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_close: Option<Closure<dyn FnMut(CloseEvent)>>,
}

thread_local! {
    static LINK: RefCell<Option<Link>> = const { RefCell::new(None) };
    /// Generations are unique across links, so a timer of a closed link never matches.
    static GENERATIONS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

fn next_generation() -> u32 {
    GENERATIONS.with(|g| {
        g.set(g.get().wrapping_add(1));
        g.get()
    })
}

/// Opens the live channel for `draft_id`, resuming after event `seq`.
pub fn open(
    draft_id: String,
    seq: i64,
    status: RwSignal<Connection>,
    on_message: impl Fn(LiveMessage) + 'static,
) {
    close();
    LINK.with(|slot| {
        *slot.borrow_mut() = Some(Link {
            draft_id,
            last_seq: seq,
            attempt: 0,
            generation: 0,
            socket: None,
            status,
            on_message: Rc::new(on_message),
            last_typing_ms: 0.0,
            _on_message: None,
            _on_close: None,
        });
    });
    connect();
}

/// Closes the channel (the page is going away).
pub fn close() {
    let link = LINK.with(|slot| slot.borrow_mut().take());
    if let Some(socket) = link.and_then(|l| l.socket) {
        socket.set_onmessage(None);
        socket.set_onclose(None);
        let _ = socket.close();
    }
}

/// Tells the others this user is typing (at most every 100 ms).
pub fn typing() {
    LINK.with(|slot| {
        let mut slot = slot.borrow_mut();
        let Some(link) = slot.as_mut() else { return };
        let now = js_sys::Date::now();
        if now - link.last_typing_ms < TYPING_EVERY_MS {
            return;
        }
        if let Some(socket) = link
            .socket
            .as_ref()
            .filter(|s| s.ready_state() == WebSocket::OPEN)
        {
            link.last_typing_ms = now;
            if let Ok(text) = serde_json::to_string(&PageMessage::Typing) {
                let _ = socket.send_with_str(&text);
            }
        }
    });
}

fn socket_url(draft_id: &str, after: i64) -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss:"
    } else {
        "ws:"
    };
    let host = location.host().ok()?;
    Some(format!(
        "{scheme}//{host}/api/live/drafts/{draft_id}?after={after}"
    ))
}

fn connect() {
    LINK.with(|slot| {
        let mut slot = slot.borrow_mut();
        let Some(link) = slot.as_mut() else { return };
        link.generation = next_generation();
        let generation = link.generation;
        let socket =
            socket_url(&link.draft_id, link.last_seq).and_then(|url| WebSocket::new(&url).ok());
        let Some(socket) = socket else {
            drop(slot);
            retry_later(generation);
            return;
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(text) = event.data().as_string() {
                if let Ok(message) = serde_json::from_str::<LiveMessage>(&text) {
                    received(generation, message);
                }
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
            retry_later(generation);
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        if let Some(old) = link.socket.replace(socket) {
            old.set_onmessage(None);
            old.set_onclose(None);
            let _ = old.close();
        }
        link._on_message = Some(on_message);
        link._on_close = Some(on_close);
    });
}

/// Notes the message's event number, then hands it to the page (outside the borrow, so
/// the page may call [`typing`] or [`close`]).
fn received(generation: u32, message: LiveMessage) {
    let handler = LINK.with(|slot| {
        let mut slot = slot.borrow_mut();
        let link = slot.as_mut().filter(|l| l.generation == generation)?;
        match &message {
            LiveMessage::Event { seq, .. } | LiveMessage::Reset { seq } => link.last_seq = *seq,
            LiveMessage::Ready { seq } => {
                link.last_seq = *seq;
                link.attempt = 0;
                link.status.set(Connection::Live);
            }
            LiveMessage::Revoked => {
                link.status.set(Connection::Closed);
                link.generation = next_generation();
            }
            LiveMessage::Presence { .. } => {}
        }
        Some(link.on_message.clone())
    });
    if let Some(handler) = handler {
        handler(message);
    }
}

fn retry_later(generation: u32) {
    let pause = LINK.with(|slot| {
        let mut slot = slot.borrow_mut();
        let link = slot.as_mut().filter(|l| l.generation == generation)?;
        link.status.set(Connection::Reconnecting);
        link.attempt += 1;
        Some((500 * 2_i32.pow(link.attempt.min(4) - 1)).min(5_000))
    });
    let Some(pause) = pause else { return };
    let retry = Closure::once_into_js(move || {
        let current = LINK.with(|slot| slot.borrow().as_ref().map(|l| l.generation));
        if current == Some(generation) {
            connect();
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(retry.unchecked_ref(), pause);
    }
}
