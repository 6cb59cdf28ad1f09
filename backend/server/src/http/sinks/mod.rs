//! Sinks: admins configure them; every role reads their status. Secrets (API keys, write
//! keys, a webhook's signing secret) are accepted, stored apart, and never shown again.

pub mod actions;
mod view;

use actix_web::{delete, get, patch, post, web, HttpResponse};
use imprint_store::audit::{self, AuditEntry};
use imprint_store::sinks::{NewSink, SinkChange, SinkRow};
use imprint_types::{CreateSinkRequest, Role, SinkView, UpdateSinkRequest};
use serde_json::{json, Map, Value};

use super::environments::find_environment;
use super::{ApiError, ApiResult};
use crate::actors::exports::spec::ExportCriteria;
use crate::auth::Identity;
use crate::sinks::kind::{split_secrets, SinkKind};
use crate::state::AppState;
use view::view;

fn invalid_config(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("invalid_sink_config", message)
}

fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    let printable = !name.chars().any(char::is_control);
    if name.is_empty() || name.len() > 100 || !printable {
        return Err(ApiError::bad_request(
            "invalid_name",
            "a sink's name has 1 to 100 printable characters",
        ));
    }
    Ok(name.to_owned())
}

fn parse_kind(kind: &str) -> ApiResult<SinkKind> {
    SinkKind::parse(kind).ok_or_else(|| {
        let kinds: Vec<&str> = SinkKind::ALL.iter().map(|k| k.as_str()).collect();
        ApiError::bad_request(
            "invalid_kind",
            format!("`kind` is one of {}, not `{kind}`", kinds.join(", ")),
        )
    })
}

/// The sink's filter: the export's criteria without time bounds (a sink runs forever).
fn parse_filter(filter: Option<&Value>) -> ApiResult<ExportCriteria> {
    let Some(filter) = filter.filter(|f| !f.is_null()) else {
        return Ok(ExportCriteria::default());
    };
    let criteria: ExportCriteria = serde_json::from_value(filter.clone())
        .map_err(|e| ApiError::bad_request("invalid_filter", e.to_string()))?;
    if criteria.from.is_some() || criteria.to.is_some() {
        return Err(ApiError::bad_request(
            "invalid_filter",
            "a sink's filter has no `from` or `to`: it applies to every row from now on",
        ));
    }
    Ok(criteria)
}

fn to_text(value: &impl serde::Serialize) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.into()))
}

