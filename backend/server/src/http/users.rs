//! Console users, managed by admins.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use imprint_domain::account::{check_password_strength, normalize_email};
use imprint_store::audit::{self, AuditEntry};
use imprint_store::users::{NewUser, UserChange, UserRow, UserUpdate};
use imprint_types::{ChangePasswordRequest, CreateUserRequest, Role, UpdateUserRequest, UserView};

use super::environments::actor;
use super::sessions::throttled;
use super::{ApiError, ApiResult};
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
    let hash = state.passwords.hash(password).await?;
    let row = state
        .db
        .insert_user(NewUser {
            email: &email,
            password_hash: &hash,
            role: role.as_str(),
        })
        .await?;
    audit::record(
        &state.db.conn,
        AuditEntry {
            actor_id: Some(identity.user.id),
            actor: &identity.user.email,
            action: "user.create",
            environment_id: None,
            target: &row.email,
            old_value: None,
            new_value: Some(serde_json::json!({ "role": role.as_str(), "active": true })),
        },
    )
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

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    request_body = UpdateUserRequest,
    responses((status = 200, description = "The user as changed", body = UserView),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    identity: Identity,
    id: web::Path<i64>,
    body: web::Json<UpdateUserRequest>,
) -> ApiResult<web::Json<UserView>> {
    identity.require(Role::Admin)?;
    let body = body.into_inner();
    let password_hash = match body.password {
        Some(password) => {
            check_password_strength(&password)
                .map_err(|e| ApiError::bad_request("weak_password", e.to_string()))?;
            Some(state.passwords.hash(password).await?)
        }
        None => None,
    };
    let change = UserChange {
        role: body.role.map(Role::as_str),
        active: body.active,
        password_hash: password_hash.as_deref(),
        keep_session: None,
    };
    match state.db.update_user(&actor(&identity), *id, change).await? {
        UserUpdate::Updated(updated) => Ok(web::Json(user_view(updated)?)),
        UserUpdate::WouldRemoveLastAdmin => Err(ApiError::Conflict(
            "this is the last active admin: make another admin first".into(),
        )),
        UserUpdate::Missing => Err(ApiError::NotFound(format!("there is no user {id}"))),
    }
}

#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed; other sessions ended, API tokens revoked"),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/me/password")]
pub async fn change_own_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    identity: Identity,
    body: web::Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let current = state
        .db
        .find_user(identity.user.id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("your account no longer exists".into()))?;
    // Checking the current password is a password guess like a sign-in: same throttle, same
    // cap on hashing work, so a stolen session cannot brute-force the password through here.
    let address = state.trusted_proxies.client_address(&req);
    throttled(&state, &current.email, &address)?;
    let verified = state
        .passwords
        .verify(current_password, Some(current.password_hash.clone()))
        .await?;
    if !verified {
        state
            .login_throttle
            .record_failure(&current.email, &address);
        return Err(ApiError::bad_request(
            "wrong_password",
            "the current password is wrong",
        ));
    }
    check_password_strength(&new_password)
        .map_err(|e| ApiError::bad_request("weak_password", e.to_string()))?;
    state.login_throttle.record_success(&current.email);
    let hash = state.passwords.hash(new_password).await?;
    // Other sessions end and API tokens are revoked; the session changing the password stays
    // signed in.
    let keep = match &identity.credential {
        crate::auth::Credential::Session { token_hash } => Some(token_hash.as_str()),
        crate::auth::Credential::ApiToken { .. } => None,
    };
    let change = UserChange {
        password_hash: Some(&hash),
        keep_session: keep,
        ..UserChange::default()
    };
    match state
        .db
        .update_user(&actor(&identity), current.id, change)
        .await?
    {
        UserUpdate::Updated(_) => Ok(HttpResponse::NoContent().finish()),
        UserUpdate::Missing | UserUpdate::WouldRemoveLastAdmin => Err(ApiError::Unauthorized(
            "your account no longer exists".into(),
        )),
    }
}
