//! Imprint's native ingestion API: JSON arrays, NDJSON, or `text/plain` holding JSON (what
//! `navigator.sendBeacon` sends). Valid items are stored even when others are rejected.
//!
//! A beacon cannot set `Authorization`, so without that header the body may be the envelope the
//! Split browser SDK uses, `{"token": "<SDK key>", "entries": [...]}`.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use imprint_domain::ingest::{parse_native_events, parse_native_impressions_in, NativeFormat};
use imprint_types::IngestReport;

use super::beacon::Beacon;
use super::body::read_body;
use super::sdk_auth::{caller_for_key, identify, SdkCaller};
use super::split_ingest::limits;
use super::{ApiError, ApiResult};
use crate::auth::identity::bearer_token;
use crate::state::AppState;

fn format_of(req: &HttpRequest) -> NativeFormat {
    NativeFormat::from_content_type(
        req.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The caller and the items: from the `Authorization` header and the whole body, or, without
/// that header, from a beacon envelope.
fn caller_and_items<'b>(
    req: &HttpRequest,
    body: &'b [u8],
) -> ApiResult<(SdkCaller, &'b [u8], NativeFormat)> {
    if bearer_token(req).is_some() {
        let caller = identify(req)?;
        return Ok((caller, body, format_of(req)));
    }
    // Without the header, only a beacon envelope can carry a key: anything else is a
    // request without credentials.
    let beacon = Beacon::parse(body).map_err(|_| {
        ApiError::Unauthorized(
            "send the environment's SDK key as `Authorization: Bearer <key>`, or from \
             `navigator.sendBeacon` as `{\"token\": \"<key>\", \"entries\": [...]}`"
                .into(),
        )
    })?;
    let caller = caller_for_key(req, beacon.token, beacon.metadata())?;
    Ok((
        caller,
        beacon.entries.get().as_bytes(),
        NativeFormat::TextJson,
    ))
}

#[utoipa::path(post, path = "/api/v1/impressions", tag = "ingestion", responses((status = 202, description = "Success", body = IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/impressions")]
pub async fn impressions(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, &state).await?;
    let (caller, body, format) = caller_and_items(&req, &body)?;
    let now = imprint_store::now_ms();
    // Split's example payload names its environment (`environmentId`): by name or id.
    let env = &caller.environment;
    let id = env.id.to_string();
    let known_as = [env.name.as_str(), id.as_str()];
    let parsed =
        parse_native_impressions_in(body, format, &limits(&state, &caller, now), &known_as)
            .map_err(|e| ApiError::bad_request(e.code, e.message))?;
    let report = state
        .ingest
        .impressions(&caller.environment, parsed, now)
        .await?;
    Ok(HttpResponse::Accepted().json(report))
}

#[utoipa::path(post, path = "/api/v1/events", tag = "ingestion", responses((status = 202, description = "Success", body = IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/events")]
pub async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, &state).await?;
    let (caller, body, format) = caller_and_items(&req, &body)?;
    let now = imprint_store::now_ms();
    let parsed = parse_native_events(body, format, &limits(&state, &caller, now))
        .map_err(|e| ApiError::bad_request(e.code, e.message))?;
    let report = state
        .ingest
        .events(&caller.environment, parsed, now)
        .await?;
    Ok(HttpResponse::Accepted().json(report))
}
