//! The OpenAPI document of Imprint's HTTP API, generated from the handlers' annotations and
//! served at `GET /api/v1/openapi.json`.

use actix_web::{get, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    alerts, audit, beacon, definitions, demo, environments, evaluate, event_types, export,
    exports_jobs, exposures, flags, health, impact, import, live, metrics, monitoring,
    native_ingest, ofrep, retention, sdk_feed, segments, sessions, sinks, split_ingest, tokens,
    usage, users,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Imprint API",
        description = "Feature-flag impressions: console API (session cookie + X-CSRF-Token, or a personal token as Bearer), \
                       ingestion and SDK feed (an environment's SDK key as Bearer), OFREP."
    ),
    paths(
        health::healthz, health::readyz,
        sessions::login, sessions::logout, sessions::me,
        tokens::create_token, tokens::list_tokens, tokens::revoke_token,
        users::create_user, users::list_users, users::update_user, users::change_own_password,
        audit::list, monitoring::monitoring, retention::show, retention::run_now, live::impressions, live::events,
        environments::create, environments::list, environments::get_one, environments::update,
        environments::create_key, environments::revoke_key,
        flags::list, flags::set_tracking,
        definitions::get_flag, definitions::list_definitions, definitions::put_definition,
        definitions::kill, definitions::restore,
        segments::list, segments::put_segment, segments::list_traffic_types, segments::create_traffic_type,
        import::import,
        export::export_impressions, usage::usage, event_types::list, demo::status, demo::stop, demo::start,
        export::export_events, export::count_impressions, export::count_events, exports_jobs::create, exports_jobs::list, exports_jobs::get_one,
        exports_jobs::download,
        sinks::create, sinks::list, sinks::get_one, sinks::update, sinks::remove,
        sinks::actions::pause, sinks::actions::resume, sinks::actions::test_sink, sinks::actions::replay,
        sinks::actions::list_dead_letters, sinks::actions::retry_dead_letters,
        metrics::create, metrics::list, metrics::get_one, metrics::update, metrics::remove,
        impact::impact,
        alerts::create, alerts::list_policies, alerts::update, alerts::remove, alerts::evaluate, alerts::list_alerts,
        native_ingest::impressions, native_ingest::events, exposures::exposures,
        split_ingest::impressions_bulk, split_ingest::impressions_count, split_ingest::keys_server_side,
        split_ingest::keys_client_side, split_ingest::events_bulk, split_ingest::telemetry,
        beacon::impressions, beacon::counts, beacon::events, beacon::keys_client_side, beacon::telemetry,
        sdk_feed::split_changes, sdk_feed::segment_changes, sdk_feed::memberships, sdk_feed::streaming_auth,
        evaluate::evaluate_handler,
        ofrep::evaluate_one, ofrep::evaluate_bulk,
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[get("/openapi.json")]
pub async fn openapi_json() -> super::ApiResult<HttpResponse> {
    let json = ApiDoc::openapi()
        .to_json()
        .map_err(|e| super::ApiError::Internal(e.into()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(json))
}
