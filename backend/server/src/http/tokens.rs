//! Personal API tokens of the caller.

use actix_web::{delete, get, post, web, HttpResponse};
use imprint_types::{CreateTokenRequest, CreatedToken, TokenSummary};

use super::{ApiError, ApiResult};
use crate::auth::identity::API_TOKEN_PREFIX;
use crate::auth::secrets::{hash_secret, new_secret};
use crate::auth::Identity;
use crate::state::AppState;

const MAX_NAME_CHARS: usize = 100;

#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = CreateTokenRequest, responses((status = 201, description = "Success", body = CreatedToken), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    identity: Identity,
    body: web::Json<CreateTokenRequest>,
) -> ApiResult<HttpResponse> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(
            "invalid_name",
            format!("a token needs a name of 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    let token = new_secret(API_TOKEN_PREFIX);
    let row = state
        .db
        .insert_token(identity.user.id, name, &hash_secret(&token))
        .await?;
    tracing::info!(
        user = identity.user.id,
        token_id = row.id,
        "API token created"
    );
    Ok(HttpResponse::Created().json(CreatedToken {
        id: row.id,
        name: row.name,
        token,
    }))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", responses((status = 200, description = "Success", body = Vec<TokenSummary>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    identity: Identity,
) -> ApiResult<web::Json<Vec<TokenSummary>>> {
    let rows = state.db.list_tokens(identity.user.id).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|row| TokenSummary {
                id: row.id,
                name: row.name,
                created_at: super::iso_time(row.created_at),
                last_used_at: row.last_used_at.map(super::iso_time),
            })
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", params(("id" = String, Path)), responses((status = 204, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    if state.db.revoke_token(identity.user.id, *id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound(format!(
            "you have no live token with id {id}"
        )))
    }
}
