//! A sink as the API shows it: settings without secrets, and its health.

use imprint_store::now_ms;
use imprint_store::sinks::{SinkRow, Stream};
use imprint_types::SinkView;
use serde_json::{Map, Value};

use crate::http::{iso_time, ApiResult};
use crate::state::AppState;

pub fn status(row: &SinkRow) -> &'static str {
    if !row.enabled {
        "paused"
    } else if row.failing_since.is_some() {
        "failing"
    } else {
        "active"
    }
}

pub async fn view(state: &AppState, row: SinkRow) -> ApiResult<SinkView> {
    let mut lag_rows = 0;
    let mut oldest: Option<i64> = None;
    let mut streams = vec![(Stream::Impressions, row.impression_cursor)];
    if row.events {
        streams.push((Stream::Events, row.event_cursor));
    }
    for (stream, cursor) in streams {
        let lag = state
            .db
            .sink_lag(stream, row.environment_id, cursor)
            .await?;
        lag_rows += lag.rows;
        oldest = match (oldest, lag.oldest_received_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let secrets: Map<String, Value> = serde_json::from_str(&row.secrets).unwrap_or_default();
    Ok(SinkView {
        id: row.id,
        status: status(&row).to_owned(),
        kind: row.kind,
        name: row.name,
        config: serde_json::from_str(&row.config).unwrap_or_default(),
        secrets_set: secrets.keys().cloned().collect(),
        filter: serde_json::from_str(&row.filter).unwrap_or(Value::Null),
        events: row.events,
        paused_reason: row.paused_reason,
        delivered: row.delivered,
        failed: row.failed,
        dead_lettered: row.dead_lettered,
        lag_rows,
        lag_seconds: oldest.map(|at| (now_ms() - at).max(0) as f64 / 1000.0),
        last_success_at: row.last_success_at.map(iso_time),
        last_error: row.last_error,
        last_error_at: row.last_error_at.map(iso_time),
        failing_since: row.failing_since.map(iso_time),
        created_at: iso_time(row.created_at),
        secret: None,
    })
}
