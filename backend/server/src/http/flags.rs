//! Flags of an environment and their impression tracking toggle.

use actix_web::{get, put, web};
use imprint_types::{FlagListItem, FlagSummary, Role, SetTrackingRequest};

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

#[utoipa::path(get, path = "/api/v1/environments/{env}/flags", tag = "flags", params(("env" = String, Path)), responses((status = 200, description = "Every flag, defined or observed", body = Vec<FlagListItem>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/flags")]
pub async fn list(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<FlagListItem>>> {
    let env = find_environment(&state, &path).await?;
    let rows = state.db.list_flags(env.id).await?;
    let day_ago = imprint_store::ingest::hour_of(imprint_store::now_ms()) - 23 * 3_600_000;
    let totals = state.db.flag_totals_since(env.id, day_ago).await?;
    let mut observed = state.db.observed_treatments(env.id).await?;
    let catalog = state.flags.catalog(env.id);
    Ok(web::Json(
        rows.into_iter()
            .map(|row| {
                let definition = catalog.definitions.get(&row.name);
                let total = totals.get(&row.id).cloned().unwrap_or_default();
                FlagListItem {
                    status: definition.map(|d| {
                        match d.status {
                            imprint_domain::definitions::FlagStatus::Active => "active",
                            imprint_domain::definitions::FlagStatus::Archived => "archived",
                        }
                        .to_owned()
                    }),
                    killed: definition.is_some_and(|d| d.killed),
                    treatments: match definition {
                        Some(d) => d.treatments.iter().map(|t| t.name.clone()).collect(),
                        None => observed.remove(&row.id).unwrap_or_default(),
                    },
                    sets: definition.map(|d| d.sets.clone()).unwrap_or_default(),
                    traffic_type: definition.map(|d| d.traffic_type.clone()),
                    description: definition
                        .map(|d| d.description.clone())
                        .unwrap_or_default(),
                    name: row.name,
                    tracking_enabled: row.tracking_enabled,
                    defined: row.defined,
                    change_number: row.change_number,
                    updated_at: iso_time(row.updated_at),
                    impressions_24h: total.stored,
                    counted_by_sdk_24h: total.counted_by_sdk,
                }
            })
            .collect(),
    ))
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
