//! The `Identity` extractor: the user behind a request, from a personal API token
//! (`Authorization: Bearer imp_pat_…`) or a session cookie. Cookie-authenticated writes must
//! carry the session's CSRF token in `X-CSRF-Token`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, Method};
use actix_web::{web, FromRequest, HttpRequest};
use imprint_store::users::UserRow;
use imprint_types::{CurrentUser, Role};

use super::secrets::{constant_time_eq, hash_secret};
use super::{CSRF_HEADER, SESSION_COOKIE};
use crate::http::{ApiError, ApiResult};
use crate::state::AppState;

pub const API_TOKEN_PREFIX: &str = "imp_pat_";

#[derive(Debug, Clone)]
pub enum Credential {
    Session { token_hash: String },
    ApiToken { id: i64 },
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub user: CurrentUser,
    pub credential: Credential,
}

impl Identity {
    /// Refuses callers whose role does not grant `required`.
    pub fn require(&self, required: Role) -> ApiResult<()> {
        if self.user.role.allows(required) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "this needs the {required} role; you are signed in as {}",
                self.user.role
            )))
        }
    }
}

pub fn current_user(row: &UserRow) -> ApiResult<CurrentUser> {
    let role = row
        .role
        .parse::<Role>()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("user {}: {e}", row.id)))?;
    Ok(CurrentUser {
        id: row.id,
        email: row.email.clone(),
        role,
    })
}

/// The bearer credential in the Authorization header, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

impl FromRequest for Identity {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { identify(&req).await })
    }
}

async fn identify(req: &HttpRequest) -> ApiResult<Identity> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;

    if let Some(token) = bearer_token(req) {
        if !token.starts_with(API_TOKEN_PREFIX) {
            return Err(ApiError::Unauthorized(
                "this endpoint takes a personal API token (imp_pat_…), not an SDK key".into(),
            ));
        }
        let (row, owner) = state
            .db
            .use_token(&hash_secret(token))
            .await?
            .ok_or_else(|| {
                ApiError::Unauthorized("the API token is unknown, expired or revoked".into())
            })?;
        return Ok(Identity {
            user: current_user(&owner)?,
            credential: Credential::ApiToken { id: row.id },
        });
    }

    let cookie = req.cookie(SESSION_COOKIE).ok_or_else(|| {
        ApiError::Unauthorized("sign in, or send a personal API token as a Bearer token".into())
    })?;
    let token_hash = hash_secret(cookie.value());
    let (session, owner) = state
        .db
        .find_live_session(&token_hash, crate::auth::session_idle_ms(state))
        .await?
        .ok_or_else(|| ApiError::Unauthorized("your session has ended: sign in again".into()))?;

    if is_write(req.method()) {
        let sent = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok());
        if !sent.is_some_and(|sent| constant_time_eq(sent, &session.csrf_token)) {
            return Err(ApiError::CsrfRejected);
        }
    }
    Ok(Identity {
        user: current_user(&owner)?,
        credential: Credential::Session { token_hash },
    })
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}
