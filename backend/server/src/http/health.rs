//! Liveness and readiness probes.

use actix_web::{get, web, HttpResponse};
use serde_json::json;

use crate::state::AppState;

/// 200 while the database answers, 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    database_status(&state, "ok").await
}

/// Start-up (migrations, actors) finishes before the listener opens, so readiness only
/// fails when the database has gone away since, or while ingestion cannot commit (the
/// writer's last transaction or probe failed; it probes every second until one succeeds).
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if !state.ingest.writer.healthy() {
        return HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "1"))
            .json(json!({
                "status": "ingestion cannot commit",
                "code": "unavailable",
                "message": "Ingestion cannot commit to the database right now.",
            }));
    }
    database_status(&state, "ready").await
}

async fn database_status(state: &AppState, healthy: &str) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": healthy })),
        Err(e) => {
            tracing::warn!(error = %e, "database does not answer");
            HttpResponse::ServiceUnavailable()
                .insert_header(("Retry-After", "1"))
                .json(json!({
                    "status": "database unavailable",
                    "code": "unavailable",
                    "message": "The database does not answer.",
                }))
        }
    }
}
