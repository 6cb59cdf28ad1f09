//! What can be done to a sink besides editing it: pause and resume, send a test, replay from
//! a time, and list or retry its dead letters.

use std::sync::Arc;

use actix_web::{get, post, web};
use imprint_store::environments::EnvironmentRow;
use imprint_store::impressions::{ScanRange, StoredImpression};
use imprint_store::sinks::{NewDeadLetter, SinkRow, Stream};
use imprint_types::{
    DeadLetterRetryView, DeadLetterView, ReplayRequest, ReplayView, Role, SinkTestResult, SinkView,
};
use serde_json::{json, Value};

use super::view::view;
use super::{find_sink, record_change};
use crate::actors::exports::encode::Page;
use crate::actors::exports::spec::parse_time;
use crate::auth::Identity;
use crate::http::environments::find_environment;
use crate::http::{iso_time, ApiError, ApiResult};
use crate::sinks::delivery::{Batch, Delivery};
use crate::sinks::runner::read_range;
use crate::sinks::{setup, SinkSetup};
use crate::state::AppState;

/// Dead letters one retry request works through.
const RETRIED_PER_REQUEST: u64 = 100;

async fn set_enabled(
    state: &AppState,
    identity: &Identity,
    (env, id): (String, i64),
    enabled: bool,
) -> ApiResult<web::Json<SinkView>> {
    identity.require(Role::Admin)?;
    let environment = find_environment(state, &env).await?;
    let sink = find_sink(state, environment.id, id).await?;
    let reason = (!enabled).then(|| format!("paused by {}", identity.user.email));
    state.db.set_sink_enabled(id, enabled, reason).await?;
    let action = if enabled { "sink.resume" } else { "sink.pause" };
    record_change(state, identity, action, &sink, None).await?;
    state.sinks.reload(id).await?;
    let row = find_sink(state, environment.id, id).await?;
    Ok(web::Json(view(state, row).await?))
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/sinks/{id}/pause", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "Paused: its cursor stays where it is", body = SinkView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/sinks/{id}/pause")]
pub async fn pause(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<SinkView>> {
    set_enabled(&state, &identity, path.into_inner(), false).await
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/sinks/{id}/resume", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "Delivering again from its cursor", body = SinkView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/sinks/{id}/resume")]
pub async fn resume(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<SinkView>> {
    set_enabled(&state, &identity, path.into_inner(), true).await
}

/// For the actions that deliver by hand (test, dead-letter retry): an admin's sink with its
/// destination built from the stored settings.
async fn sink_to_deliver(
    state: &AppState,
    identity: &Identity,
    (env, id): (String, i64),
) -> ApiResult<(EnvironmentRow, SinkRow, SinkSetup)> {
    identity.require(Role::Admin)?;
    let environment = find_environment(state, &env).await?;
    let sink = find_sink(state, environment.id, id).await?;
    let setup = setup(&sink, state.sinks.context())
        .map_err(|e| ApiError::bad_request("invalid_sink_config", e))?;
    Ok((environment, sink, setup))
}

/// The sample a test sends: an impression that says what it is.
fn sample(environment_id: i64, environment: Arc<str>) -> Batch {
    let now = imprint_store::now_ms();
    Batch {
        environment_id,
        environment: environment.clone(),
        rows: Page::Impressions(vec![StoredImpression {
            id: 0,
            environment: environment.clone(),
            flag: "imprint_test_flag".into(),
            key: "imprint-test-user".into(),
            bucketing_key: None,
            treatment: "on".into(),
            label: Some("sent by Send test".into()),
            change_number: Some(now),
            timestamp: now,
            received_at: now,
            sdk: Some("imprint-test-1.0".into()),
            machine_ip: None,
            machine_name: None,
            traffic_type: Some("user".into()),
            properties: None,
            impressions_mode: None,
        }]),
    }
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/sinks/{id}/test", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "What the receiver answered to one sample impression", body = SinkTestResult), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/sinks/{id}/test")]
pub async fn test_sink(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<SinkTestResult>> {
    let (environment, _, setup) = sink_to_deliver(&state, &identity, path.into_inner()).await?;
    let batch = sample(environment.id, Arc::from(environment.name.as_str()));
    let result = match setup.destination.deliver(&batch).await {
        Delivery::Accepted(answer) => SinkTestResult {
            ok: true,
            status: answer.status,
            answer: answer.to_string(),
        },
        Delivery::PartlyRejected { answer, .. } | Delivery::Failed { answer, .. } => {
            SinkTestResult {
                ok: false,
                status: answer.status,
                answer: answer.to_string(),
            }
        }
    };
    Ok(web::Json(result))
}

fn replay_from(value: &Value) -> ApiResult<i64> {
    let parsed = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_time(s),
        _ => None,
    };
    parsed.ok_or_else(|| {
        ApiError::bad_request(
            "invalid_from",
            "`from` is ms since the epoch or an RFC 3339 time",
        )
    })
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/sinks/{id}/replay", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), request_body = ReplayRequest, responses((status = 200, description = "The sink delivers again everything received since `from`", body = ReplayView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/sinks/{id}/replay")]
pub async fn replay(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
    body: web::Json<ReplayRequest>,
) -> ApiResult<web::Json<ReplayView>> {
    identity.require(Role::Admin)?;
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    let sink = find_sink(&state, environment.id, id).await?;
    let from = replay_from(&body.from)?;
    let db = &state.db;
    let mut streams = vec![(Stream::Impressions, sink.impression_cursor)];
    if sink.events {
        streams.push((Stream::Events, sink.event_cursor));
    }
    let (mut cursors, mut rows_to_deliver, mut duplicates) = (Vec::new(), 0, 0);
    for (stream, old) in streams {
        let new = db
            .cursor_for_received_since(stream, environment.id, from)
            .await?;
        let newest = db.newest_id(stream).await?;
        rows_to_deliver += db
            .count_rows_between(stream, environment.id, new, newest)
            .await?;
        if new < old {
            duplicates += db
                .count_rows_between(stream, environment.id, new, old)
                .await?;
        }
        cursors.push(new);
    }
    let impression_cursor = cursors[0];
    let event_cursor = cursors.get(1).copied().unwrap_or(sink.event_cursor);
    // Bumps the sink's generation first, so a delivery in flight cannot move the cursor
    // forward again past the replay.
    db.set_sink_cursors(id, impression_cursor, event_cursor)
        .await?;
    record_change(
        &state,
        &identity,
        "sink.replay",
        &sink,
        Some(json!({"from": iso_time(from), "duplicates": duplicates})),
    )
    .await?;
    state.sinks.reload(id).await?;
    Ok(web::Json(ReplayView {
        from: iso_time(from),
        rows_to_deliver,
        duplicates,
    }))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/sinks/{id}/dead-letters", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "The first 1000 dead letters, oldest first", body = Vec<DeadLetterView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/sinks/{id}/dead-letters")]
