//! The live tail: `GET /api/v1/environments/{env}/impressions/live` streams impressions as
//! they commit, as server-sent events.
//!
//! Unlike the hosted products it never samples silently: past `max_rate` rows per second it
//! skips rows and says so in `stats` events (matched, sent, skipped). A slow client never
//! slows ingestion (it reads a broadcast it may fall behind on, and is told how much it
//! missed). Heartbeats keep proxies from closing an idle stream; a `diagnostic` event
//! explains an empty tail. A closed connection ends its task by the next heartbeat (2 s), and
//! a client that stays connected but stops reading is dropped once its bounded buffer has been
//! full for `STALLED_AFTER`. Open tails are capped per user and per server (429 past them).

mod filter;
mod replay;
mod slots;
mod tail;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};

pub use filter::LiveQuery;
pub use slots::TailSlots;

use super::environments::find_environment;
use super::ApiResult;
use crate::auth::Identity;
use crate::state::AppState;

/// Rows that may wait for a slow client before the tail starts skipping.
const CLIENT_BUFFER: usize = 512;

#[utoipa::path(get, path = "/api/v1/environments/{env}/impressions/live", tag = "impressions",
    params(("env" = String, Path), ("flag" = Option<String>, Query, description = "one or more, comma-separated or repeated"),
           ("treatment" = Option<String>, Query), ("key" = Option<String>, Query), ("label" = Option<String>, Query),
           ("sdk" = Option<String>, Query), ("replay" = Option<i64>, Query, description = "minutes of stored impressions to send first (≤ 60)"),
           ("max_rate" = Option<u32>, Query, description = "rows per second before sampling (default 200)")),
    responses((status = 200, description = "text/event-stream of `impression`, `stats`, `diagnostic`, `notice` and `ready` events"),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/impressions/live")]
pub async fn impressions(
    req: HttpRequest,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let env = find_environment(&state, &path).await?;
    let query = LiveQuery::parse(req.query_string())?;
    let slot = state.live_tails.take(identity.user.id)?;
    // Subscribe before reading the replay, so nothing committed in between is missed.
    let feed = state.ingest.writer.subscribe();
    let replay = replay::impressions(&state.db, env.id, &query).await?;
    Ok(stream(&state, &env, query, feed, replay, slot))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/events/live", tag = "impressions",
    params(("env" = String, Path), ("event_type" = Option<String>, Query), ("key" = Option<String>, Query),
           ("sdk" = Option<String>, Query), ("replay" = Option<i64>, Query, description = "minutes of stored events to send first (≤ 60)"),
           ("max_rate" = Option<u32>, Query)),
    responses((status = 200, description = "text/event-stream of `event`, `stats`, `diagnostic`, `notice` and `ready` events"),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/events/live")]
pub async fn events(
    req: HttpRequest,
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let env = find_environment(&state, &path).await?;
    let query = LiveQuery::parse(req.query_string())?;
    let slot = state.live_tails.take(identity.user.id)?;
    // Subscribe before reading the replay, so nothing committed in between is missed.
    let feed = state.ingest.writer.subscribe_events();
    let replay = replay::events(&state.db, env.id, &query).await?;
    Ok(stream(&state, &env, query, feed, replay, slot))
}

fn stream<R: tail::LiveRecord>(
    state: &AppState,
    env: &imprint_store::environments::EnvironmentRow,
    query: LiveQuery,
    feed: tokio::sync::broadcast::Receiver<std::sync::Arc<Vec<R>>>,
    replay: Vec<R>,
    slot: slots::TailSlot,
) -> HttpResponse {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(CLIENT_BUFFER);
    let context = tail::Tail {
        stall: std::time::Duration::from_secs(
            state.settings.accounts.stream_stall_timeout_seconds.max(1),
        ),
        environment_id: env.id,
        environment: env.name.clone(),
        query,
        flags: state.flags.clone(),
        activity: state.ingest.activity.clone(),
    };
    actix_web::rt::spawn(async move {
        // The slot is given back when the tail ends.
        let _slot = slot;
        context.run(feed, replay, sender).await;
    });
    let body = futures::stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), receiver))
    });
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Tells nginx-style proxies not to buffer the stream.
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}
