//! The `SdkCaller` extractor: the environment behind an SDK key, read from the published key
//! snapshot (no database or actor round trip), and the SDK's metadata headers.

use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use imprint_domain::ingest::SdkMetadata;
use imprint_types::SdkKeyKind;

use super::ApiError;
use crate::actors::environments::EnvInfo;
use crate::auth::identity::bearer_token;
use crate::state::AppState;

pub struct SdkCaller {
    pub environment: Arc<EnvInfo>,
    /// Both kinds may post; the definitions feed refuses client-side keys.
    #[allow(dead_code)]
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

fn identify(req: &HttpRequest) -> Result<SdkCaller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
    let key = bearer_token(req).ok_or_else(|| {
        ApiError::Unauthorized(
            "send the environment's SDK key as `Authorization: Bearer <key>`".into(),
        )
    })?;
    let found = state
        .environments
        .by_key(key)
        .ok_or_else(|| ApiError::Unauthorized("the SDK key is unknown or revoked".into()))?;
    Ok(SdkCaller {
        environment: found.environment,
        kind: found.kind,
        meta: metadata(req),
    })
}

fn metadata(req: &HttpRequest) -> SdkMetadata {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    SdkMetadata {
        sdk: header("SplitSDKVersion"),
        machine_ip: header("SplitSDKMachineIP"),
        machine_name: header("SplitSDKMachineName"),
        impressions_mode: header("SplitSDKImpressionsMode"),
    }
}
