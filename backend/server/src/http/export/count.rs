//! How many rows an export would hold, so that the console can say it next to the preview
//! before anyone downloads ten million rows.

use actix_web::{get, web, HttpRequest};
use imprint_types::ExportCount;

use super::criteria;
use crate::actors::exports::source::Scan;
use crate::actors::exports::spec::ExportKind;
use crate::auth::Identity;
use crate::http::environments::find_environment;
use crate::http::ApiResult;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/environments/{env}/impressions/count", tag = "impressions",
    params(("env" = String, Path)),
    description = "Takes the export's criteria (`flag`, `from`, `to`, `time_field`, `treatment`, `key`, `label`, `sdk`, `property.NAME`).",
    responses((status = 200, description = "The number of stored impressions that match", body = ExportCount), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/impressions/count")]
pub async fn count_impressions(
    req: HttpRequest,
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<ExportCount>> {
    count(&req, &state, &path, ExportKind::Impressions).await
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/events/count", tag = "events",
    params(("env" = String, Path)),
    description = "Takes the events export's criteria (`event_type`, `from`, `to`, `time_field`, `key`, `property.NAME`).",
    responses((status = 200, description = "The number of stored events that match", body = ExportCount), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/events/count")]
pub async fn count_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<ExportCount>> {
    count(&req, &state, &path, ExportKind::Events).await
}

async fn count(
    req: &HttpRequest,
    state: &AppState,
    env_name: &str,
    kind: ExportKind,
) -> ApiResult<web::Json<ExportCount>> {
    let env = find_environment(state, env_name).await?;
    let spec = criteria::parse(req.query_string(), kind)?;
    let scan = Scan::open(&state.db, &spec, env.id).await?;
    Ok(web::Json(ExportCount {
        count: scan.count().await?,
    }))
}
