//! What the Split SDKs read: definitions (`splitChanges`), segments (`segmentChanges`),
//! memberships (client-side SDKs) and the streaming auth check. Answers come from the
//! environment's published catalog; the common polls ("anything new since my change
//! number?") cost a map lookup and a short string.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::sdk_auth::{SdkCaller, ServerSdkCaller};
use super::{ApiError, ApiResult};
use crate::actors::flags::FeedFilter;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ChangesQuery {
    since: Option<String>,
    #[serde(rename = "rbSince")]
    rb_since: Option<String>,
    sets: Option<String>,
    names: Option<String>,
    prefixes: Option<String>,
}

/// A change number from the query. Never a 400 here: the SDKs fall back to an older spec for
/// a day when `splitChanges` answers 400, so anything unreadable counts as "from the start".
fn change_number(value: Option<&str>) -> i64 {
    value.and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1)
}

fn list(value: Option<&str>) -> Vec<String> {
    value
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn json_response(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

#[utoipa::path(get, path = "/api/splitChanges", tag = "SDK feed (Split)", responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/splitChanges")]
pub async fn split_changes(
    state: web::Data<AppState>,
    caller: SdkCaller,
    query: web::Query<ChangesQuery>,
) -> HttpResponse {
    let catalog = state.flags.catalog(caller.environment.id);
    let since = change_number(query.since.as_deref());
    let rb_since = change_number(query.rb_since.as_deref());
    let filter = FeedFilter {
        sets: list(query.sets.as_deref()),
        names: list(query.names.as_deref()),
        prefixes: list(query.prefixes.as_deref()),
    };
    if since == -1 && rb_since == -1 && filter.is_empty() {
        return json_response(catalog.full_feed.clone());
    }
    json_response(catalog.split_changes(since, rb_since, &filter))
}

#[derive(Deserialize)]
pub struct SinceQuery {
    since: Option<String>,
}

#[utoipa::path(get, path = "/api/segmentChanges/{name}", tag = "SDK feed (Split)", params(("name" = String, Path)), responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/segmentChanges/{name}")]
pub async fn segment_changes(
    state: web::Data<AppState>,
    ServerSdkCaller(caller): ServerSdkCaller,
    name: web::Path<String>,
    query: web::Query<SinceQuery>,
) -> ApiResult<HttpResponse> {
    let since = change_number(query.since.as_deref());
    let catalog = state.flags.catalog(caller.environment.id);
    let Some(&till) = catalog.segment_change_numbers.get(name.as_str()) else {
        // An unknown segment is an empty one: a server-side SDK is not ready until every
        // segment its flags reference has been fetched.
        return Ok(HttpResponse::Ok().json(json!({
            "name": name.as_str(), "added": [], "removed": [], "since": since, "till": since.max(-1)
        })));
    };
    if since >= till {
        return Ok(HttpResponse::Ok().json(json!({
            "name": name.as_str(), "added": [], "removed": [], "since": since, "till": since
        })));
    }
    let segment = state
        .db
        .find_segment(caller.environment.id, &name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("segment `{name}` was just removed")))?;
    let keys = state.db.segment_keys_since(segment.id, since).await?;
    let (added, removed): (Vec<_>, Vec<_>) = keys.into_iter().partition(|k| k.present);
    Ok(HttpResponse::Ok().json(json!({
        "name": name.as_str(),
        "added": added.into_iter().map(|k| k.key).collect::<Vec<_>>(),
        "removed": removed.into_iter().map(|k| k.key).collect::<Vec<_>>(),
        "since": since,
        "till": till,
    })))
}

/// The segments a key belongs to, for client-side SDKs (which never see segment contents).
#[utoipa::path(get, path = "/api/memberships/{key}", tag = "SDK feed (Split)", params(("key" = String, Path)), responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/memberships/{key}")]
pub async fn memberships(
    state: web::Data<AppState>,
    caller: SdkCaller,
    key: web::Path<String>,
) -> HttpResponse {
    let catalog = state.flags.catalog(caller.environment.id);
    let mut names: Vec<&str> = catalog
        .segments
        .iter()
        .filter(|(_, keys)| keys.contains(key.as_str()))
        .map(|(name, _)| name.as_str())
        .collect();
    names.sort_unstable();
    let cn = catalog.segments_till();
    HttpResponse::Ok().json(json!({
        "ms": { "cn": cn, "k": names.iter().map(|n| json!({ "n": n })).collect::<Vec<_>>() },
        "ls": { "cn": -1, "k": [] },
    }))
}

/// Streaming is not offered: SDKs that ask are told to poll.
#[utoipa::path(get, path = "/api/v2/auth", tag = "SDK feed (Split)", responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/v2/auth")]
pub async fn streaming_auth(_caller: SdkCaller, _req: HttpRequest) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "pushEnabled": false, "token": "" }))
}
