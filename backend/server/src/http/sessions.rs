//! Signing in and out of the console, and who is signed in.

use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use imprint_domain::account::normalize_email;
use imprint_types::{CurrentUser, LoginRequest, LoginResponse};

use super::{ApiError, ApiResult};
use crate::auth::identity::current_user;
use crate::auth::secrets::new_secret;
use crate::auth::{Credential, Identity, CSRF_COOKIE, SESSION_COOKIE};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses((status = 200, description = "Success", body = LoginResponse), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/auth/login")]
#[tracing::instrument(skip_all, fields(email = %body.email))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest { email, password } = body.into_inner();
    let email = normalize_email(&email).map_err(|_| ApiError::InvalidCredentials)?;
    let address = state.trusted_proxies.client_address(&req);
    throttled(&state, &email, &address)?;

    let user = state
        .db
        .find_user_by_email(&email)
        .await?
        .filter(|u| u.active);
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    if !state.passwords.verify(password, stored_hash).await? {
        state.login_throttle.record_failure(&email, &address);
        tracing::info!(%address, "sign-in refused");
        return Err(ApiError::InvalidCredentials);
    }
    let user = user.ok_or(ApiError::InvalidCredentials)?;
    state.login_throttle.record_success(&email);

    let session_secret = new_secret("");
    let csrf_token = new_secret("");
    let lifetime = chrono::Duration::hours(state.settings.session_hours);
    let expires_at = imprint_store::now_ms() + lifetime.num_milliseconds();
    state
        .db
        .insert_session(
            &crate::auth::secrets::hash_secret(&session_secret),
            user.id,
            &csrf_token,
            expires_at,
            crate::auth::session_idle_ms(&state),
        )
        .await?;

    let max_age = time::Duration::seconds(lifetime.num_seconds());
    let secure = state.settings.secure_cookies;
    Ok(HttpResponse::Ok()
        .cookie(cookie(
            SESSION_COOKIE,
            session_secret,
            true,
            secure,
            max_age,
        ))
        .cookie(cookie(
            CSRF_COOKIE,
            csrf_token.clone(),
            false,
            secure,
            max_age,
        ))
        .json(LoginResponse {
            user: current_user(&user)?,
            csrf_token,
        }))
}

/// Refuses a password check while the account or the address must wait (429, Retry-After).
pub fn throttled(state: &AppState, email: &str, address: &str) -> ApiResult<()> {
    state
        .login_throttle
        .check(email, address)
        .map_err(|wait| ApiError::TooManyRequests {
            message: format!(
                "too many failed password checks for this account or from this address: \
                 wait {} s before trying again (delays grow with each failure)",
                wait.as_secs().max(1)
            ),
            retry_after: wait,
        })
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, identity: Identity) -> ApiResult<HttpResponse> {
    if let Credential::Session { token_hash } = &identity.credential {
        state.db.delete_session(token_hash).await?;
    }
    let secure = state.settings.secure_cookies;
    Ok(HttpResponse::Ok()
        .cookie(cookie(
            SESSION_COOKIE,
            String::new(),
            true,
            secure,
            time::Duration::ZERO,
        ))
        .cookie(cookie(
            CSRF_COOKIE,
            String::new(),
            false,
            secure,
            time::Duration::ZERO,
        ))
        .json(serde_json::json!({ "signed_out": true })))
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, description = "Success", body = CurrentUser), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/me")]
pub async fn me(identity: Identity) -> web::Json<CurrentUser> {
    web::Json(identity.user)
}

fn cookie(
    name: &'static str,
    value: String,
    http_only: bool,
    secure: bool,
    max_age: time::Duration,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(http_only)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .finish()
}
