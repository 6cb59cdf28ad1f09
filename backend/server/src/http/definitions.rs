//! Flag definitions of an environment (editors and admins write; every role reads).

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use imprint_domain::definitions::{FieldError, FlagDefinition};
use imprint_types::Role;
use serde::Serialize;

use super::environments::{actor, find_environment};
use super::error::FieldProblem;
use super::precondition::{expected_change_number, KillRequest};
use super::{iso_time, ApiError, ApiResult};
use crate::actors::flags::{DefinitionEdit, EnvCatalog, SaveDefinition, SaveError};
use crate::auth::Identity;
use crate::state::AppState;

/// A flag as the console and API clients see it: its state and, when defined, its
/// definition with the label of every rule as the SDKs will report it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FlagDetail {
    pub name: String,
    pub tracking_enabled: bool,
    pub defined: bool,
    pub change_number: i64,
    pub updated_at: String,
    pub definition: Option<FlagDefinition>,
}

pub fn invalid(errors: Vec<FieldError>) -> ApiError {
    let message = match errors.first() {
        Some(first) if errors.len() == 1 => format!("{}: {}", first.field, first.message),
        Some(first) => format!(
            "{}: {} (and {} more problems)",
            first.field,
            first.message,
            errors.len() - 1
        ),
        None => "the definition is not valid".to_owned(),
    };
    ApiError::Invalid {
        message,
        errors: errors
            .into_iter()
            .map(|e| FieldProblem {
                field: e.field,
                message: e.message,
            })
            .collect(),
    }
}

/// Checks a definition against the environment's segments and flags and the traffic types.
pub async fn validate(
    state: &AppState,
    catalog: &EnvCatalog,
    definition: &FlagDefinition,
) -> ApiResult<()> {
    let mut errors = Vec::new();
    if let Err(found) = definition
        .validate(&|segment| catalog.segments.contains_key(segment), &|flag| {
            flag == definition.name || catalog.definitions.contains_key(flag)
        })
    {
        errors.extend(found);
    }
    let traffic_types = state.db.list_traffic_types().await?;
    if !traffic_types
        .iter()
        .any(|t| t.name == definition.traffic_type)
    {
        errors.push(FieldError::new(
            "traffic_type",
            format!(
                "`{}` is not a traffic type; create it first",
                definition.traffic_type
            ),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(invalid(errors))
    }
}

async fn detail(state: &AppState, environment_id: i64, name: &str) -> ApiResult<FlagDetail> {
    let row = state
        .db
        .find_flag(environment_id, name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no flag `{name}`")))?;
    let definition = state
        .flags
        .catalog(environment_id)
        .definitions
        .get(name)
        .cloned();
    Ok(FlagDetail {
        name: row.name,
        tracking_enabled: row.tracking_enabled,
        defined: row.defined,
        change_number: row.change_number,
        updated_at: iso_time(row.updated_at),
        definition,
    })
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/flags/{flag}", tag = "definitions", params(("env" = String, Path), ("flag" = String, Path)), responses((status = 200, description = "Success", body = FlagDetail), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/flags/{flag}")]
pub async fn get_flag(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (env, flag) = path.into_inner();
    let env = find_environment(&state, &env).await?;
    let detail = detail(&state, env.id, &flag).await?;
    // The change number as the entity tag: what a later change sends back as `If-Match`.
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            format!("\"{}\"", detail.change_number),
        ))
        .json(detail))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/definitions", tag = "definitions", params(("env" = String, Path)), responses((status = 200, description = "Success", body = Vec<FlagDefinition>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/definitions")]
