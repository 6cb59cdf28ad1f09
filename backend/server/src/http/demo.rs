//! The demo traffic simulator of `imprint serve --demo`: every role sees whether it runs;
//! admins stop and start it.

use actix_web::{get, post, web};
use imprint_store::audit::AuditEntry;
use imprint_types::{DemoStatus, Role};

use super::environments::actor;
use super::{ApiError, ApiResult};
use crate::auth::Identity;
use crate::demo::DemoError;
use crate::state::AppState;

impl From<DemoError> for ApiError {
    fn from(e: DemoError) -> Self {
        match e {
            DemoError::Unavailable => ApiError::Conflict(
                "demo traffic runs only on a server started with `imprint serve --demo`".into(),
            ),
            DemoError::Failed(e) => ApiError::Internal(e),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/demo", tag = "demo", responses((status = 200, description = "Success", body = DemoStatus), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/demo")]
pub async fn status(state: web::Data<AppState>, _identity: Identity) -> web::Json<DemoStatus> {
    web::Json(state.demo.status().await)
}

#[utoipa::path(post, path = "/api/v1/demo/stop", tag = "demo", responses((status = 200, description = "Stopped: nothing more is sent once this answers", body = DemoStatus), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/demo/stop")]
pub async fn stop(
    state: web::Data<AppState>,
    identity: Identity,
) -> ApiResult<web::Json<DemoStatus>> {
    change(&state, &identity, false).await
}

#[utoipa::path(post, path = "/api/v1/demo/start", tag = "demo", responses((status = 200, description = "Running", body = DemoStatus), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/demo/start")]
pub async fn start(
    state: web::Data<AppState>,
    identity: Identity,
) -> ApiResult<web::Json<DemoStatus>> {
    change(&state, &identity, true).await
}

async fn change(
    state: &AppState,
    identity: &Identity,
    run: bool,
) -> ApiResult<web::Json<DemoStatus>> {
    identity.require(Role::Admin)?;
    let before = state.demo.status().await;
    let after = if run {
        state.demo.start(state, actor(identity)).await?
    } else {
        state.demo.stop(state, actor(identity)).await?
    };
    if before.running != after.running {
        state
            .db
            .record_audit(AuditEntry {
                actor_id: Some(identity.user.id),
                actor: &identity.user.email,
                action: if run { "demo.start" } else { "demo.stop" },
                environment_id: state.demo.environment_id(),
                target: "demo traffic",
                old_value: Some(serde_json::json!({ "running": before.running })),
                new_value: Some(serde_json::json!({ "running": after.running })),
            })
            .await?;
    }
    Ok(web::Json(after))
}
