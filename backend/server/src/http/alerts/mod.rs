//! Alert policies and alerts of an environment: editors and admins write policies; every
//! role reads them and the alerts. A webhook's signing secret is answered once, when it is
//! made.

mod check;

use std::collections::HashMap;

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use imprint_store::alerts::{AlertFilter, AlertPolicyRow, PolicyFields, FIRING, RESOLVED};
use imprint_types::{
    AlertPolicyView, AlertView, CreateAlertPolicyRequest, CreatedAlertPolicy, Role,
    UpdateAlertPolicyRequest,
};

use super::environments::{actor, find_environment};
use super::export::criteria::printable;
use super::metrics::find_metric;
use super::{ApiError, ApiResult};
use crate::actors::alerts::AlertsError;
use crate::alerts::{alert_view, policy_view, DEFAULT_MIN_USERS};
use crate::auth::Identity;
use crate::standard_webhooks::new_secret;
use crate::state::AppState;

const DEFAULT_ALERTS: u64 = 100;
const MAX_ALERTS: u64 = 500;

async fn find_policy(state: &AppState, environment_id: i64, id: i64) -> ApiResult<AlertPolicyRow> {
    state
        .db
        .alert_policy_by_id(environment_id, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no alert policy {id}")))
}

/// Metric names by id, for the views.
async fn metric_names(state: &AppState, environment_id: i64) -> ApiResult<HashMap<i64, String>> {
    let metrics = state.db.metrics_of(environment_id).await?;
    Ok(metrics.into_iter().map(|m| (m.id, m.name)).collect())
}

fn name_of(names: &HashMap<i64, String>, id: i64) -> &str {
    names.get(&id).map_or("", String::as_str)
}

impl From<AlertsError> for ApiError {
    fn from(err: AlertsError) -> Self {
        match err {
            AlertsError::Db(err) => err.into(),
            AlertsError::Actor(err) => err.into(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/alert-policies", tag = "alerts", params(("env" = String, Path)), request_body = CreateAlertPolicyRequest, responses((status = 201, description = "Created; `webhook_secret` appears here only", body = CreatedAlertPolicy), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/alert-policies")]
pub async fn create(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
    body: web::Json<CreateAlertPolicyRequest>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Editor)?;
    let environment = find_environment(&state, &path).await?;
    let body = body.into_inner();
    let metric = state
        .db
        .metric_by_id(environment.id, body.metric_id)
        .await?
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_metric",
                format!("the environment has no metric {}", body.metric_id),
            )
        })?;
    let fields = PolicyFields {
        metric_id: metric.id,
        flag: check::flag(body.flag)?,
        threshold: check::threshold(body.threshold)?,
        min_users: check::min_users(body.min_users.unwrap_or(DEFAULT_MIN_USERS))?,
        webhook_url: check::webhook_url(body.webhook_url)?,
        enabled: body.enabled.unwrap_or(true),
    };
    let secret = fields.webhook_url.as_ref().map(|_| new_secret());
    let row = state
        .db
        .create_alert_policy(&actor(&identity), environment.id, fields, secret.clone())
        .await?;
    Ok(HttpResponse::Created().json(CreatedAlertPolicy {
        policy: policy_view(&row, &metric.name),
        webhook_secret: secret,
    }))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/alert-policies", tag = "alerts", params(("env" = String, Path)), responses((status = 200, description = "The environment's alert policies", body = Vec<AlertPolicyView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/alert-policies")]
