//! Guards the console's pages: signed-out visitors are sent to /login, and signed-in ones
//! get their user placed in the request for the server-side render.

use actix_web::body::EitherBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpResponse};

use super::identity::current_user;
use super::secrets::hash_secret;
use super::SESSION_COOKIE;
use crate::state::AppState;

/// Paths served by something other than the console's pages.
fn is_console_page(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path.starts_with("/_srv/")
        || path.starts_with("/pkg/")
        || path.starts_with("/assets/")
        || path.starts_with("/ofrep/")
        || path == "/healthz"
        || path == "/readyz"
        || path == "/favicon.ico")
}

pub async fn console_gate(
    req: ServiceRequest,
    next: Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl actix_web::body::MessageBody>>, Error> {
    let path = req.path().to_owned();
    if !is_console_page(&path) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }

    let user = match (
        req.app_data::<web::Data<AppState>>(),
        req.cookie(SESSION_COOKIE),
    ) {
        (Some(state), Some(cookie)) => {
            match state
                .db
                .find_live_session(
                    &hash_secret(cookie.value()),
                    crate::auth::session_idle_ms(state),
                )
                .await
            {
                Ok(found) => found.and_then(|(_, row)| current_user(&row).ok()),
                Err(e) => {
                    tracing::error!(error = %e, "looking up a console session");
                    None
                }
            }
        }
        _ => None,
    };

    let on_login_page = path == "/login";
    match (user, on_login_page) {
        (Some(user), false) => {
            req.extensions_mut().insert(user);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        (None, true) => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
        (Some(_), true) => Ok(redirect(req, "/")),
        (None, false) => Ok(redirect(req, "/login")),
    }
}

fn redirect<B>(req: ServiceRequest, to: &str) -> ServiceResponse<EitherBody<B>> {
    let response = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish();
    req.into_response(response).map_into_right_body()
}
