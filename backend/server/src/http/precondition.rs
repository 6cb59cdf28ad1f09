//! The change number a client last saw, so that a change made against an outdated view of a
//! flag answers 409 instead of silently overwriting someone else's.

use actix_web::http::header;
use actix_web::HttpRequest;
use serde::Deserialize;

use super::{ApiError, ApiResult};

/// The optional body of a kill or restore.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KillRequest {
    /// The flag's change number the client last saw.
    pub change_number: Option<i64>,
}

impl KillRequest {
    /// An empty body is an empty request (the kill switch takes no arguments).
    pub fn parse(body: &[u8]) -> ApiResult<KillRequest> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(KillRequest::default());
        }
        // `null` too: the console posts it for "no arguments".
        let parsed: Option<KillRequest> = serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(
                "invalid_json",
                format!("the body is optional, else {{\"change_number\": <number>}}: {e}"),
            )
        })?;
        Ok(parsed.unwrap_or_default())
    }
}

/// The expected change number: the `If-Match` header (`"123"`, `123` or `W/"123"`; `*`
/// means any), else `from_body`. Both present and different is a 400.
pub fn expected_change_number(
    request: &HttpRequest,
    from_body: Option<i64>,
) -> ApiResult<Option<i64>> {
    let Some(value) = request.headers().get(header::IF_MATCH) else {
        return Ok(from_body);
    };
    let invalid = || {
        ApiError::bad_request(
            "invalid_if_match",
            "If-Match must hold the flag's change number, e.g. If-Match: \"1795314651564\"",
        )
    };
    let text = value.to_str().map_err(|_| invalid())?.trim();
    if text == "*" {
        return Ok(from_body);
    }
    let unquoted = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    let from_header: i64 = unquoted.parse().map_err(|_| invalid())?;
    match from_body {
        Some(body) if body != from_header => Err(ApiError::bad_request(
            "invalid_if_match",
            format!("If-Match says {from_header} but the body's change_number says {body}"),
        )),
        _ => Ok(Some(from_header)),
    }
}
