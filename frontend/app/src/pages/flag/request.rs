//! Saving a definition: like `api::put`, but a 400 `validation_failed` answer keeps its
//! per-field problems (`errors: [{field, message}]`) so the editor can show each one next to
//! its field. (`api::ApiError` has no room for them yet.)

use serde::{Deserialize, Serialize};

use super::model::{Definition, FlagDetail};
use crate::api::ApiError;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveError {
    pub error: ApiError,
    pub fields: Vec<FieldProblem>,
}

/// Saves `definition`; with `expected`, only if the flag is still at that change number
/// (else a 409 `conflict`: someone else saved meanwhile).
pub async fn put_definition(
    env: &str,
    flag: &str,
    definition: &Definition,
    expected: Option<i64>,
) -> Result<FlagDetail, SaveError> {
    let path = format!("/api/v1/environments/{env}/flags/{flag}/definition");
    send_put(&path, definition, expected).await
}

impl SaveError {
    /// Someone else changed the flag since the editor opened.
    pub fn is_conflict(&self) -> bool {
        self.error.status == 409 && self.error.code == "conflict"
    }
}

#[cfg(feature = "hydrate")]
async fn send_put<B: Serialize>(
    path: &str,
    body: &B,
    expected: Option<i64>,
) -> Result<FlagDetail, SaveError> {
    use gloo_net::http::{Method, RequestBuilder};

    #[derive(Deserialize)]
    struct Body {
        code: String,
        message: String,
        #[serde(default)]
        errors: Vec<FieldProblem>,
    }

    let plain = |error: ApiError| SaveError {
        error,
        fields: Vec::new(),
    };
    let network = |detail: String| {
        plain(ApiError {
            status: 0,
            code: "network".into(),
            message: format!(
                "Imprint could not be reached ({detail}). Check your connection and try again."
            ),
        })
    };
    let mut builder = RequestBuilder::new(path)
        .method(Method::PUT)
        .header("Accept", "application/json");
    if let Some(token) = csrf_token() {
        builder = builder.header("X-CSRF-Token", &token);
    }
    if let Some(change_number) = expected {
        builder = builder.header("If-Match", &format!("\"{change_number}\""));
    }
    let request = builder.json(body).map_err(|e| network(e.to_string()))?;
    let response = request.send().await.map_err(|e| network(e.to_string()))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| network(e.to_string()))?;
    if response.ok() {
        return serde_json::from_str(&text).map_err(|e| {
            plain(ApiError {
                status,
                code: "bad_response".into(),
                message: format!("Imprint sent an answer the console does not understand: {e}"),
            })
        });
    }
    Err(match serde_json::from_str::<Body>(&text) {
        Ok(body) => SaveError {
            error: ApiError {
                status,
                code: body.code,
                message: body.message,
            },
            fields: body.errors,
        },
        Err(_) => plain(ApiError {
            status,
            code: "http".into(),
            message: format!("Imprint answered with HTTP {status}."),
        }),
    })
}

#[cfg(not(feature = "hydrate"))]
async fn send_put<B: Serialize>(
    _path: &str,
    _body: &B,
    _expected: Option<i64>,
) -> Result<FlagDetail, SaveError> {
    Err(SaveError {
        error: ApiError {
            status: 0,
            code: "network".into(),
            message: "not in a browser".into(),
        },
        fields: Vec::new(),
    })
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
