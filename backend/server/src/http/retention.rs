//! Retention of an environment: its last purge, and a purge on demand (admins).

use actix_web::{get, post, web};
use imprint_store::retention::RetentionRun;
use imprint_types::{RetentionRunView, RetentionView, Role};

use super::environments::find_environment;
use super::{iso_time, ApiResult};
use crate::auth::Identity;
use crate::state::AppState;

fn view(done: RetentionRun) -> RetentionRunView {
    RetentionRunView {
        reason: done.reason,
        triggered_by: done.triggered_by,
        cutoff: iso_time(done.cutoff),
        started_at: iso_time(done.started_at),
        finished_at: iso_time(done.finished_at),
        impressions_deleted: done.impressions_deleted,
        events_deleted: done.events_deleted,
        counts_deleted: done.counts_deleted,
        strings_deleted: done.strings_deleted,
    }
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/retention", tag = "environments", params(("env" = String, Path)),
    responses((status = 200, description = "Retention settings and the last purge", body = RetentionView),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/retention")]
pub async fn show(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<RetentionView>> {
    let env = find_environment(&state, &path).await?;
    Ok(web::Json(RetentionView {
        retention_days: env.retention_days,
        counts_retention_days: state.settings.counts_retention_days,
        last_run: state.db.last_retention_run(env.id).await?.map(view),
    }))
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/retention/run", tag = "environments", params(("env" = String, Path)),
    responses((status = 200, description = "The purge that just ran", body = RetentionRunView),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/retention/run")]
pub async fn run_now(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<RetentionRunView>> {
    identity.require(Role::Admin)?;
    let env = find_environment(&state, &path).await?;
    let runs = state
        .retention
        .run_now(env.id, &identity.user.email)
        .await??;
    let first = runs.into_iter().next().ok_or_else(|| {
        super::ApiError::NotFound(format!("environment `{}` disappeared", env.name))
    })?;
    Ok(web::Json(view(first)))
}