pub async fn list_dead_letters(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<Vec<DeadLetterView>>> {
    let (env, id) = path.into_inner();
    let environment = find_environment(&state, &env).await?;
    find_sink(&state, environment.id, id).await?;
    let letters = state.db.dead_letters(id, 1000).await?;
    Ok(web::Json(
        letters
            .into_iter()
            .map(|l| DeadLetterView {
                id: l.id,
                stream: l.stream,
                first_id: l.first_id,
                last_id: l.last_id,
                rows: l.row_count,
                attempts: l.attempts,
                error: l.error,
                created_at: iso_time(l.created_at),
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/sinks/{id}/dead-letters/retry", tag = "sinks", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "Each of the first 100 dead letters tried once more; delivered ones are removed", body = DeadLetterRetryView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/sinks/{id}/dead-letters/retry")]
pub async fn retry_dead_letters(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<DeadLetterRetryView>> {
    let (environment, sink, setup) = sink_to_deliver(&state, &identity, path.into_inner()).await?;
    let id = sink.id;
    let name: Arc<str> = Arc::from(environment.name.as_str());
    let mut outcome = DeadLetterRetryView {
        retried: 0,
        delivered: 0,
        still_failing: 0,
        last_error: None,
    };
    for letter in state.db.dead_letters(id, RETRIED_PER_REQUEST).await? {
        outcome.retried += 1;
        let Some(stream) = Stream::parse(&letter.stream) else {
            continue;
        };
        let range = ScanRange {
            after: letter.first_id - 1,
            until: letter.last_id,
        };
        let max_rows = usize::try_from(letter.row_count.max(1)).unwrap_or(usize::MAX);
        let (batch, _) = read_range(
            &state.db,
            &sink,
            &name,
            &setup.criteria,
            stream,
            range,
            max_rows,
        )
        .await?;
        // Rows retention has deleted since cannot be sent; the letter is done with.
        let Some(batch) = batch else {
            state.db.resolve_dead_letter(&letter).await?;
            outcome.delivered += 1;
            continue;
        };
        match setup.destination.deliver(&batch).await {
            Delivery::Accepted(_) => {
                state.db.resolve_dead_letter(&letter).await?;
                outcome.delivered += 1;
            }
            Delivery::PartlyRejected { rejected, answer } => {
                state.db.resolve_dead_letter(&letter).await?;
                for i in rejected.into_iter().filter(|&i| i < batch.len()) {
                    let row = batch.id(i);
                    state
                        .db
                        .add_dead_letter(
                            id,
                            NewDeadLetter {
                                stream,
                                first_id: row,
                                last_id: row,
                                row_count: 1,
                                attempts: letter.attempts + 1,
                                error: answer.to_string(),
                            },
                        )
                        .await?;
                }
                outcome.still_failing += 1;
                outcome.last_error = Some(answer.to_string());
            }
            Delivery::Failed { answer, .. } => {
                outcome.still_failing += 1;
                outcome.last_error = Some(answer.to_string());
            }
        }
    }
    record_change(
        &state,
        &identity,
        "sink.retry_dead_letters",
        &sink,
        Some(json!({"retried": outcome.retried, "delivered": outcome.delivered})),
    )
    .await?;
    Ok(web::Json(outcome))
}
