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
    let expires_at = expiry(&body, state.settings.accounts.token_max_days)?;
    let token = new_secret(API_TOKEN_PREFIX);
    let row = state
        .db
        .insert_token(identity.user.id, name, &hash_secret(&token), expires_at)
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
        expires_at: row.expires_at.map(super::iso_time),
    }))
}

/// When a new token expires (ms), from `expires_in_days` or `expires_at`; never without
/// either. Refuses both at once, a time already past, and more than `max_days` ahead.
fn expiry(body: &CreateTokenRequest, max_days: i64) -> ApiResult<Option<i64>> {
    let now = imprint_store::now_ms();
    let max_ms = max_days.max(1).saturating_mul(DAY_MS);
    let at = match (body.expires_in_days, body.expires_at.as_deref()) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "invalid_expiry",
                "give expires_in_days or expires_at, not both",
            ))
        }
        (Some(days), None) => {
            if days == 0 {
                return Err(ApiError::bad_request(
                    "invalid_expiry",
                    "expires_in_days must be at least 1",
                ));
            }
            now.saturating_add(i64::from(days).saturating_mul(DAY_MS))
        }
        (None, Some(text)) => chrono::DateTime::parse_from_rfc3339(text)
            .map_err(|_| {
                ApiError::bad_request(
                    "invalid_expiry",
                    "expires_at must be an RFC 3339 time, e.g. 2027-01-31T00:00:00Z",
                )
            })?
            .timestamp_millis(),
    };
    if at <= now {
        return Err(ApiError::bad_request(
            "invalid_expiry",
            "the expiry must be in the future",
        ));
    }
    if at - now > max_ms {
        return Err(ApiError::bad_request(
            "invalid_expiry",
            format!("a token may live at most {max_days} days (token_max_days)"),
        ));
    }
    Ok(Some(at))
}

const DAY_MS: i64 = 24 * 3600 * 1000;

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
                expires_at: row.expires_at.map(super::iso_time),
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
