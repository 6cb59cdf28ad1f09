//! The `SdkCaller` extractor: the environment behind an SDK key, read from the published key
//! snapshot (no database or actor round trip), and the SDK's metadata headers.
//!
//! Client-side keys ship inside web pages and mobile apps, so they are public. They may do what
//! Split's client-side SDKs do and no more; endpoints for server-side SDKs ask for
//! [`ServerSdkCaller`] instead.

use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use imprint_domain::ingest::SdkMetadata;
use imprint_types::SdkKeyKind;

use super::ApiError;
use crate::actors::environments::EnvInfo;
use crate::auth::identity::bearer_token;
use crate::state::AppState;

pub struct SdkCaller {
    pub environment: Arc<EnvInfo>,
    pub kind: SdkKeyKind,
    pub meta: SdkMetadata,
}

impl FromRequest for SdkCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req))
    }
}

/// An SDK caller holding a server-side key: client-side keys get 403.
pub struct ServerSdkCaller(pub SdkCaller);

impl FromRequest for ServerSdkCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req).and_then(|caller| {
            if caller.kind == SdkKeyKind::Client {
                return Err(ApiError::Forbidden(format!(
                    "client-side SDK keys may not call {}; it is for server-side SDKs",
                    req.path()
                )));
            }
            Ok(ServerSdkCaller(caller))
        }))
    }
}

pub fn identify(req: &HttpRequest) -> Result<SdkCaller, ApiError> {
    let key = bearer_token(req).ok_or_else(|| {
        ApiError::Unauthorized(
            "send the environment's SDK key as `Authorization: Bearer <key>`".into(),
        )
    })?;
    caller_for_key(req, key, metadata(req))
}

/// The caller behind `key`, which came from a header or, for `navigator.sendBeacon` posts
/// (which cannot set headers), from the body.
pub fn caller_for_key(
    req: &HttpRequest,
    key: &str,
    meta: SdkMetadata,
) -> Result<SdkCaller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let found = state
        .environments
        .by_key(key)
        .ok_or_else(|| ApiError::Unauthorized("the SDK key is unknown or revoked".into()))?;
    check_origin(req, &found.environment)?;
    Ok(SdkCaller {
        environment: found.environment,
        kind: found.kind,
        meta,
    })
}

/// Environments may be limited to a list of web origins. Browsers always send `Origin` on
/// cross-origin calls and beacons; server-side SDKs send none and are not affected.
fn check_origin(req: &HttpRequest, environment: &EnvInfo) -> Result<(), ApiError> {
    if environment.allowed_origins.is_empty() {
        return Ok(());
    }
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    if environment.allowed_origins.iter().any(|o| o == origin) {
        return Ok(());
    }
    Err(ApiError::Forbidden(format!(
        "the origin {origin} is not in this environment's allowed origins"
    )))
}

fn metadata(req: &HttpRequest) -> SdkMetadata {
    let header = |name: &str| non_blank(req.headers().get(name).and_then(|v| v.to_str().ok()));
    SdkMetadata {
        sdk: header("SplitSDKVersion"),
        machine_ip: header("SplitSDKMachineIP"),
        machine_name: header("SplitSDKMachineName"),
        impressions_mode: header("SplitSDKImpressionsMode"),
    }
}

/// An SDK metadata value as stored: trimmed, and absent when blank.
pub fn non_blank(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
