//! Calls from the browser to Imprint's REST API.
//!
//! Cookie-authenticated writes must echo the CSRF token (readable in the `imprint_csrf`
//! cookie) in the `X-CSRF-Token` header; every call here does so.

use serde::{de::DeserializeOwned, Serialize};

/// An API failure, worded for the person using the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl ApiError {
    /// The message as a sentence: the API words its messages in lower case without a full
    /// stop ("the current password is wrong"); people read "The current password is wrong."
    pub fn sentence(&self) -> String {
        display::sentence(&self.message)
    }

    fn network(detail: impl std::fmt::Display) -> Self {
        ApiError {
            status: 0,
            code: "network".into(),
            message: format!(
                "Imprint could not be reached ({detail}). Check your connection and try again."
            ),
        }
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    send::<(), T>("GET", path, None).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    send("POST", path, Some(body)).await
}

pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    send("PUT", path, Some(body)).await
}

pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    send("PATCH", path, Some(body)).await
}

pub async fn delete(path: &str) -> Result<(), ApiError> {
    send::<(), serde_json::Value>("DELETE", path, None)
        .await
        .map(|_| ())
}

#[cfg(feature = "hydrate")]
async fn send<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    use gloo_net::http::{Method, RequestBuilder};
    use imprint_types::ApiErrorBody;

    let method = match method {
        "POST" => Method::POST,
        "PUT" => Method::PUT,
        "PATCH" => Method::PATCH,
        "DELETE" => Method::DELETE,
        _ => Method::GET,
    };
    let mut builder = RequestBuilder::new(path)
        .method(method)
        .header("Accept", "application/json");
    if let Some(token) = csrf_token() {
        builder = builder.header("X-CSRF-Token", &token);
    }
    let request = match body {
        Some(body) => builder.json(body).map_err(ApiError::network)?,
        None => builder.build().map_err(ApiError::network)?,
    };
    let response = request.send().await.map_err(ApiError::network)?;
    let status = response.status();
    let text = response.text().await.map_err(ApiError::network)?;
    if response.ok() {
        let text = if text.is_empty() { "null" } else { &text };
        return serde_json::from_str(text).map_err(|e| ApiError {
            status,
            code: "bad_response".into(),
            message: format!("Imprint sent an answer the console does not understand: {e}"),
        });
    }
    Err(match serde_json::from_str::<ApiErrorBody>(&text) {
        Ok(body) => ApiError {
            status,
            code: body.code,
            message: body.message,
        },
        Err(_) => ApiError {
            status,
            code: "http".into(),
            message: format!("Imprint answered with HTTP {status}."),
        },
    })
}

/// Server rendering never calls the API: pages read their data in the browser.
#[cfg(not(feature = "hydrate"))]
async fn send<B: Serialize, T: DeserializeOwned>(
    _method: &str,
    _path: &str,
    _body: Option<&B>,
) -> Result<T, ApiError> {
    Err(ApiError::network("not in a browser"))
}

#[cfg(feature = "hydrate")]
fn csrf_token() -> Option<String> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()?.document()?;
    let cookies = document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()?;
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "imprint_csrf")
        .map(|(_, value)| value.to_owned())
}

/// Leaves the single-page app for a full page load, so the server renders the next page with
/// the new session state.
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Copies text to the clipboard; false when the browser refused.
pub async fn copy_to_clipboard(text: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return false;
        };
        let promise = window.navigator().clipboard().write_text(text);
        wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = text;
        false
    }
}

/// How the console words what the API sends (times and numbers: `components::format`).
pub mod display {
    /// "2025-06" → "June 2025".
    pub fn month(yyyy_mm: &str) -> String {
        const NAMES: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let name = yyyy_mm
            .get(5..7)
            .and_then(|m| m.parse::<usize>().ok())
            .and_then(|m| m.checked_sub(1))
            .and_then(|m| NAMES.get(m));
        match (name, yyyy_mm.get(..4)) {
            (Some(name), Some(year)) => format!("{name} {year}"),
            _ => yyyy_mm.to_owned(),
        }
    }

    /// The first letter in upper case.
    pub fn capitalized(text: &str) -> String {
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// Capitalised, with a full stop.
    pub fn sentence(message: &str) -> String {
        let message = message.trim();
        let mut chars = message.chars();
        let mut out = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
            None => return String::new(),
        };
        if !out.ends_with(['.', '!', '?']) {
            out.push('.');
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn values_read_well() {
            assert_eq!(month("2025-06"), "June 2025");
            assert_eq!(month("2025-13"), "2025-13");
            assert_eq!(
                sentence("the current password is wrong"),
                "The current password is wrong."
            );
            assert_eq!(sentence("Done."), "Done.");
        }
    }
}
