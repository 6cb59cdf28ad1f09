//! The route table: `/api/v1` for Imprint's own API. Registered before the console's pages,
//! whose catch-all would otherwise shadow them.

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract_errors::{json_config, path_config, query_config};
use super::{health, sessions, tokens, users, ApiError};

pub fn configure(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(json_config(max_body_bytes))
        .app_data(query_config())
        .app_data(path_config())
        .service(health::healthz)
        .service(health::readyz)
        .service(
            web::scope("/api/v1")
                .service(sessions::login)
                .service(sessions::logout)
                .service(sessions::me)
                .service(tokens::create_token)
                .service(tokens::list_tokens)
                .service(tokens::revoke_token)
                .service(users::create_user)
                .service(users::list_users)
                .default_service(web::to(unknown_endpoint)),
        )
        .service(web::scope("/api").default_service(web::to(unknown_endpoint)));
}

async fn unknown_endpoint(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "there is no endpoint {} {}",
        req.method(),
        req.path()
    )))
}
