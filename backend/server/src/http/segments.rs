//! Segments (named key lists per environment) and traffic types.

use actix_web::{get, post, put, web, HttpResponse};
use imprint_types::Role;
use serde::{Deserialize, Serialize};

use super::environments::{actor, find_environment};
use super::{iso_time, ApiError, ApiResult};
use crate::actors::flags::SaveSegment;
use crate::auth::Identity;
use crate::state::AppState;

const MAX_SEGMENT_KEYS: usize = 100_000;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SegmentBody {
    #[serde(default)]
    pub description: String,
    pub keys: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SegmentView {
    pub name: String,
    pub description: String,
    pub change_number: i64,
    pub updated_at: String,
    pub keys: Vec<String>,
}

pub fn check_segment_name(name: &str) -> ApiResult<()> {
    let valid = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_name",
            "segment names have 1 to 100 letters, digits, '-', '_' or '.'",
        ))
    }
}

pub fn check_keys(keys: &[String]) -> ApiResult<()> {
    if keys.len() > MAX_SEGMENT_KEYS {
        return Err(ApiError::bad_request(
            "too_many_keys",
            format!("a segment holds at most {MAX_SEGMENT_KEYS} keys"),
        ));
    }
    if let Some(bad) = keys.iter().find(|k| k.is_empty() || k.len() > 250) {
        return Err(ApiError::bad_request(
            "invalid_key",
            format!("segment keys have 1 to 250 bytes; `{bad}` does not"),
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/segments", tag = "definitions", params(("env" = String, Path)), responses((status = 200, description = "Success", body = Vec<SegmentView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/segments")]
pub async fn list(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<SegmentView>>> {
    let env = find_environment(&state, &path).await?;
    let catalog = state.flags.catalog(env.id);
    let rows = state.db.list_segments(env.id).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|row| {
                let mut keys: Vec<String> = catalog
                    .segments
                    .get(&row.name)
                    .map(|k| k.iter().cloned().collect())
                    .unwrap_or_default();
                keys.sort();
                SegmentView {
                    name: row.name,
                    description: row.description,
                    change_number: row.change_number,
                    updated_at: iso_time(row.updated_at),
                    keys,
                }
            })
            .collect(),
    ))
}

/// Sets a segment's keys (creating the segment when new).
#[utoipa::path(put, path = "/api/v1/environments/{env}/segments/{segment}", tag = "definitions", params(("env" = String, Path), ("segment" = String, Path)), request_body = SegmentBody, responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[put("/environments/{env}/segments/{segment}")]
pub async fn put_segment(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, String)>,
    body: web::Json<SegmentBody>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Editor)?;
    let (env_name, name) = path.into_inner();
    check_segment_name(&name)?;
    check_keys(&body.keys)?;
    let env = find_environment(&state, &env_name).await?;
    let body = body.into_inner();
    let row = state
        .flags
        .call(SaveSegment {
            actor: actor(&identity),
            environment_id: env.id,
            environment_name: env.name,
            name,
            description: body.description,
            keys: body.keys,
        })
        .await??;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "name": row.name, "change_number": row.change_number })))
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct TrafficTypeBody {
    pub name: String,
}

#[utoipa::path(get, path = "/api/v1/traffic-types", tag = "definitions", responses((status = 200, description = "Success", body = Vec<TrafficTypeBody>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/traffic-types")]
pub async fn list_traffic_types(
    state: web::Data<AppState>,
    _identity: Identity,
) -> ApiResult<web::Json<Vec<TrafficTypeBody>>> {
    let rows = state.db.list_traffic_types().await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| TrafficTypeBody { name: r.name })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/traffic-types", tag = "definitions", request_body = TrafficTypeBody, responses((status = 201, description = "Success", body = TrafficTypeBody), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/traffic-types")]
pub async fn create_traffic_type(
    state: web::Data<AppState>,
    identity: Identity,
    body: web::Json<TrafficTypeBody>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Admin)?;
    let name = body.name.trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    {
        return Err(ApiError::bad_request(
            "invalid_name",
            "traffic type names have 1 to 64 letters, digits, '-' or '_'",
        ));
    }
    if state
        .db
        .list_traffic_types()
        .await?
        .iter()
        .any(|t| t.name == name)
    {
        return Err(ApiError::Conflict(format!(
            "traffic type `{name}` already exists"
        )));
    }
    state
        .db
        .create_traffic_type(&actor(&identity), name)
        .await?;
    Ok(HttpResponse::Created().json(TrafficTypeBody {
        name: name.to_owned(),
    }))
}
