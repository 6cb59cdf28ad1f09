//! Flags of an environment and their impression tracking toggle.

use actix_web::{get, put, web};
use imprint_types::{FlagSummary, Role, SetTrackingRequest};

use super::environments::{actor, find_environment};
use super::{iso_time, ApiError, ApiResult};
use crate::actors::flags::SetTracking;
use crate::auth::Identity;
use crate::state::AppState;

fn summary(row: imprint_store::flags::FlagRow) -> FlagSummary {
    FlagSummary {
        name: row.name,
        tracking_enabled: row.tracking_enabled,
        defined: row.defined,
        updated_at: iso_time(row.updated_at),
    }
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/flags", tag = "flags", params(("env" = String, Path)), responses((status = 200, description = "Success", body = Vec<FlagSummary>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/flags")]
pub async fn list(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<FlagSummary>>> {
    let env = find_environment(&state, &path).await?;
    let flags = state.db.list_flags(env.id).await?;
    Ok(web::Json(flags.into_iter().map(summary).collect()))
}

#[utoipa::path(put, path = "/api/v1/environments/{env}/flags/{flag}/tracking", tag = "flags", params(("env" = String, Path), ("flag" = String, Path)), request_body = SetTrackingRequest, responses((status = 200, description = "Success", body = FlagSummary), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[put("/environments/{env}/flags/{flag}/tracking")]
pub async fn set_tracking(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, String)>,
    body: web::Json<SetTrackingRequest>,
) -> ApiResult<web::Json<FlagSummary>> {
    identity.require(Role::Editor)?;
    let (env_name, flag_name) = path.into_inner();
    let env = find_environment(&state, &env_name).await?;
    let flag = state
        .db
        .list_flags(env.id)
        .await?
        .into_iter()
        .find(|f| f.name == flag_name)
        .ok_or_else(|| {
            ApiError::NotFound(format!("environment `{env_name}` has no flag `{flag_name}` (defined or seen in impressions)"))
        })?;
    let updated = state
        .flags
        .call(SetTracking {
            actor: actor(&identity),
            environment_name: env.name,
            flag,
            enabled: body.enabled,
        })
        .await??;
    tracing::info!(flag = %updated.name, enabled = updated.tracking_enabled, by = identity.user.id, "tracking changed");
    Ok(web::Json(summary(updated)))
}
