//! `navigator.sendBeacon` posts. When a page is hidden or closed, Split's browser SDK sends what
//! is still queued to `…/beacon` twins of its endpoints. A beacon cannot set headers, so the SDK
//! key travels in the body, a `text/plain` envelope:
//! `{"entries": <the usual bulk payload>, "token": "<SDK key>", "sdk": "browserjs-1.7.1", "sim": "DEBUG"}`.
//! Each beacon stores exactly what its bulk endpoint would.

use actix_web::{post, web, HttpRequest, HttpResponse};
use imprint_domain::ingest::{parse_split_keys_client, SdkMetadata};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::body::read_body;
use super::sdk_auth::{caller_for_key, non_blank, SdkCaller};
use super::split_ingest::{
    store_counts, store_events, store_impressions, store_keys, store_telemetry, telemetry_kind,
};
use super::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct Beacon<'a> {
    #[serde(borrow)]
    pub entries: &'a RawValue,
    pub token: &'a str,
    #[serde(default)]
    sdk: Option<String>,
    /// The impressions mode (`sim`), which a header carries on the bulk endpoints.
    #[serde(default)]
    sim: Option<String>,
}

impl<'a> Beacon<'a> {
    pub fn parse(body: &'a [u8]) -> ApiResult<Beacon<'a>> {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(
                "invalid_beacon",
                format!(
                    "without an Authorization header the body must be a beacon, \
                     {{\"token\": \"<SDK key>\", \"entries\": …}}: {e}"
                ),
            )
        })
    }

    pub fn metadata(&self) -> SdkMetadata {
        SdkMetadata {
            sdk: non_blank(self.sdk.as_deref()),
            impressions_mode: non_blank(self.sim.as_deref()),
            ..SdkMetadata::default()
        }
    }
}

/// Reads the envelope and authenticates its token.
async fn open(
    req: &HttpRequest,
    state: &AppState,
    payload: web::Payload,
) -> ApiResult<(SdkCaller, web::Bytes)> {
    let body = read_body(payload, state).await?;
    let beacon = Beacon::parse(&body)?;
    let caller = caller_for_key(req, beacon.token, beacon.metadata())?;
    let entries = web::Bytes::copy_from_slice(beacon.entries.get().as_bytes());
    Ok((caller, entries))
}

#[utoipa::path(post, path = "/api/testImpressions/beacon", tag = "ingestion (Split)", request_body(content = String, content_type = "text/plain", description = "`{\"entries\", \"token\", \"sdk\", \"sim\"}`"), responses((status = 200, description = "Success", body = imprint_types::IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/testImpressions/beacon")]
pub async fn impressions(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, entries) = open(&req, &state, payload).await?;
    let report = store_impressions(&state, &caller, &entries).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(post, path = "/api/testImpressions/count/beacon", tag = "ingestion (Split)", request_body(content = String, content_type = "text/plain"), responses((status = 200, description = "Success", body = imprint_types::IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/testImpressions/count/beacon")]
pub async fn counts(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, entries) = open(&req, &state, payload).await?;
    let report = store_counts(&state, &caller, &entries).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(post, path = "/api/events/beacon", tag = "ingestion (Split)", request_body(content = String, content_type = "text/plain"), responses((status = 200, description = "Success", body = imprint_types::IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/events/beacon")]
pub async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, entries) = open(&req, &state, payload).await?;
    let report = store_events(&state, &caller, &entries).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(post, path = "/api/v1/keys/cs/beacon", tag = "ingestion (Split)", request_body(content = String, content_type = "text/plain"), responses((status = 200, description = "Success", body = imprint_types::IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/keys/cs/beacon")]
pub async fn keys_client_side(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, entries) = open(&req, &state, payload).await?;
    let report = store_keys(&state, &caller, &entries, parse_split_keys_client).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(post, path = "/api/v1/metrics/{kind}/beacon", tag = "ingestion (Split)", params(("kind" = String, Path)), request_body(content = String, content_type = "text/plain"), responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/metrics/{kind}/beacon")]
pub async fn telemetry(
    req: HttpRequest,
    state: web::Data<AppState>,
    kind: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let kind = telemetry_kind(kind.into_inner())?;
    let (caller, entries) = open(&req, &state, payload).await?;
    store_telemetry(&state, &caller, kind, &entries).await?;
    Ok(HttpResponse::Ok().finish())
}
