//! Console users, managed by admins.

use actix_web::{get, post, web, HttpResponse};
use imprint_domain::account::{check_password_strength, normalize_email};
use imprint_store::users::{NewUser, UserRow};
use imprint_types::{CreateUserRequest, Role, UserView};

use super::{ApiError, ApiResult};
use crate::auth::password::hash_password;
use crate::auth::Identity;
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserRequest, responses((status = 201, description = "Success", body = UserView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    identity: Identity,
    body: web::Json<CreateUserRequest>,
) -> ApiResult<HttpResponse> {
    identity.require(Role::Admin)?;
    let CreateUserRequest {
        email,
        password,
        role,
    } = body.into_inner();
    let email = normalize_email(&email)
        .map_err(|e| ApiError::bad_request("invalid_email", e.to_string()))?;
    check_password_strength(&password)
        .map_err(|e| ApiError::bad_request("weak_password", e.to_string()))?;
    if state.db.find_user_by_email(&email).await?.is_some() {
        return Err(ApiError::Conflict(format!(
            "a user with email {email} already exists"
        )));
    }
    let hash = hash_password(password).await?;
    let row = state
        .db
        .insert_user(NewUser {
            email: &email,
            password_hash: &hash,
            role: role.as_str(),
        })
        .await?;
    tracing::info!(by = identity.user.id, user = row.id, %role, "user created");
    Ok(HttpResponse::Created().json(user_view(row)?))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users", responses((status = 200, description = "Success", body = Vec<UserView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    identity: Identity,
) -> ApiResult<web::Json<Vec<UserView>>> {
    identity.require(Role::Admin)?;
    let users = state.db.list_users().await?;
    Ok(web::Json(
        users.into_iter().map(user_view).collect::<ApiResult<_>>()?,
    ))
}

fn user_view(row: UserRow) -> ApiResult<UserView> {
    let role = row
        .role
        .parse()
        .map_err(|e: String| ApiError::Internal(anyhow::anyhow!(e)))?;
    Ok(UserView {
        id: row.id,
        email: row.email,
        role,
        active: row.active,
        created_at: super::iso_time(row.created_at),
    })
}
