//! `POST /api/v1/exposures`: Amplitude-style exposure events (`$impression`, `$exposure`)
//! stored as impressions, transformed as Amplitude transforms them (see
//! `imprint_domain::ingest::parse_amplitude_exposures`). The same path as every ingestion
//! endpoint from there: tracking-off flags are dropped and counted, and the answer comes once
//! the writer has committed.
//!
//! The SDK key comes from `Authorization: Bearer <key>` or, as Amplitude senders put it, from
//! the batch's `api_key`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use imprint_domain::ingest::{amplitude_api_key, parse_amplitude_exposures, SdkMetadata};
use imprint_types::IngestReport;

use super::body::read_body;
use super::sdk_auth::{caller_for_key, identify};
use super::split_ingest::limits;
use super::{ApiError, ApiResult};
use crate::auth::identity::bearer_token;
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/exposures", tag = "ingestion", responses((status = 200, description = "Stored (a list: per-event rejections in the report)", body = IngestReport), (status = "4XX", description = "The JSON error (a single event that is refused gets 400 with its reason)", body = imprint_types::ApiErrorBody)))]
#[post("/exposures")]
pub async fn exposures(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = read_body(payload, &state).await?;
    let now = imprint_store::now_ms();
    let caller = if bearer_token(&req).is_some() {
        identify(&req)?
    } else {
        let key = amplitude_api_key(&body).ok_or_else(|| {
            ApiError::Unauthorized(
                "send the environment's SDK key as `Authorization: Bearer <key>` or as the \
                 batch's `api_key`"
                    .into(),
            )
        })?;
        caller_for_key(&req, &key, SdkMetadata::default())?
    };
    let exposures = parse_amplitude_exposures(&body, &limits(&state, &caller, now))
        .map_err(|e| ApiError::bad_request(e.code, e.message))?;
    let single = exposures.single;
    if single {
        if let Some(refused) = exposures.parsed.rejected.first() {
            return Err(ApiError::bad_request(refused.code, refused.message.clone()));
        }
    }
    let report = state
        .ingest
        .impressions(&caller.environment, exposures.parsed, now)
        .await?;
    if single {
        if let Some(refused) = report.rejected.first() {
            return Err(ApiError::bad_request(
                known_code(&refused.code),
                refused.message.clone(),
            ));
        }
    }
    Ok(HttpResponse::Ok().json(report))
}

/// `ApiError` codes are static; a report's codes are the ingestion codes, all static too.
fn known_code(code: &str) -> &'static str {
    use imprint_domain::ingest::codes::*;
    [
        TOO_MANY_FLAGS,
        TOO_MANY_DISTINCT_STRINGS,
        REJECTED_BY_DATABASE,
    ]
    .into_iter()
    .find(|known| *known == code)
    .unwrap_or(INVALID_ITEM)
}
