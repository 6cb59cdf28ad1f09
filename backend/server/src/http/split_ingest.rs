//! The Split-compatible ingestion endpoints, exactly as the SDKs call them. Each stores its
//! body through a `store_*` function that the `sendBeacon` twins (`beacon.rs`) share.

use actix_web::{post, web, HttpResponse};
use imprint_domain::ingest::text::forbidden_in_name;
use imprint_domain::ingest::{
    parse_split_counts, parse_split_events, parse_split_impressions, parse_split_keys_client,
    parse_split_keys_server, BodyError, IngestLimits, Parsed, SdkMetadata, SeenKey,
};
use imprint_store::ingest::TelemetryRecord;
use imprint_types::IngestReport;

use super::body::read_body;
use super::sdk_auth::{SdkCaller, ServerSdkCaller};
use super::{ApiError, ApiResult};
use crate::config::Settings;
use crate::state::AppState;

fn invalid(e: BodyError) -> ApiError {
    ApiError::bad_request(e.code, e.message)
}

/// The per-item limits for the caller's environment, now.
pub fn limits(state: &AppState, caller: &SdkCaller, now: i64) -> IngestLimits {
    let settings = &state.settings;
    IngestLimits {
        max_key_bytes: settings.max_key_bytes,
        max_sdk_count: settings.max_sdk_count,
        max_listed_rejections: settings.max_listed_rejections,
        ..IngestLimits::new(now, caller.environment.retention_days.into())
    }
}

/// The `SplitSDK*` headers are stored with every item of the post, so a bad one refuses the
/// whole post: `invalid_header`, naming the header and the limit.
pub fn check_metadata(meta: &SdkMetadata, settings: &Settings) -> Result<(), ApiError> {
    let headers = [
        ("SplitSDKVersion", &meta.sdk),
        ("SplitSDKMachineIP", &meta.machine_ip),
        ("SplitSDKMachineName", &meta.machine_name),
        ("SplitSDKImpressionsMode", &meta.impressions_mode),
    ];
    let limit = settings.max_sdk_header_bytes;
    for (name, value) in headers {
        let Some(value) = value else { continue };
        if value.len() > limit {
            return Err(ApiError::bad_request(
                "invalid_header",
                format!(
                    "`{name}` is {} bytes long; the limit is {limit} bytes (max_sdk_header_bytes).",
                    value.len()
                ),
            ));
        }
        if let Some(problem) = forbidden_in_name(value) {
            return Err(ApiError::bad_request(
                "invalid_header",
                problem.message(name),
            ));
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/testImpressions/bulk", tag = "ingestion (Split)", responses((status = 200, description = "Success", body = IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/testImpressions/bulk")]
pub async fn impressions_bulk(
    state: web::Data<AppState>,
    caller: SdkCaller,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, &state).await?;
    let report = store_impressions(&state, &caller, &body).await?;
    Ok(HttpResponse::Ok().json(report))
}

pub async fn store_impressions(
    state: &AppState,
    caller: &SdkCaller,
    body: &[u8],
) -> ApiResult<IngestReport> {
    check_metadata(&caller.meta, &state.settings)?;
    let now = imprint_store::now_ms();
    let parsed = parse_split_impressions(body, &caller.meta, &limits(state, caller, now))
        .map_err(invalid)?;
    Ok(state
        .ingest
        .impressions_in_mode(
            &caller.environment,
            parsed,
            now,
            caller.meta.impressions_mode.as_deref(),
        )
        .await?)
}

#[utoipa::path(post, path = "/api/testImpressions/count", tag = "ingestion (Split)", responses((status = 200, description = "Success", body = IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/testImpressions/count")]
pub async fn impressions_count(
    state: web::Data<AppState>,
    caller: SdkCaller,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, &state).await?;
    let report = store_counts(&state, &caller, &body).await?;
    Ok(HttpResponse::Ok().json(report))
}

