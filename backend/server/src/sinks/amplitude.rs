//! The Amplitude sink: impressions (and `track()` events) posted to Amplitude's HTTP V2 API,
//! `POST /2/httpapi` with `{"api_key", "events": [...]}`.
//!
//! Two shapes of impression event: Amplitude Experiment's exposure (`[Experiment] Impression`
//! with `[Experiment] Flag Key` and `[Experiment] Variant`, setting the user property
//! `[Experiment] <flag key>` to the variant), or Split's integration (`get_treatment` with the
//! environment, flag, treatment and label). Every event carries the row's idempotency key as
//! `insert_id`, which Amplitude deduplicates on for 7 days, so retries cost nothing.
//!
//! Amplitude's contract: at most 2,000 events and under 1 MB per request (413 above); 429 when
//! a user or device sends too fast (wait 30 s); a 400 that names invalid events has taken none
//! of the request, so those are set aside and the rest is sent again at once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use imprint_store::events_read::StoredEvent;
use imprint_store::impressions::StoredImpression;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::analytics::{endpoint, merged, properties, IdFields};
use super::delivery::{describe, retry_after, Answer, Batch, Delivery, FailureKind};
use super::destination::{Batching, Destination, SinkContext};

pub const SECRETS: &[&str] = &["api_key"];

/// Most events Amplitude takes in one request.
pub const MAX_EVENTS: usize = 2000;
/// Amplitude wants requests under 1 MB.
pub const MAX_BODY_BYTES: usize = 1_000_000;
/// How long Amplitude asks a throttled sender to wait when it does not say.
const THROTTLE_WAIT: Duration = Duration::from_secs(30);
/// Requests per batch when Amplitude keeps naming new invalid events in the rest: it names
/// all of them at once, so a third round means something else is wrong.
const MAX_ROUNDS: usize = 3;

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Region {
    #[default]
    Us,
    Eu,
}

impl Region {
    fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api2.amplitude.com",
            Region::Eu => "https://api.eu.amplitude.com",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Preset {
    /// Amplitude Experiment's exposure event, which its experiment analysis reads.
    #[default]
    Experiment,
    /// Split's Amplitude integration: `get_treatment` events.
    Split,
}

/// The identity field a key is sent as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum IdField {
    #[default]
    UserId,
    DeviceId,
}

impl IdField {
    fn name(self) -> &'static str {
        match self {
            IdField::UserId => "user_id",
            IdField::DeviceId => "device_id",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    api_key: String,
    #[serde(default)]
    region: Region,
    base_url: Option<String>,
    #[serde(default)]
    preset: Preset,
    /// The impression event's name with the `split` preset.
    event_type: Option<String>,
    /// Traffic type → `user_id` or `device_id`.
    id_field: Option<Value>,
    /// Amplitude refuses ids shorter than 5 characters unless told otherwise.
    min_id_length: Option<u32>,
    #[serde(default = "default_max_batch")]
    max_batch: usize,
    #[serde(default = "default_flush_ms")]
    flush_ms: u64,
}

fn default_max_batch() -> usize {
    1000
}

fn default_flush_ms() -> u64 {
    1000
}

pub struct Amplitude {
    http: reqwest::Client,
    url: url::Url,
    api_key: String,
    preset: Preset,
    event_type: String,
    id_fields: IdFields<IdField>,
    min_id_length: Option<u32>,
    batching: Batching,
}

pub fn build(config: Value, ctx: &SinkContext) -> Result<Arc<dyn Destination>, String> {
    let config: Config = serde_json::from_value(config).map_err(|e| e.to_string())?;
    if config.api_key.trim().is_empty() {
        return Err("`api_key` is required".into());
    }
    let base = config
        .base_url
        .as_deref()
        .unwrap_or(config.region.base_url());
    let url = endpoint("base_url", base, "/2/httpapi")?;
    let event_type = match (config.preset, config.event_type) {
        (Preset::Experiment, Some(_)) => {
            return Err(
                "`event_type` renames `split` preset events; Amplitude Experiment \
                        reads only `[Experiment] Impression`"
                    .into(),
            )
        }
        (Preset::Experiment, None) => "[Experiment] Impression".to_owned(),
        (Preset::Split, None) => "get_treatment".to_owned(),
        (Preset::Split, Some(name)) if name.trim().is_empty() || name.len() > 1024 => {
            return Err("`event_type` must be 1 to 1024 bytes".into())
        }
        (Preset::Split, Some(name)) => name,
    };
    if !(1..=MAX_EVENTS).contains(&config.max_batch) {
        return Err(format!("`max_batch` must be between 1 and {MAX_EVENTS}"));
    }
    if !(1..=600_000).contains(&config.flush_ms) {
        return Err("`flush_ms` must be between 1 and 600000".into());
    }
    if config.min_id_length == Some(0) {
        return Err("`min_id_length` must be at least 1".into());
    }
    Ok(Arc::new(Amplitude {
        http: ctx.http.clone(),
        url,
        api_key: config.api_key,
        preset: config.preset,
        event_type,
        id_fields: IdFields::parse(config.id_field)?,
        min_id_length: config.min_id_length,
        batching: Batching {
            max_rows: config.max_batch,
            flush: Duration::from_millis(config.flush_ms),
        },
    }))
}

/// What one request came to.
enum Outcome {
    Done(Delivery),
    /// A 400 naming these events (indices into the request) as invalid: none was taken.
    Named(Vec<usize>, Answer),
}

impl Amplitude {
    fn events(&self, batch: &Batch) -> Vec<Value> {
        let impressions = batch.impressions().iter().enumerate();
        let events = batch.events().iter().enumerate();
        impressions
            .map(|(i, row)| self.impression(batch, i, row))
            .chain(events.map(|(i, row)| self.event(batch, i, row)))
            .collect()
    }

