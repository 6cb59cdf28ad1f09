//! The route table: `/api/v1` for Imprint's own API. Registered before the console's pages,
//! whose catch-all would otherwise shadow them.

use actix_web::{web, HttpRequest, HttpResponse};

use super::extract_errors::{json_config, path_config, query_config};
use super::{
    alerts, audit, beacon, definitions, demo, environments, evaluate, event_types, export,
    exports_jobs, exposures, flags, health, impact, import, live, metrics, monitoring,
    native_ingest, ofrep, openapi, retention, sdk_feed, segments, sessions, sinks, split_ingest,
    tokens, usage, users, ApiError,
};

pub fn configure(cfg: &mut web::ServiceConfig, max_body_bytes: usize) {
    cfg.app_data(json_config(max_body_bytes))
        .app_data(query_config())
        .app_data(path_config())
        .service(health::healthz)
        .service(health::readyz)
        .service(ofrep::evaluate_one)
        .service(ofrep::evaluate_bulk)
        .service(
            web::scope("/api/v1")
                .service(openapi::openapi_json)
                .service(sessions::login)
                .service(sessions::logout)
                .service(sessions::me)
                .service(tokens::create_token)
                .service(tokens::list_tokens)
                .service(tokens::revoke_token)
                .service(users::create_user)
                .service(users::list_users)
                .service(users::update_user)
                .service(users::change_own_password)
                .service(audit::list)
                .service(monitoring::monitoring)
                .service(retention::show)
                .service(retention::run_now)
                .service(live::impressions)
                .service(live::events)
                .service(environments::create)
                .service(environments::list)
                .service(environments::get_one)
                .service(environments::update)
                .service(environments::create_key)
                .service(environments::revoke_key)
                .service(flags::list)
                .service(flags::set_tracking)
                .service(definitions::get_flag)
                .service(definitions::list_definitions)
                .service(definitions::put_definition)
                .service(definitions::kill)
                .service(definitions::restore)
                .service(segments::list)
                .service(segments::put_segment)
                .service(segments::list_traffic_types)
                .service(segments::create_traffic_type)
                .service(import::import)
                .service(export::export_impressions)
                .service(export::export_events)
                .service(export::count_impressions)
                .service(export::count_events)
                .service(exports_jobs::create)
                .service(exports_jobs::list)
                .service(exports_jobs::get_one)
                .service(exports_jobs::download)
                .service(usage::usage)
                .service(demo::status)
                .service(demo::stop)
                .service(demo::start)
                .service(event_types::list)
                .service(sinks::create)
                .service(sinks::list)
                .service(sinks::get_one)
                .service(sinks::update)
                .service(sinks::remove)
                .service(sinks::actions::pause)
                .service(sinks::actions::resume)
                .service(sinks::actions::test_sink)
                .service(sinks::actions::replay)
                .service(sinks::actions::list_dead_letters)
                .service(sinks::actions::retry_dead_letters)
                .service(metrics::create)
                .service(metrics::list)
                .service(metrics::get_one)
                .service(metrics::update)
                .service(metrics::remove)
                .service(impact::impact)
                .service(alerts::create)
                .service(alerts::list_policies)
                .service(alerts::update)
                .service(alerts::remove)
                .service(alerts::evaluate)
                .service(alerts::list_alerts)
                // Under the environment's SDK key rather than a user's credentials:
                .service(native_ingest::impressions)
                .service(native_ingest::events)
                .service(exposures::exposures)
                .service(split_ingest::keys_server_side)
                .service(split_ingest::keys_client_side)
                .service(split_ingest::telemetry)
                .service(beacon::keys_client_side)
                .service(beacon::telemetry)
                .service(evaluate::evaluate_handler)
                .default_service(web::to(unknown_endpoint)),
        )
        // The Split SDKs' own paths.
        .service(
            web::scope("/api")
                .service(split_ingest::impressions_bulk)
                .service(split_ingest::impressions_count)
                .service(split_ingest::events_bulk)
                .service(beacon::impressions)
                .service(beacon::counts)
                .service(beacon::events)
                .service(sdk_feed::split_changes)
                .service(sdk_feed::segment_changes)
                .service(sdk_feed::memberships)
                .service(sdk_feed::streaming_auth)
                .default_service(web::to(unknown_endpoint)),
        );
}

async fn unknown_endpoint(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "there is no endpoint {} {}",
        req.method(),
        req.path()
    )))
}
