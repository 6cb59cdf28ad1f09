//! Environments and their SDK keys (admins write; every role reads).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use imprint_domain::origins::parse_allowed_origins;
use imprint_store::environments::{
    allowed_origins, Actor, EnvironmentChange, EnvironmentRow, SdkKeyRow,
};
use imprint_types::{
    CreateEnvironmentRequest, CreateSdkKeyRequest, CreatedEnvironment, EnvironmentView, NewSdkKey,
    Role, SdkKeyKind, SdkKeySummary, UpdateEnvironmentRequest,
};

use super::{iso_time, ApiError, ApiResult};
use crate::actors::environments::{CreateEnvironment, CreateKey, RevokeKey, UpdateEnvironment};
use crate::auth::Identity;
use crate::state::AppState;

pub const DEFAULT_RETENTION_DAYS: i32 = 90;
pub const RETENTION_DAYS: std::ops::RangeInclusive<i32> = 1..=3650;

pub fn actor(identity: &Identity) -> Actor {
    Actor {
        id: Some(identity.user.id),
        label: identity.user.email.clone(),
    }
}

fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    let valid = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(name.to_owned())
    } else {
        Err(ApiError::bad_request(
            "invalid_name",
            "environment names have 1 to 64 letters, digits, '-', '_' or '.'",
        ))
    }
}

fn check_retention(days: i32) -> ApiResult<i32> {
    if RETENTION_DAYS.contains(&days) {
        Ok(days)
    } else {
        Err(ApiError::bad_request(
            "invalid_retention",
            format!(
                "retention_days must be between {} and {}",
                RETENTION_DAYS.start(),
                RETENTION_DAYS.end()
            ),
        ))
    }
}

fn key_kind(row: &SdkKeyRow) -> ApiResult<SdkKeyKind> {
    SdkKeyKind::parse(&row.kind).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("SDK key {} has kind {}", row.id, row.kind))
    })
}

/// The environment named in the path, or 404.
pub async fn find_environment(state: &AppState, name: &str) -> ApiResult<EnvironmentRow> {
    state
        .db
        .find_environment_by_name(name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no environment named `{name}`")))
}

async fn view(state: &AppState, env: EnvironmentRow) -> ApiResult<EnvironmentView> {
    let keys = state.db.list_sdk_keys(env.id).await?;
    let allowed_origins = allowed_origins(&env);
    Ok(EnvironmentView {
        id: env.id,
        name: env.name,
        retention_days: env.retention_days,
        allowed_origins,
        created_at: iso_time(env.created_at),
        sdk_keys: keys
            .iter()
            .map(|k| {
                Ok(SdkKeySummary {
                    id: k.id,
                    kind: key_kind(k)?,
                    hint: k.hint.clone(),
                    created_at: iso_time(k.created_at),
                })
            })
            .collect::<ApiResult<_>>()?,
    })
}

#[utoipa::path(post, path = "/api/v1/environments", tag = "environments", request_body = CreateEnvironmentRequest, responses((status = 201, description = "Success", body = CreatedEnvironment), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments")]
pub async fn create(
    state: web::Data<AppState>,
    identity: Identity,
    body: web::Json<CreateEnvironmentRequest>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Admin)?;
    let name = check_name(&body.name)?;
    let retention_days = check_retention(body.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS))?;
    if state.db.find_environment_by_name(&name).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "an environment named `{name}` already exists"
        )));
    }
    let (env, keys) = state
        .environments
        .call(CreateEnvironment {
            actor: actor(&identity),
            name,
            retention_days,
        })
        .await??;
    tracing::info!(environment = %env.name, by = identity.user.id, "environment created");
    Ok(HttpResponse::Created().json(CreatedEnvironment {
        id: env.id,
        name: env.name,
        retention_days: env.retention_days,
        sdk_keys: keys
            .into_iter()
            .map(|(row, key)| {
                Ok(NewSdkKey {
                    id: row.id,
                    kind: key_kind(&row)?,
                    key,
                })
            })
            .collect::<ApiResult<_>>()?,
    }))
}

#[utoipa::path(get, path = "/api/v1/environments", tag = "environments", responses((status = 200, description = "Success", body = Vec<EnvironmentView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments")]
pub async fn list(
    state: web::Data<AppState>,
    _identity: Identity,
) -> ApiResult<web::Json<Vec<EnvironmentView>>> {
    let mut views = Vec::new();
    for env in state.db.list_environments().await? {
        views.push(view(&state, env).await?);
    }
    Ok(web::Json(views))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}", tag = "environments", params(("env" = String, Path)), responses((status = 200, description = "Success", body = EnvironmentView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}")]
pub async fn get_one(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<EnvironmentView>> {
    let env = find_environment(&state, &path).await?;
    Ok(web::Json(view(&state, env).await?))
}

#[utoipa::path(patch, path = "/api/v1/environments/{env}", tag = "environments", params(("env" = String, Path)), request_body = UpdateEnvironmentRequest, responses((status = 200, description = "Success", body = EnvironmentView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[patch("/environments/{env}")]
pub async fn update(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
    body: web::Json<UpdateEnvironmentRequest>,
) -> ApiResult<web::Json<EnvironmentView>> {
    identity.require(Role::Admin)?;
    let current = find_environment(&state, &path).await?;
    let name = body.name.as_deref().map(check_name).transpose()?;
    let retention_days = body.retention_days.map(check_retention).transpose()?;
    let allowed_origins = body
        .allowed_origins
        .as_deref()
        .map(parse_allowed_origins)
        .transpose()
        .map_err(|message| ApiError::bad_request("invalid_origin", message))?;
    if let Some(name) = &name {
        if name != &current.name && state.db.find_environment_by_name(name).await?.is_some() {
            return Err(ApiError::Conflict(format!(
                "an environment named `{name}` already exists"
            )));
        }
    }
    let updated = state
        .environments
        .call(UpdateEnvironment {
            actor: actor(&identity),
            current,
            change: EnvironmentChange {
                name,
                retention_days,
                allowed_origins,
            },
        })
        .await??;
    Ok(web::Json(view(&state, updated).await?))
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/keys", tag = "environments", params(("env" = String, Path)), request_body = CreateSdkKeyRequest, responses((status = 201, description = "Success", body = NewSdkKey), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/keys")]
pub async fn create_key(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
    body: web::Json<CreateSdkKeyRequest>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Admin)?;
    let environment = find_environment(&state, &path).await?;
    let (row, key) = state
        .environments
        .call(CreateKey {
            actor: actor(&identity),
            environment,
            kind: body.kind,
        })
        .await??;
    Ok(HttpResponse::Created().json(NewSdkKey {
        id: row.id,
        kind: key_kind(&row)?,
        key,
    }))
}

#[utoipa::path(delete, path = "/api/v1/environments/{env}/keys/{id}", tag = "environments", params(("env" = String, Path), ("id" = String, Path)), responses((status = 204, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[delete("/environments/{env}/keys/{id}")]
pub async fn revoke_key(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Admin)?;
    let (name, key_id) = path.into_inner();
    let environment = find_environment(&state, &name).await?;
    let revoked = state
        .environments
        .call(RevokeKey {
            actor: actor(&identity),
            environment,
            key_id,
        })
        .await??;
    match revoked {
        Some(_) => Ok(HttpResponse::NoContent().finish()),
        None => Err(ApiError::NotFound(format!(
            "environment `{name}` has no live key {key_id}"
        ))),
    }
}