    fn impression(&self, batch: &Batch, i: usize, row: &StoredImpression) -> Value {
        let mut ours = Map::new();
        let mut event = Map::new();
        match self.preset {
            Preset::Experiment => {
                ours.insert("[Experiment] Flag Key".into(), json!(row.flag));
                ours.insert("[Experiment] Variant".into(), json!(row.treatment));
                let property = format!("[Experiment] {}", row.flag);
                event.insert(
                    "user_properties".into(),
                    json!({ "$set": { property: row.treatment } }),
                );
            }
            Preset::Split => {
                ours.insert("flag".into(), json!(row.flag));
                ours.insert("treatment".into(), json!(row.treatment));
            }
        }
        ours.insert("environment".into(), json!(&*batch.environment));
        if let Some(label) = &row.label {
            ours.insert("label".into(), json!(label));
        }
        if let Some(change_number) = row.change_number {
            ours.insert("change_number".into(), json!(change_number));
        }
        let id_field = self.id_fields.for_traffic_type(row.traffic_type.as_deref());
        event.insert("event_type".into(), json!(self.event_type));
        event.insert(id_field.name().into(), json!(row.key));
        event.insert("time".into(), json!(row.timestamp));
        event.insert("insert_id".into(), json!(batch.row_key(i)));
        let extra = properties(row.properties.as_deref());
        event.insert("event_properties".into(), merged(extra, ours));
        Value::Object(event)
    }

    fn event(&self, batch: &Batch, i: usize, row: &StoredEvent) -> Value {
        let mut ours = Map::new();
        ours.insert("environment".into(), json!(&*batch.environment));
        if let Some(value) = row.value {
            ours.insert("value".into(), json!(value));
        }
        let id_field = self.id_fields.for_traffic_type(row.traffic_type.as_deref());
        let extra = properties(row.properties.as_deref());
        json!({
            "event_type": row.event_type,
            id_field.name(): row.key,
            "time": row.timestamp,
            "insert_id": batch.row_key(i),
            "event_properties": merged(extra, ours),
        })
    }

    fn body<'a>(&self, events: impl Iterator<Item = &'a Value>) -> Vec<u8> {
        let mut body = json!({
            "api_key": self.api_key,
            "events": events.collect::<Vec<_>>(),
        });
        if let Some(min_id_length) = self.min_id_length {
            body["options"] = json!({ "min_id_length": min_id_length });
        }
        body.to_string().into_bytes()
    }

    async fn post(&self, body: Vec<u8>) -> Outcome {
        let request = self
            .http
            .post(self.url.clone())
            .header("content-type", "application/json")
            .header("accept", "*/*")
            .body(body);
        match request.send().await {
            Err(error) => Outcome::Done(Delivery::unreachable(describe(&error))),
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = retry_after(response.headers());
                let body = response.text().await.unwrap_or_default();
                classify(status, retry_after, &body)
            }
        }
    }
}

/// The parts of Amplitude's error body that say what to do.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    error: Option<String>,
    missing_field: Option<String>,
    #[serde(default)]
    events_with_invalid_fields: BTreeMap<String, Vec<usize>>,
    #[serde(default)]
    events_with_missing_fields: BTreeMap<String, Vec<usize>>,
}