pub async fn list_policies(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<AlertPolicyView>>> {
    let environment = find_environment(&state, &path).await?;
    let names = metric_names(&state, environment.id).await?;
    let rows = state.db.alert_policies_of(environment.id).await?;
    let views = rows
        .iter()
        .map(|row| policy_view(row, name_of(&names, row.metric_id)))
        .collect();
    Ok(web::Json(views))
}

#[utoipa::path(patch, path = "/api/v1/environments/{env}/alert-policies/{id}", tag = "alerts", params(("env" = String, Path), ("id" = i64, Path)), request_body = UpdateAlertPolicyRequest, responses((status = 200, description = "Changed; `webhook_secret` appears when a webhook was added to a policy without one", body = CreatedAlertPolicy), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[patch("/environments/{env}/alert-policies/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
    body: web::Json<UpdateAlertPolicyRequest>,
) -> ApiResult<web::Json<CreatedAlertPolicy>> {
    identity.require(Role::Editor)?;
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let current = find_policy(&state, environment.id, id).await?;
    let body = body.into_inner();
    let mut fields = PolicyFields::of(&current);
    if let Some(threshold) = body.threshold {
        fields.threshold = check::threshold(threshold)?;
    }
    if let Some(min_users) = body.min_users {
        fields.min_users = check::min_users(min_users)?;
    }
    if body.webhook_url.is_some() {
        fields.webhook_url = check::webhook_url(body.webhook_url)?;
    }
    if let Some(enabled) = body.enabled {
        fields.enabled = enabled;
    }
    // A webhook added to a policy without a secret gets one; an existing secret stays.
    let secret =
        (fields.webhook_url.is_some() && current.webhook_secret.is_none()).then(new_secret);
    let row = state
        .db
        .update_alert_policy(&actor(&identity), &current, fields, secret.clone())
        .await?;
    if current.enabled && !row.enabled {
        state.alerts.resolve_all(&row).await?;
    }
    let metric = find_metric(&state, environment.id, row.metric_id).await?;
    Ok(web::Json(CreatedAlertPolicy {
        policy: policy_view(&row, &metric.name),
        webhook_secret: secret,
    }))
}

#[utoipa::path(delete, path = "/api/v1/environments/{env}/alert-policies/{id}", tag = "alerts", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 204, description = "Deleted, with its alerts"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[delete("/environments/{env}/alert-policies/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Editor)?;
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let current = find_policy(&state, environment.id, id).await?;
    state
        .db
        .delete_alert_policy(&actor(&identity), &current)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/alert-policies/{id}/evaluate", tag = "alerts", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "The policy's alerts firing after evaluating it now", body = Vec<AlertView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/alert-policies/{id}/evaluate")]
pub async fn evaluate(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<Vec<AlertView>>> {
    identity.require(Role::Editor)?;
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let policy = find_policy(&state, environment.id, id).await?;
    if !policy.enabled {
        return Err(ApiError::Conflict(format!(
            "alert policy {id} is disabled; enable it to evaluate it"
        )));
    }
    let outcome = state.alerts.evaluate_now(policy).await?;
    let views = outcome
        .firing
        .iter()
        .map(|row| alert_view(row, &outcome.metric_name))
        .collect();
    Ok(web::Json(views))
}

fn alert_filter(query: &str) -> ApiResult<AlertFilter> {
    let invalid = |message: String| ApiError::bad_request("invalid_query", message);
    let mut filter = AlertFilter {
        limit: DEFAULT_ALERTS,
        ..AlertFilter::default()
    };
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        printable(&name, &value)?;
        match name.as_ref() {
            "status" => match value.as_ref() {
                FIRING | RESOLVED => filter.status = Some(value.into_owned()),
                "" | "all" => filter.status = None,
                _ => {
                    return Err(invalid(format!(
                        "`status` is firing, resolved or all, not `{value}`"
                    )))
                }
            },
            "flag" if value.is_empty() => {}
            "flag" => filter.flag = Some(value.into_owned()),
            "limit" => {
                filter.limit = value
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (1..=MAX_ALERTS).contains(n))
                    .ok_or_else(|| invalid(format!("`limit` is 1 to {MAX_ALERTS}")))?;
            }
            other => {
                return Err(invalid(format!(
                    "unknown parameter `{other}`; alerts take status, flag and limit"
                )))
            }
        }
    }
    Ok(filter)
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/alerts", tag = "alerts",
    params(("env" = String, Path),
        ("status" = Option<String>, Query, description = "firing, resolved or all (the default)"),
        ("flag" = Option<String>, Query, description = "Only this flag's alerts"),
        ("limit" = Option<u64>, Query, description = "At most this many, 1 to 500 (100)")),
    responses((status = 200, description = "Alerts, newest first", body = Vec<AlertView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/alerts")]
pub async fn list_alerts(
    state: web::Data<AppState>,
    _identity: Identity,
    request: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<AlertView>>> {
    let filter = alert_filter(request.query_string())?;
    let environment = find_environment(&state, &path).await?;
    let names = metric_names(&state, environment.id).await?;
    let rows = state.db.alerts(environment.id, &filter).await?;
    let views = rows
        .iter()
        .map(|row| alert_view(row, name_of(&names, row.metric_id)))
        .collect();
    Ok(web::Json(views))
}
