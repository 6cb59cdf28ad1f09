//! The live tail's connection: an `EventSource` on the tail's URL (the session cookie
//! authenticates it), its events decoded for the component.
// The server build renders the tail but never connects it.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use serde::Deserialize;

/// One second of the tail's counts (`stats` event).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
pub struct Stats {
    #[serde(default)]
    pub matched: u64,
    #[serde(default)]
    pub sent: u64,
    #[serde(default)]
    pub skipped: u64,
    #[serde(default)]
    pub skipped_over_rate: u64,
    #[serde(default)]
    pub skipped_slow_client: u64,
    #[serde(default)]
    pub max_rate: u64,
}

#[derive(Deserialize)]
struct Notice {
    message: String,
}

#[derive(Deserialize)]
struct Diagnostic {
    reasons: Vec<String>,
}

#[derive(Deserialize)]
struct Ready {
    #[serde(default)]
    replayed: u64,
}

/// What the stream reports to the component.
pub enum Incoming {
    Open,
    /// The raw JSON of one impression or event.
    Row(String),
    Stats(Stats),
    Notice(String),
    Diagnostic(Vec<String>),
    Ready {
        replayed: u64,
    },
    /// The connection failed or the server ended it; the component reopens it.
    Lost,
}

impl Incoming {
    fn decode(event: &str, data: String) -> Option<Incoming> {
        Some(match event {
            "impression" | "event" => Incoming::Row(data),
            "stats" => Incoming::Stats(serde_json::from_str(&data).ok()?),
            "notice" => Incoming::Notice(serde_json::from_str::<Notice>(&data).ok()?.message),
            "diagnostic" => {
                Incoming::Diagnostic(serde_json::from_str::<Diagnostic>(&data).ok()?.reasons)
            }
            "ready" => Incoming::Ready {
                replayed: serde_json::from_str::<Ready>(&data).ok()?.replayed,
            },
            _ => return None,
        })
    }
}

#[cfg(feature = "hydrate")]
pub use browser::Connection;

/// On the server there is no stream: pages only connect once hydrated.
#[cfg(not(feature = "hydrate"))]
pub struct Connection;

#[cfg(not(feature = "hydrate"))]
impl Connection {
    pub fn open(url: &str, on: impl Fn(Incoming) + 'static) -> Result<Connection, String> {
        let _ = (url, on);
        Err("the live tail runs in the browser".to_owned())
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::rc::Rc;

    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Event, EventSource, MessageEvent};

    use super::Incoming;

    type Listener = Closure<dyn FnMut(MessageEvent)>;

    /// An open stream; dropping it closes it.
    pub struct Connection {
        source: EventSource,
        _listeners: Vec<Listener>,
        _on_open: Closure<dyn FnMut(Event)>,
        _on_error: Closure<dyn FnMut(Event)>,
    }

    impl Connection {
        pub fn open(url: &str, on: impl Fn(Incoming) + 'static) -> Result<Connection, String> {
            let source = EventSource::new(url).map_err(|e| format!("{e:?}"))?;
            let on: Rc<dyn Fn(Incoming)> = Rc::new(on);
            let mut listeners = Vec::new();
            for name in [
                "impression",
                "event",
                "stats",
                "notice",
                "diagnostic",
                "ready",
            ] {
                let on = on.clone();
                let listener = Listener::new(move |event: MessageEvent| {
                    if let Some(data) = event.data().as_string() {
                        if let Some(incoming) = Incoming::decode(name, data) {
                            on(incoming);
                        }
                    }
                });
                source
                    .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
                    .map_err(|e| format!("{e:?}"))?;
                listeners.push(listener);
            }
            let opened = on.clone();
            let on_open = Closure::<dyn FnMut(Event)>::new(move |_| opened(Incoming::Open));
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            // The component reopens the stream itself (without the replay, after a backoff):
            // the browser's own retry would replay the same rows again.
            let failed = source.clone();
            let on_error = Closure::<dyn FnMut(Event)>::new(move |_| {
                failed.close();
                on(Incoming::Lost);
            });
            source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Ok(Connection {
                source,
                _listeners: listeners,
                _on_open: on_open,
                _on_error: on_error,
            })
        }
    }

    impl Drop for Connection {
        fn drop(&mut self) {
            self.source.set_onopen(None);
            self.source.set_onerror(None);
            self.source.close();
        }
    }
}

/// Why the tail's URL is refused, in words, when the API refuses it (a 4xx with a JSON
/// error: a bad filter, a signed-out session, an unknown environment). `None` when it answers
/// 200 or cannot be reached (then reconnecting is the right thing to do).
pub async fn refusal(url: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use gloo_net::http::Request;
        let controller = web_sys::AbortController::new().ok()?;
        let response = Request::get(url)
            .abort_signal(Some(&controller.signal()))
            .send()
            .await
            .ok()?;
        let status = response.status();
        if response.ok() || status >= 500 {
            controller.abort();
            return None;
        }
        let text = response.text().await.unwrap_or_default();
        let message = serde_json::from_str::<imprint_types::ApiErrorBody>(&text)
            .map(|b| crate::api::display::sentence(&b.message))
            .unwrap_or_else(|_| format!("Imprint answered with HTTP {status}."));
        Some(message)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = url;
        None
    }
}
