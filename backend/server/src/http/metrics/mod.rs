//! Metrics of an environment: editors and admins write them; every role reads them.

mod check;

use actix_web::{delete, get, patch, post, web, HttpResponse};
use imprint_store::metrics::{MetricError, MetricRow};
use imprint_types::{CreateMetricRequest, MetricView, Role, UpdateMetricRequest};

use super::environments::{actor, find_environment};
use super::{ApiError, ApiResult};
use crate::auth::Identity;
use crate::impact::metric_view;
use crate::state::AppState;

/// The environment's metric `id`, or 404.
pub async fn find_metric(state: &AppState, environment_id: i64, id: i64) -> ApiResult<MetricRow> {
    state
        .db
        .metric_by_id(environment_id, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no metric {id}")))
}

fn saved(result: Result<MetricRow, MetricError>, name: &str) -> ApiResult<MetricRow> {
    result.map_err(|err| match err {
        MetricError::NameTaken => ApiError::Conflict(format!(
            "the environment already has a metric named `{name}`"
        )),
        MetricError::Db(err) => err.into(),
    })
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/metrics", tag = "metrics", params(("env" = String, Path)), request_body = CreateMetricRequest, responses((status = 201, description = "Created", body = MetricView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/metrics")]
pub async fn create(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
    body: web::Json<CreateMetricRequest>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Editor)?;
    let environment = find_environment(&state, &path).await?;
    let fields = check::create(body.into_inner())?;
    let name = fields.name.clone();
    let created = state
        .db
        .create_metric(&actor(&identity), environment.id, fields)
        .await;
    let row = saved(created, &name)?;
    Ok(HttpResponse::Created().json(metric_view(&row)))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/metrics", tag = "metrics", params(("env" = String, Path)), responses((status = 200, description = "The environment's metrics by name", body = Vec<MetricView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/metrics")]
pub async fn list(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<MetricView>>> {
    let environment = find_environment(&state, &path).await?;
    let rows = state.db.metrics_of(environment.id).await?;
    Ok(web::Json(rows.iter().map(metric_view).collect()))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/metrics/{id}", tag = "metrics", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "The metric", body = MetricView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/metrics/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<MetricView>> {
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let row = find_metric(&state, environment.id, id).await?;
    Ok(web::Json(metric_view(&row)))
}

#[utoipa::path(patch, path = "/api/v1/environments/{env}/metrics/{id}", tag = "metrics", params(("env" = String, Path), ("id" = i64, Path)), request_body = UpdateMetricRequest, responses((status = 200, description = "Changed", body = MetricView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[patch("/environments/{env}/metrics/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
    body: web::Json<UpdateMetricRequest>,
) -> ApiResult<web::Json<MetricView>> {
    identity.require(Role::Editor)?;
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let current = find_metric(&state, environment.id, id).await?;
    let fields = check::update(&current, body.into_inner())?;
    let name = fields.name.clone();
    let updated = state
        .db
        .update_metric(&actor(&identity), &current, fields)
        .await;
    Ok(web::Json(metric_view(&saved(updated, &name)?)))
}

#[utoipa::path(delete, path = "/api/v1/environments/{env}/metrics/{id}", tag = "metrics", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 204, description = "Deleted"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[delete("/environments/{env}/metrics/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Editor)?;
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let current = find_metric(&state, environment.id, id).await?;
    state.db.delete_metric(&actor(&identity), &current).await?;
    Ok(HttpResponse::NoContent().finish())
}