pub async fn store_counts(
    state: &AppState,
    caller: &SdkCaller,
    body: &[u8],
) -> ApiResult<IngestReport> {
    check_metadata(&caller.meta, &state.settings)?;
    let now = imprint_store::now_ms();
    let counts = parse_split_counts(body, &limits(state, caller, now)).map_err(invalid)?;
    Ok(state
        .ingest
        .sdk_counts(&caller.environment, counts, now)
        .await?)
}

#[utoipa::path(post, path = "/api/v1/keys/ss", tag = "ingestion (Split)", responses((status = 200, description = "Success", body = IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/keys/ss")]
pub async fn keys_server_side(
    state: web::Data<AppState>,
    ServerSdkCaller(caller): ServerSdkCaller,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, &state).await?;
    let report = store_keys(&state, &caller, &body, parse_split_keys_server).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(post, path = "/api/v1/keys/cs", tag = "ingestion (Split)", responses((status = 200, description = "Success", body = IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/keys/cs")]
pub async fn keys_client_side(
    state: web::Data<AppState>,
    caller: SdkCaller,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, &state).await?;
    let report = store_keys(&state, &caller, &body, parse_split_keys_client).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Both key endpoints count keys toward MTK; only their body shapes differ.
pub async fn store_keys(
    state: &AppState,
    caller: &SdkCaller,
    body: &[u8],
    parse: fn(&[u8], &IngestLimits) -> Result<Parsed<SeenKey>, BodyError>,
) -> ApiResult<IngestReport> {
    check_metadata(&caller.meta, &state.settings)?;
    let now = imprint_store::now_ms();
    let keys = parse(body, &limits(state, caller, now)).map_err(invalid)?;
    Ok(state
        .ingest
        .seen_keys(&caller.environment, keys, now)
        .await?)
}

#[utoipa::path(post, path = "/api/events/bulk", tag = "ingestion (Split)", responses((status = 200, description = "Success", body = IngestReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/events/bulk")]
pub async fn events_bulk(
    state: web::Data<AppState>,
    caller: SdkCaller,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, &state).await?;
    let report = store_events(&state, &caller, &body).await?;
    Ok(HttpResponse::Ok().json(report))
}

pub async fn store_events(
    state: &AppState,
    caller: &SdkCaller,
    body: &[u8],
) -> ApiResult<IngestReport> {
    check_metadata(&caller.meta, &state.settings)?;
    let now = imprint_store::now_ms();
    let parsed =
        parse_split_events(body, &caller.meta, &limits(state, caller, now)).map_err(invalid)?;
    Ok(state
        .ingest
        .events(&caller.environment, parsed, now)
        .await?)
}

#[utoipa::path(post, path = "/api/v1/metrics/{kind}", tag = "ingestion (Split)", params(("kind" = String, Path)), responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/metrics/{kind}")]
pub async fn telemetry(
    state: web::Data<AppState>,
    caller: SdkCaller,
    kind: web::Path<String>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let kind = telemetry_kind(kind.into_inner())?;
    let body = read_body(payload, &state).await?;
    store_telemetry(&state, &caller, kind, &body).await?;
    Ok(HttpResponse::Ok().finish())
}

pub fn telemetry_kind(kind: String) -> ApiResult<String> {
    if kind != "config" && kind != "usage" {
        return Err(ApiError::NotFound(format!(
            "there is no telemetry endpoint `{kind}`"
        )));
    }
    Ok(kind)
}

pub async fn store_telemetry(
    state: &AppState,
    caller: &SdkCaller,
    kind: String,
    body: &[u8],
) -> ApiResult<()> {
    check_metadata(&caller.meta, &state.settings)?;
    // Kept as sent, but only if it is JSON: the column is documented as raw JSON.
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::bad_request("invalid_json", format!("telemetry must be JSON: {e}"))
    })?;
    state
        .ingest
        .telemetry(TelemetryRecord {
            environment_id: caller.environment.id,
            kind,
            sdk: caller.meta.sdk.clone(),
            received_at: imprint_store::now_ms(),
            body: json.to_string(),
        })
        .await?;
    Ok(())
}