async fn find_sink(state: &AppState, environment_id: i64, id: i64) -> ApiResult<SinkRow> {
    state
        .db
        .sink(environment_id, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no sink {id}")))
}

async fn record_change(
    state: &AppState,
    identity: &Identity,
    action: &str,
    sink: &SinkRow,
    new_value: Option<Value>,
) -> ApiResult<()> {
    audit::record(
        &state.db.conn,
        AuditEntry {
            actor_id: Some(identity.user.id),
            actor: &identity.user.email,
            action,
            environment_id: Some(sink.environment_id),
            target: &format!("sink {} ({})", sink.name, sink.kind),
            old_value: None,
            new_value,
        },
    )
    .await?;
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/sinks", tag = "sinks", params(("env" = String, Path)), request_body = CreateSinkRequest, responses((status = 201, description = "Created; a webhook's `secret` is shown this once", body = SinkView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/sinks")]
pub async fn create(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
    body: web::Json<CreateSinkRequest>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Admin)?;
    let environment = find_environment(&state, &path).await?;
    let body = body.into_inner();
    let kind = parse_kind(&body.kind)?;
    let name = check_name(&body.name)?;
    let criteria = parse_filter(body.filter.as_ref())?;
    let (config, mut secrets) = split_secrets(kind, body.config);
    let mut generated = None;
    if let Some((field, secret)) = kind.generated_secret() {
        if !secrets.contains_key(field) {
            secrets.insert(field.to_owned(), Value::String(secret.clone()));
            generated = Some(secret);
        }
    }
    kind.build(&config, &secrets, state.sinks.context())
        .map_err(invalid_config)?;
    if state
        .db
        .sinks_of_environment(environment.id)
        .await?
        .iter()
        .any(|s| s.name == name)
    {
        return Err(ApiError::Conflict(format!(
            "environment `{}` already has a sink named `{name}`",
            environment.name
        )));
    }
    let row = state
        .db
        .create_sink(NewSink {
            environment_id: environment.id,
            kind: kind.as_str().to_owned(),
            name,
            config: to_text(&config)?,
            secrets: to_text(&secrets)?,
            filter: to_text(&criteria)?,
            events: body.events,
            enabled: body.enabled,
        })
        .await?;
    record_change(
        &state,
        &identity,
        "sink.create",
        &row,
        Some(json!({"config": config, "filter": criteria, "events": row.events})),
    )
    .await?;
    state.sinks.reload(row.id).await?;
    let mut created = view(&state, row).await?;
    created.secret = generated;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/sinks", tag = "sinks", params(("env" = String, Path)), responses((status = 200, description = "The environment's sinks with their health", body = Vec<SinkView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/sinks")]
pub async fn list(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<SinkView>>> {
    let environment = find_environment(&state, &path).await?;
    let mut views = Vec::new();
    for row in state.db.sinks_of_environment(environment.id).await? {
        views.push(view(&state, row).await?);
    }
    Ok(web::Json(views))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/sinks/{id}", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "The sink and its health", body = SinkView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/sinks/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<SinkView>> {
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let row = find_sink(&state, environment.id, id).await?;
    Ok(web::Json(view(&state, row).await?))
}

#[utoipa::path(patch, path = "/api/v1/environments/{env}/sinks/{id}", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), request_body = UpdateSinkRequest, responses((status = 200, description = "Changed; delivery continues from the same cursor", body = SinkView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[patch("/environments/{env}/sinks/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
    body: web::Json<UpdateSinkRequest>,
) -> ApiResult<web::Json<SinkView>> {
    identity.require(Role::Admin)?;
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let current = find_sink(&state, environment.id, id).await?;
    let kind = parse_kind(&current.kind)?;
    let body = body.into_inner();
    let name = body.name.as_deref().map(check_name).transpose()?;
    if let Some(name) = &name {
        let taken = state
            .db
            .sinks_of_environment(environment.id)
            .await?
            .iter()
            .any(|s| &s.name == name && s.id != id);
        if taken {
            return Err(ApiError::Conflict(format!(
                "environment `{}` already has a sink named `{name}`",
                environment.name
            )));
        }
    }
    let filter = match &body.filter {
        Some(filter) => Some(to_text(&parse_filter(Some(filter))?)?),
        None => None,
    };
    let (config, secrets) = match body.config {
        Some(config) => {
            let (config, given) = split_secrets(kind, config);
            // Secrets left out keep their stored value: the console never has them to send.
            let mut secrets: Map<String, Value> =
                serde_json::from_str(&current.secrets).unwrap_or_default();
            secrets.extend(given);
            kind.build(&config, &secrets, state.sinks.context())
                .map_err(invalid_config)?;
            (Some(config), Some(secrets))
        }
        None => (None, None),
    };
    let audit_value =
        json!({"config": config, "filter": body.filter, "events": body.events, "name": name});
    let row = state
        .db
        .update_sink(
            id,
            SinkChange {
                name,
                config: config.as_ref().map(to_text).transpose()?,
                secrets: secrets.as_ref().map(to_text).transpose()?,
                filter,
                events: body.events,
            },
        )
        .await?;
    record_change(&state, &identity, "sink.update", &row, Some(audit_value)).await?;
    state.sinks.reload(id).await?;
    Ok(web::Json(view(&state, row).await?))
}

#[utoipa::path(delete, path = "/api/v1/environments/{env}/sinks/{id}", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 204, description = "Deleted with its dead letters"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[delete("/environments/{env}/sinks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Admin)?;
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let sink = find_sink(&state, environment.id, id).await?;
    state.db.delete_sink(id).await?;
    state.sinks.reload(id).await?;
    record_change(&state, &identity, "sink.delete", &sink, None).await?;
    Ok(HttpResponse::NoContent().finish())
}