pub async fn list_definitions(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<FlagDefinition>>> {
    let env = find_environment(&state, &path).await?;
    let catalog = state.flags.catalog(env.id);
    let mut definitions: Vec<FlagDefinition> = catalog.definitions.values().cloned().collect();
    definitions.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(web::Json(definitions))
}

/// Creates or replaces a definition. The path names the flag; the change number is Imprint's.
#[utoipa::path(put, path = "/api/v1/environments/{env}/flags/{flag}/definition", tag = "definitions", params(("env" = String, Path), ("flag" = String, Path)), request_body = FlagDefinition, responses((status = 200, description = "Success", body = FlagDetail), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[put("/environments/{env}/flags/{flag}/definition")]
pub async fn put_definition(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<FlagDefinition>,
) -> ApiResult<web::Json<FlagDetail>> {
    identity.require(Role::Editor)?;
    let expected = expected_change_number(&request, None)?;
    let (env_name, flag) = path.into_inner();
    let env = find_environment(&state, &env_name).await?;
    let catalog = state.flags.catalog(env.id);
    let mut definition = body.into_inner();
    definition.name = flag.clone();
    let existing = catalog.definitions.get(&flag);
    if definition.seed == 0 && definition.traffic_allocation_seed == 0 {
        // Seeds decide who lands in which bucket: keep a flag's seeds across edits, and give
        // new flags their own so that two flags never split the same keys the same way.
        match existing {
            Some(old) => {
                definition.seed = old.seed;
                definition.traffic_allocation_seed = old.traffic_allocation_seed;
            }
            None => {
                definition.seed = rand::random::<i32>();
                definition.traffic_allocation_seed = rand::random::<i32>();
            }
        }
    }
    validate(&state, &catalog, &definition).await?;
    let action = if existing.is_some() {
        "flag.update"
    } else {
        "flag.create"
    };
    save_edit(
        &state,
        &identity,
        &env,
        &flag,
        DefinitionEdit::Replace(Box::new(definition)),
        expected,
        action,
    )
    .await?;
    Ok(web::Json(detail(&state, env.id, &flag).await?))
}

/// Creates or replaces a definition whatever changed before (imports).
pub async fn save(
    state: &AppState,
    identity: &Identity,
    env: &imprint_store::environments::EnvironmentRow,
    definition: FlagDefinition,
    action: &'static str,
) -> ApiResult<imprint_store::flags::FlagRow> {
    let name = definition.name.clone();
    save_edit(
        state,
        identity,
        env,
        &name,
        DefinitionEdit::Replace(Box::new(definition)),
        None,
        action,
    )
    .await
}

async fn save_edit(
    state: &AppState,
    identity: &Identity,
    env: &imprint_store::environments::EnvironmentRow,
    flag: &str,
    edit: DefinitionEdit,
    expected_change_number: Option<i64>,
    action: &'static str,
) -> ApiResult<imprint_store::flags::FlagRow> {
    let saved = state
        .flags
        .call(SaveDefinition {
            actor: actor(identity),
            environment_id: env.id,
            environment_name: env.name.clone(),
            flag_name: flag.to_owned(),
            edit,
            expected_change_number,
            action,
        })
        .await?;
    saved.map_err(|e| match e {
        SaveError::Conflict { current, .. } => ApiError::ChangedMeanwhile {
            message: match current {
                Some(now) => {
                    format!("{e} (it is now at {now}); reload it and apply your change again")
                }
                None => format!("{e} (it does not exist)"),
            },
            current_change_number: current,
        },
        SaveError::NoDefinition(_) => ApiError::NotFound(e.to_string()),
        SaveError::Db(db) => db.into(),
    })
}

/// Kills (serves the default treatment to everyone) or restores a flag. The change is made
/// to the newest definition inside the flags actor, so it never undoes a concurrent edit.
async fn set_killed(
    state: &AppState,
    identity: &Identity,
    request: &HttpRequest,
    body: &[u8],
    (env_name, flag): (String, String),
    killed: bool,
) -> ApiResult<FlagDetail> {
    identity.require(Role::Editor)?;
    let from_body = KillRequest::parse(body)?.change_number;
    let expected = expected_change_number(request, from_body)?;
    let env = find_environment(state, &env_name).await?;
    save_edit(
        state,
        identity,
        &env,
        &flag,
        DefinitionEdit::SetKilled(killed),
        expected,
        if killed { "flag.kill" } else { "flag.restore" },
    )
    .await?;
    detail(state, env.id, &flag).await
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/flags/{flag}/kill", tag = "definitions", params(("env" = String, Path), ("flag" = String, Path)), responses((status = 200, description = "Success", body = FlagDetail), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/flags/{flag}/kill")]
pub async fn kill(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> ApiResult<web::Json<FlagDetail>> {
    Ok(web::Json(
        set_killed(&state, &identity, &request, &body, path.into_inner(), true).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/flags/{flag}/restore", tag = "definitions", params(("env" = String, Path), ("flag" = String, Path)), responses((status = 200, description = "Success", body = FlagDetail), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/flags/{flag}/restore")]
pub async fn restore(
    state: web::Data<AppState>,
    identity: Identity,
    request: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> ApiResult<web::Json<FlagDetail>> {
    Ok(web::Json(
        set_killed(&state, &identity, &request, &body, path.into_inner(), false).await?,
    ))
}
