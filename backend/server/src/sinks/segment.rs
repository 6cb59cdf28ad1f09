//! The Segment sink: `track` calls posted to Segment's HTTP Tracking API, `POST /v1/batch`,
//! with the write key as the Basic auth user name.
//!
//! The event is named `get_treatment` (Split's Segment integration), `Experiment Viewed`
//! (Segment's A/B testing spec: `experiment_id`/`experiment_name` = flag, `variation_name` =
//! treatment) or anything else; a key goes out as `userId` or `anonymousId` by traffic type.
//! `messageId` is the row's idempotency key, which Segment deduplicates on.
//!
//! Segment's contract: at most 32 KB per event and 500 KB per batch, else 400; any other
//! valid JSON gets 200. So sizes are checked here: a batch over 500 KB is split, an event
//! over 32 KB can never be sent and is set aside alone.

use std::sync::Arc;
use std::time::Duration;

use imprint_store::events_read::StoredEvent;
use imprint_store::impressions::StoredImpression;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::analytics::{endpoint, library, merged, properties, IdFields};
use super::delivery::{send, Answer, Batch, Delivery, FailureKind};
use super::destination::{Batching, Destination, SinkContext};

pub const SECRETS: &[&str] = &["write_key"];

/// Segment's limit for one event in a batch…
pub const MAX_EVENT_BYTES: usize = 32 * 1024;
/// …and for the whole request.
pub const MAX_BATCH_BYTES: usize = 500 * 1024;

const EXPERIMENT_VIEWED: &str = "Experiment Viewed";

/// The identity field a key is sent as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
enum IdField {
    #[default]
    #[serde(rename = "userId")]
    UserId,
    #[serde(rename = "anonymousId")]
    AnonymousId,
}