fn classify(status: u16, retry_after: Option<Duration>, body: &str) -> Outcome {
    let answer = Answer::http(status, body);
    let failed = |kind| Outcome::Done(Delivery::failed(kind, answer.clone()));
    match status {
        400 => {
            let error: ErrorBody = serde_json::from_str(body).unwrap_or_default();
            let about_key = error.missing_field.as_deref() == Some("api_key")
                || error
                    .error
                    .as_deref()
                    .is_some_and(|e| e.to_ascii_lowercase().contains("api key"));
            if about_key {
                // Amplitude answers a wrong key with 400: every batch would fail alike.
                return failed(FailureKind::Misconfigured);
            }
            let mut named: Vec<usize> = error
                .events_with_invalid_fields
                .into_values()
                .chain(error.events_with_missing_fields.into_values())
                .flatten()
                .collect();
            named.sort_unstable();
            named.dedup();
            if named.is_empty() {
                failed(FailureKind::Rejected)
            } else {
                Outcome::Named(named, answer)
            }
        }
        // Throttling (one user or device over 30 events a second included) lifts after the
        // wait Amplitude documents.
        429 => failed(FailureKind::Transient {
            retry_after: Some(retry_after.unwrap_or(THROTTLE_WAIT)),
        }),
        _ => Outcome::Done(Delivery::from_status(status, retry_after, body)),
    }
}

#[async_trait::async_trait]
impl Destination for Amplitude {
    async fn deliver(&self, batch: &Batch) -> Delivery {
        let events = self.events(batch);
        // Indices into the batch of the events Amplitude named as invalid so far.
        let mut rejected: Vec<usize> = Vec::new();
        let mut first_answer = None;
        for _ in 0..MAX_ROUNDS {
            let sent: Vec<usize> = (0..events.len())
                .filter(|i| !rejected.contains(i))
                .collect();
            if sent.is_empty() {
                break;
            }
            let body = self.body(sent.iter().map(|&i| &events[i]));
            if sent.len() > MAX_EVENTS || body.len() >= MAX_BODY_BYTES {
                return Delivery::failed(
                    FailureKind::TooLarge,
                    Answer::error(format!(
                        "{} events in {} bytes, over Amplitude's {MAX_EVENTS} events or \
                         {MAX_BODY_BYTES} bytes per request",
                        sent.len(),
                        body.len()
                    )),
                );
            }
            match self.post(body).await {
                Outcome::Named(named, answer) => {
                    let before = rejected.len();
                    rejected.extend(named.iter().filter_map(|&n| sent.get(n).copied()));
                    if rejected.len() == before {
                        return Delivery::failed(FailureKind::Rejected, answer);
                    }
                    first_answer.get_or_insert(answer);
                }
                Outcome::Done(Delivery::Accepted(answer)) => {
                    return match first_answer {
                        None => Delivery::Accepted(answer),
                        Some(answer) => partly(rejected, answer),
                    };
                }
                // A retry later sends the whole batch again: Amplitude names the same
                // invalid events, and the insert ids keep the rest from counting twice.
                Outcome::Done(other) => return other,
            }
        }
        match first_answer {
            Some(answer) if rejected.len() == events.len() => partly(rejected, answer),
            Some(answer) => Delivery::failed(FailureKind::Rejected, answer),
            None => Delivery::failed(FailureKind::Rejected, Answer::error("no events to send")),
        }
    }

    fn batching(&self) -> Batching {
        self.batching
    }
}

fn partly(mut rejected: Vec<usize>, answer: Answer) -> Delivery {
    rejected.sort_unstable();
    rejected.dedup();
    Delivery::PartlyRejected { rejected, answer }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(outcome: Outcome) -> Option<FailureKind> {
        match outcome {
            Outcome::Done(Delivery::Failed { kind, .. }) => Some(kind),
            _ => None,
        }
    }

    #[test]
    fn amplitudes_answers_are_read_as_documented() {
        let named = classify(
            400,
            None,
            r#"{"code":400,"error":"Invalid field values on some events",
                "events_with_invalid_fields":{"user_id":[3,1]},
                "events_with_missing_fields":{"event_type":[1,7]}}"#,
        );
        match named {
            Outcome::Named(indices, answer) => {
                assert_eq!(indices, [1, 3, 7]);
                assert_eq!(answer.status, Some(400));
            }
            _ => panic!("a 400 naming events names them"),
        }
        let plain = classify(400, None, r#"{"code":400,"error":"Invalid JSON"}"#);
        assert_eq!(kind(plain), Some(FailureKind::Rejected));
        let key = classify(400, None, r#"{"code":400,"error":"Invalid API key: x"}"#);
        assert_eq!(kind(key), Some(FailureKind::Misconfigured));
        assert_eq!(kind(classify(413, None, "")), Some(FailureKind::TooLarge));
        assert_eq!(
            kind(classify(429, None, "")),
            Some(FailureKind::Transient {
                retry_after: Some(THROTTLE_WAIT)
            })
        );
        let asked = Some(Duration::from_secs(2));
        assert_eq!(
            kind(classify(429, asked, "")),
            Some(FailureKind::Transient { retry_after: asked })
        );
        assert_eq!(
            kind(classify(503, None, "")),
            Some(FailureKind::Transient { retry_after: None })
        );
        assert!(matches!(
            classify(200, None, r#"{"code":200}"#),
            Outcome::Done(Delivery::Accepted(_))
        ));
    }
}
