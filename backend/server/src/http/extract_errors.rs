//! Turns actix's own body and query parsing failures into the API's error shape.

use actix_web::error::{JsonPayloadError, PayloadError, QueryPayloadError};
use actix_web::{web, HttpRequest};

use super::ApiError;

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req: &HttpRequest| json_error(err, limit).into())
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::bad_request("invalid_query", format!("invalid query string: {err}")).into()
    })
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _req| {
        ApiError::bad_request("invalid_path", format!("invalid path: {err}")).into()
    })
}

fn json_error(err: JsonPayloadError, limit: usize) -> ApiError {
    match err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::PayloadTooLarge { limit }
        }
        JsonPayloadError::Payload(PayloadError::Overflow) => ApiError::PayloadTooLarge { limit },
        JsonPayloadError::ContentType => ApiError::bad_request(
            "unsupported_content_type",
            "send the body as JSON with Content-Type: application/json",
        ),
        JsonPayloadError::Deserialize(e) => ApiError::bad_request(
            "invalid_json",
            format!("the body is not valid JSON for this endpoint: {e}"),
        ),
        other => ApiError::bad_request("invalid_body", format!("could not read the body: {other}")),
    }
}
