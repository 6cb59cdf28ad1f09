//! `GET /api/v1/environments/{env}/event-types?from=&to=`: the `track()` event types an
//! environment has seen in a window, with their volume over time and the properties of their
//! recent events. Any signed-in role reads it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use actix_web::{get, web};
use imprint_types::{EventPropertyView, EventTypeView, EventTypesView};
use serde::Deserialize;
use serde_json::Value;

use super::environments::find_environment;
use super::{ApiError, ApiResult};
use crate::auth::Identity;
use crate::state::AppState;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// The window when `from` is not given: the last week.
const DEFAULT_SPAN: i64 = 7 * DAY;
/// Windows up to this long get hourly buckets, longer ones daily buckets.
const HOURLY_UP_TO: i64 = 3 * DAY;
const MAX_SPAN: i64 = 400 * DAY;
/// Most event types listed (the busiest).
const MAX_TYPES: u64 = 200;
/// Recent events per type whose properties are read to list property names.
const PROPERTY_SAMPLE: u64 = 200;

#[derive(Deserialize)]
pub struct Window {
    from: Option<i64>,
    to: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/event-types", tag = "events",
    params(("env" = String, Path), ("from" = Option<i64>, Query, description = "ms since the epoch; default a week before `to`"),
           ("to" = Option<i64>, Query, description = "ms since the epoch; default now")),
    responses((status = 200, description = "Event types seen, busiest first", body = EventTypesView),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/event-types")]
#[tracing::instrument(skip_all, fields(env = %path.as_str()))]
pub async fn list(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
    window: web::Query<Window>,
) -> ApiResult<web::Json<EventTypesView>> {
    let env = find_environment(&state, &path).await?;
    let (from, to, bucket_ms) = buckets(window.from, window.to, imprint_store::now_ms())?;
    let totals = state
        .db
        .event_type_totals(env.id, from, to, MAX_TYPES + 1)
        .await?;
    let truncated = totals.len() as u64 > MAX_TYPES;
    let mut volume: HashMap<i64, Vec<u64>> = HashMap::new();
    let slots = ((to - from) / bucket_ms) as usize;
    for b in state
        .db
        .event_type_volume(env.id, from, to, bucket_ms)
        .await?
    {
        let series = volume
            .entry(b.event_type_id)
            .or_insert_with(|| vec![0; slots]);
        if let Some(slot) = usize::try_from(b.bucket)
            .ok()
            .and_then(|i| series.get_mut(i))
        {
            *slot += b.event_count.max(0) as u64;
        }
    }
    let mut event_types = Vec::with_capacity(totals.len());
    for t in totals.into_iter().take(MAX_TYPES as usize) {
        let sample = state
            .db
            .recent_event_properties(env.id, t.event_type_id, from, to, PROPERTY_SAMPLE)
            .await?;
        event_types.push(EventTypeView {
            volume: volume
                .remove(&t.event_type_id)
                .unwrap_or_else(|| vec![0; slots]),
            properties: property_kinds(&sample),
            sampled_rows: sample.len() as u64,
            event_type: t.name,
            events: t.event_count.max(0) as u64,
            distinct_keys: t.distinct_keys.max(0) as u64,
            first_seen: t.first_seen,
            last_seen: t.last_seen,
        });
    }
    Ok(web::Json(EventTypesView {
        from,
        to,
        bucket_ms,
        event_types,
        truncated,
    }))
}

/// The window widened to whole buckets, and the bucket width.
fn buckets(from: Option<i64>, to: Option<i64>, now: i64) -> ApiResult<(i64, i64, i64)> {
    let to = to.unwrap_or(now);
    let from = from.unwrap_or(to - DEFAULT_SPAN);
    if from >= to || to - from > MAX_SPAN {
        return Err(ApiError::bad_request(
            "invalid_range",
            "`from` must be before `to`, at most 400 days apart",
        ));
    }
    let bucket = if to - from <= HOURLY_UP_TO { HOUR } else { DAY };
    let start = from.div_euclid(bucket) * bucket;
    let end = (to + bucket - 1).div_euclid(bucket) * bucket;
    Ok((start, end, bucket))
}

/// Property names of the sampled JSON objects with the kinds of their values, by name.
fn property_kinds(sample: &[String]) -> Vec<EventPropertyView> {
    let mut seen: BTreeMap<String, (BTreeSet<&'static str>, u64)> = BTreeMap::new();
    for raw in sample {
        let Ok(Value::Object(map)) = serde_json::from_str::<Value>(raw) else {
            continue;
        };
        for (name, value) in map {
            let entry = seen.entry(name).or_default();
            entry.0.insert(kind(&value));
            entry.1 += 1;
        }
    }
    seen.into_iter()
        .map(|(name, (kinds, seen_in))| EventPropertyView {
            name,
            kinds: kinds.into_iter().map(str::to_owned).collect(),
            seen_in,
        })
        .collect()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_windows_get_hourly_buckets_and_long_ones_daily() {
        let now = 10 * DAY + 90 * 60_000;
        assert_eq!(
            buckets(Some(now - HOUR), None, now).unwrap(),
            (10 * DAY, 10 * DAY + 2 * HOUR, HOUR)
        );
        assert_eq!(buckets(None, None, now).unwrap(), (3 * DAY, 11 * DAY, DAY));
        assert!(buckets(Some(now), Some(now), now).is_err());
        assert!(buckets(Some(0), Some(401 * DAY), now).is_err());
    }

    #[test]
    fn properties_are_listed_with_the_kinds_of_their_values() {
        let sample = [
            r#"{"plan":"pro","seats":3}"#.to_owned(),
            r#"{"plan":null,"tags":["a"]}"#.to_owned(),
            "not json".to_owned(),
        ];
        let kinds: Vec<(String, Vec<String>, u64)> = property_kinds(&sample)
            .into_iter()
            .map(|p| (p.name, p.kinds, p.seen_in))
            .collect();
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            kinds,
            [
                ("plan".to_owned(), owned(&["null", "string"]), 2),
                ("seats".to_owned(), owned(&["number"]), 1),
                ("tags".to_owned(), owned(&["array"]), 1),
            ]
        );
    }
}
