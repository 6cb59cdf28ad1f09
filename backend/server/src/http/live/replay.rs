//! A tail's replay: the newest stored rows of the last N minutes that match its filter, read
//! with every criterion the database can apply so a busy window still yields the matches.

use imprint_store::events_read::{EventQuery, EventScan};
use imprint_store::impressions::{ImpressionQuery, ImpressionScan};
use imprint_store::ingest::{EventRecord, ImpressionRecord};
use imprint_store::{Database, DbErr};

use super::filter::LiveQuery;
use super::tail::{self, LiveRecord};

/// Most stored rows a replay sends.
const MAX_REPLAY_ROWS: u64 = 2_000;

/// When the replay window starts, or `None` when the tail asked for none.
fn since(query: &LiveQuery) -> Option<i64> {
    (query.replay_minutes > 0).then(|| imprint_store::now_ms() - query.replay_minutes * 60_000)
}

pub async fn impressions(
    db: &Database,
    environment_id: i64,
    query: &LiveQuery,
) -> Result<Vec<ImpressionRecord>, DbErr> {
    let Some(from) = since(query) else {
        return Ok(Vec::new());
    };
    let f = &query.filter;
    let stored = ImpressionQuery {
        environment_id,
        flags: f.flags.clone(),
        from: Some(from),
        treatments: f.treatment.iter().cloned().collect(),
        keys: f.key.iter().cloned().collect(),
        labels: f.label.iter().cloned().collect(),
        sdks: f.sdk.iter().cloned().collect(),
        properties: f.properties.clone(),
        ..ImpressionQuery::default()
    };
    let rows = ImpressionScan::open(db, &stored)
        .await?
        .latest(MAX_REPLAY_ROWS)
        .await?;
    Ok(matching(
        rows.into_iter()
            .map(|row| tail::replayed_impression(environment_id, row)),
        query,
    ))
}

pub async fn events(
    db: &Database,
    environment_id: i64,
    query: &LiveQuery,
) -> Result<Vec<EventRecord>, DbErr> {
    let f = &query.filter;
    // Impression-only criteria match no event, as they do live.
    let impression_only = !f.flags.is_empty() || f.treatment.is_some() || f.label.is_some();
    let Some(from) = since(query).filter(|_| !impression_only) else {
        return Ok(Vec::new());
    };
    let stored = EventQuery {
        environment_id,
        event_types: f.event_type.iter().cloned().collect(),
        keys: f.key.iter().cloned().collect(),
        from: Some(from),
        properties: f.properties.clone(),
        ..EventQuery::default()
    };
    let rows = EventScan::open(db, &stored)
        .await?
        .latest(MAX_REPLAY_ROWS)
        .await?;
    Ok(matching(
        rows.into_iter()
            .map(|row| tail::replayed_event(environment_id, row)),
        query,
    ))
}

/// The live filter has the last word (e.g. the SDK of events, which the query cannot name).
fn matching<R: LiveRecord>(rows: impl Iterator<Item = R>, query: &LiveQuery) -> Vec<R> {
    rows.filter(|r| r.matches(&query.filter)).collect()
}