impl IdField {
    fn name(self) -> &'static str {
        match self {
            IdField::UserId => "userId",
            IdField::AnonymousId => "anonymousId",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    write_key: String,
    base_url: Option<String>,
    /// The impression event's name.
    event: Option<String>,
    /// Traffic type → `userId` or `anonymousId`.
    id_field: Option<Value>,
    #[serde(default = "default_max_batch")]
    max_batch: usize,
    #[serde(default = "default_flush_ms")]
    flush_ms: u64,
}

fn default_max_batch() -> usize {
    100
}

fn default_flush_ms() -> u64 {
    1000
}

pub struct Segment {
    http: reqwest::Client,
    url: url::Url,
    write_key: String,
    event: String,
    id_fields: IdFields<IdField>,
    batching: Batching,
}

pub fn build(config: Value, ctx: &SinkContext) -> Result<Arc<dyn Destination>, String> {
    let config: Config = serde_json::from_value(config).map_err(|e| e.to_string())?;
    if config.write_key.trim().is_empty() {
        return Err("`write_key` is required".into());
    }
    let base = config
        .base_url
        .as_deref()
        .unwrap_or("https://api.segment.io");
    let url = endpoint("base_url", base, "/v1/batch")?;
    let event = config.event.unwrap_or_else(|| "get_treatment".into());
    if event.trim().is_empty() || event.len() > 1024 {
        return Err("`event` must be 1 to 1024 bytes".into());
    }
    if !(1..=2500).contains(&config.max_batch) {
        return Err("`max_batch` must be between 1 and 2500".into());
    }
    if !(1..=600_000).contains(&config.flush_ms) {
        return Err("`flush_ms` must be between 1 and 600000".into());
    }
    Ok(Arc::new(Segment {
        http: ctx.http.clone(),
        url,
        write_key: config.write_key,
        event,
        id_fields: IdFields::parse(config.id_field)?,
        batching: Batching {
            max_rows: config.max_batch,
            flush: Duration::from_millis(config.flush_ms),
        },
    }))
}

/// ms since the epoch as Segment's ISO 8601 timestamp.
fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Segment {
    fn messages(&self, batch: &Batch) -> Vec<Value> {
        let impressions = batch.impressions().iter().enumerate();
        let events = batch.events().iter().enumerate();
        impressions
            .map(|(i, row)| self.impression(batch, i, row))
            .chain(events.map(|(i, row)| self.event(batch, i, row)))
            .collect()
    }

    fn impression(&self, batch: &Batch, i: usize, row: &StoredImpression) -> Value {
        let mut ours = Map::new();
        if self.event == EXPERIMENT_VIEWED {
            ours.insert("experiment_id".into(), json!(row.flag));
            ours.insert("experiment_name".into(), json!(row.flag));
            ours.insert("variation_name".into(), json!(row.treatment));
        } else {
            ours.insert("flag".into(), json!(row.flag));
            ours.insert("treatment".into(), json!(row.treatment));
        }
        ours.insert("environment".into(), json!(&*batch.environment));
        if let Some(label) = &row.label {
            ours.insert("label".into(), json!(label));
        }
        if let Some(change_number) = row.change_number {
            ours.insert("change_number".into(), json!(change_number));
        }
        let extra = properties(row.properties.as_deref());
        let id_field = self.id_fields.for_traffic_type(row.traffic_type.as_deref());
        track(
            batch,
            i,
            &self.event,
            (id_field, &row.key),
            row.timestamp,
            merged(extra, ours),
        )
    }

    fn event(&self, batch: &Batch, i: usize, row: &StoredEvent) -> Value {
        let mut ours = Map::new();
        ours.insert("environment".into(), json!(&*batch.environment));
        if let Some(value) = row.value {
            ours.insert("value".into(), json!(value));
        }
        let extra = properties(row.properties.as_deref());
        let id_field = self.id_fields.for_traffic_type(row.traffic_type.as_deref());
        track(
            batch,
            i,
            &row.event_type,
            (id_field, &row.key),
            row.timestamp,
            merged(extra, ours),
        )
    }
}

fn track(
    batch: &Batch,
    i: usize,
    event: &str,
    (id_field, key): (IdField, &str),
    timestamp: i64,
    properties: Value,
) -> Value {
    let (name, version) = library();
    json!({
        "type": "track",
        "event": event,
        id_field.name(): key,
        "properties": properties,
        "timestamp": iso(timestamp),
        "messageId": batch.row_key(i),
        "context": { "library": { "name": name, "version": version } },
    })
}

#[async_trait::async_trait]
impl Destination for Segment {
    async fn deliver(&self, batch: &Batch) -> Delivery {
        let mut rejected = Vec::new();
        let mut sent = Vec::new();
        for (i, message) in self.messages(batch).into_iter().enumerate() {
            let size = message.to_string().len();
            if size > MAX_EVENT_BYTES {
                rejected.push((i, size));
            } else {
                sent.push(message);
            }
        }
        let too_big = || {
            let sizes: Vec<String> = rejected
                .iter()
                .map(|(i, size)| format!("{} is {size} bytes", batch.row_key(*i)))
                .collect();
            Answer::error(format!(
                "over Segment's {MAX_EVENT_BYTES} bytes per event: {}",
                sizes.join(", ")
            ))
        };
        let rejected_rows = || rejected.iter().map(|(i, _)| *i).collect();
        if sent.is_empty() {
            return Delivery::PartlyRejected {
                rejected: rejected_rows(),
                answer: too_big(),
            };
        }
        let body = json!({ "batch": sent, "sentAt": iso(imprint_store::now_ms()) }).to_string();
        if body.len() > MAX_BATCH_BYTES {
            return Delivery::failed(
                FailureKind::TooLarge,
                Answer::error(format!(
                    "{} events in {} bytes, over Segment's {MAX_BATCH_BYTES} bytes per batch",
                    sent.len(),
                    body.len()
                )),
            );
        }
        let request = self
            .http
            .post(self.url.clone())
            .basic_auth(&self.write_key, Some(""))
            .header("content-type", "application/json")
            .body(body);
        match send(request).await {
            Delivery::Accepted(_) if !rejected.is_empty() => Delivery::PartlyRejected {
                rejected: rejected_rows(),
                answer: too_big(),
            },
            // Segment answers 400 only to payloads over its limits (or broken JSON, which
            // this sink does not write): halves get through, a single event is set aside.
            Delivery::Failed {
                kind: FailureKind::Rejected,
                answer,
            } if answer.status == Some(400) => Delivery::failed(FailureKind::TooLarge, answer),
            other => other,
        }
    }

    fn batching(&self) -> Batching {
        self.batching
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_iso_8601_in_utc() {
        assert_eq!(iso(1_725_682_200_123), "2024-09-07T04:10:00.123Z");
    }
}
