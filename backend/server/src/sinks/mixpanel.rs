//! The Mixpanel sink: impressions (and `track()` events) sent to Mixpanel's Import API,
//! `POST /import?strict=1`, a JSON array of `{"event", "properties"}`.
//!
//! Authentication is a service account (`username` and `secret` as Basic auth, with the
//! `project_id`), or the project's API secret alone as the Basic auth user. By default an
//! impression is Mixpanel's experiment exposure, `$experiment_started` with `Experiment name`
//! (the flag) and `Variant name` (the treatment), which its Experiments report reads; any other
//! `event` name carries `flag` and `treatment`. `distinct_id` is the key, `time` the
//! evaluation time in ms, `$insert_id` the row's idempotency key (Mixpanel deduplicates on it).
//!
//! Mixpanel's contract: at most 2,000 events and 10 MB per request (413 above). With
//! `strict=1` a 400 is a partial success: the events in `failed_records` were refused, every
//! other one was imported, so only those rows become dead letters and nothing is resent.

use std::sync::Arc;
use std::time::Duration;

use imprint_store::events_read::StoredEvent;
use imprint_store::impressions::StoredImpression;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::analytics::{endpoint, merged, properties};
use super::delivery::{describe, retry_after, Answer, Batch, Delivery, FailureKind};
use super::destination::{Batching, Destination, SinkContext};

pub const SECRETS: &[&str] = &["secret"];

/// Most events Mixpanel imports in one request…
pub const MAX_EVENTS: usize = 2000;
/// …and the most bytes (uncompressed).
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

const EXPERIMENT_STARTED: &str = "$experiment_started";

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Region {
    #[default]
    Us,
    Eu,
    In,
}

impl Region {
    fn base_url(self) -> &'static str {
        match self {
            Region::Us => "https://api.mixpanel.com",
            Region::Eu => "https://api-eu.mixpanel.com",
            Region::In => "https://api-in.mixpanel.com",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// A service account's user name; without it, `secret` is the project's API secret.
    username: Option<String>,
    secret: String,
    /// Required with a service account.
    project_id: Option<String>,
    #[serde(default)]
    region: Region,
    base_url: Option<String>,
    /// The impression event's name.
    event: Option<String>,
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

pub struct Mixpanel {
    http: reqwest::Client,
    url: url::Url,
    username: String,
    secret: String,
    event: String,
    batching: Batching,
}

pub fn build(config: Value, ctx: &SinkContext) -> Result<Arc<dyn Destination>, String> {
    let config: Config = serde_json::from_value(config).map_err(|e| e.to_string())?;
    if config.secret.trim().is_empty() {
        return Err("`secret` is required".into());
    }
    let (url, username, secret) = import_url(&config)?;
    let event = config
        .event
        .unwrap_or_else(|| EXPERIMENT_STARTED.to_owned());
    if event.trim().is_empty() || event.len() > 255 {
        return Err("`event` must be 1 to 255 bytes".into());
    }
    if !(1..=MAX_EVENTS).contains(&config.max_batch) {
        return Err(format!("`max_batch` must be between 1 and {MAX_EVENTS}"));
    }
    if !(1..=600_000).contains(&config.flush_ms) {
        return Err("`flush_ms` must be between 1 and 600000".into());
    }
    Ok(Arc::new(Mixpanel {
        http: ctx.http.clone(),
        url,
        username,
        secret,
        event,
        batching: Batching {
            max_rows: config.max_batch,
            flush: Duration::from_millis(config.flush_ms),
        },
    }))
}

/// The Import API's URL (strict, with the service account's project) and the Basic auth pair.
fn import_url(config: &Config) -> Result<(url::Url, String, String), String> {
    let base = config
        .base_url
        .as_deref()
        .unwrap_or(config.region.base_url());
    let mut url = endpoint("base_url", base, "/import")?;
    url.query_pairs_mut().append_pair("strict", "1");
    match (&config.username, &config.project_id) {
        (Some(username), Some(project_id)) if !project_id.trim().is_empty() => {
            url.query_pairs_mut().append_pair("project_id", project_id);
            Ok((url, username.clone(), config.secret.clone()))
        }
        (Some(_), _) => Err("a service account (`username`) needs `project_id`".into()),
        (None, Some(_)) => Err("`project_id` goes with a service account's `username`".into()),
        // The project's API secret alone is the user name.
        (None, None) => Ok((url, config.secret.clone(), String::new())),
    }
}

impl Mixpanel {
    fn events(&self, batch: &Batch) -> Vec<Value> {
        let impressions = batch.impressions().iter().enumerate();
        let events = batch.events().iter().enumerate();
        impressions
            .map(|(i, row)| self.impression(batch, i, row))
            .chain(events.map(|(i, row)| event(batch, i, row)))
            .collect()
    }

    fn impression(&self, batch: &Batch, i: usize, row: &StoredImpression) -> Value {
        let mut ours = Map::new();
        if self.event == EXPERIMENT_STARTED {
            ours.insert("Experiment name".into(), json!(row.flag));
            ours.insert("Variant name".into(), json!(row.treatment));
        } else {
            ours.insert("flag".into(), json!(row.flag));
            ours.insert("treatment".into(), json!(row.treatment));
        }
        if let Some(label) = &row.label {
            ours.insert("label".into(), json!(label));
        }
        if let Some(change_number) = row.change_number {
            ours.insert("change_number".into(), json!(change_number));
        }
        let extra = properties(row.properties.as_deref());
        record(batch, i, &self.event, &row.key, row.timestamp, extra, ours)
    }
}

fn event(batch: &Batch, i: usize, row: &StoredEvent) -> Value {
    let mut ours = Map::new();
    if let Some(value) = row.value {
        ours.insert("value".into(), json!(value));
    }
    let extra = properties(row.properties.as_deref());
    record(
        batch,
        i,
        &row.event_type,
        &row.key,
        row.timestamp,
        extra,
        ours,
    )
}

fn record(
    batch: &Batch,
    i: usize,
    event: &str,
    key: &str,
    time: i64,
    extra: Map<String, Value>,
    mut ours: Map<String, Value>,
) -> Value {
    ours.insert("environment".into(), json!(&*batch.environment));
    ours.insert("distinct_id".into(), json!(key));
    ours.insert("time".into(), json!(time));
    ours.insert("$insert_id".into(), json!(batch.row_key(i)));
    json!({ "event": event, "properties": merged(extra, ours) })
}

/// The part of Mixpanel's strict-mode 400 that names the refused events.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    failed_records: Vec<FailedRecord>,
}

#[derive(Debug, Deserialize)]
struct FailedRecord {
    index: usize,
}

fn classify(status: u16, retry_after: Option<Duration>, body: &str, sent: usize) -> Delivery {
    if status != 400 {
        return Delivery::from_status(status, retry_after, body);
    }
    let error: ErrorBody = serde_json::from_str(body).unwrap_or_default();
    let mut rejected: Vec<usize> = error
        .failed_records
        .iter()
        .map(|r| r.index)
        .filter(|&i| i < sent)
        .collect();
    rejected.sort_unstable();
    rejected.dedup();
    let answer = Answer::http(status, body);
    if rejected.is_empty() {
        Delivery::failed(FailureKind::Rejected, answer)
    } else {
        Delivery::PartlyRejected { rejected, answer }
    }
}

#[async_trait::async_trait]
impl Destination for Mixpanel {
    async fn deliver(&self, batch: &Batch) -> Delivery {
        let events = self.events(batch);
        let body = Value::from(events).to_string();
        if batch.len() > MAX_EVENTS || body.len() > MAX_BODY_BYTES {
            return Delivery::failed(
                FailureKind::TooLarge,
                Answer::error(format!(
                    "{} events in {} bytes, over Mixpanel's {MAX_EVENTS} events or \
                     {MAX_BODY_BYTES} bytes per request",
                    batch.len(),
                    body.len()
                )),
            );
        }
        let request = self
            .http
            .post(self.url.clone())
            .basic_auth(&self.username, Some(&self.secret))
            .header("content-type", "application/json")
            .body(body);
        match request.send().await {
            Err(error) => Delivery::unreachable(describe(&error)),
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = retry_after(response.headers());
                let text = response.text().await.unwrap_or_default();
                classify(status, retry_after, &text, batch.len())
            }
        }
    }

    fn batching(&self) -> Batching {
        self.batching
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(config: Value) -> Result<String, String> {
        let config: Config = serde_json::from_value(config).unwrap();
        import_url(&config).map(|(url, _, _)| url.to_string())
    }

    #[test]
    fn requests_are_strict_and_name_the_service_accounts_project() {
        let service =
            json!({ "username": "u", "secret": "s", "project_id": "31337", "region": "eu" });
        assert_eq!(
            url(service).unwrap(),
            "https://api-eu.mixpanel.com/import?strict=1&project_id=31337"
        );
        assert_eq!(
            url(json!({ "secret": "s" })).unwrap(),
            "https://api.mixpanel.com/import?strict=1"
        );
        assert!(url(json!({ "secret": "s", "username": "u" })).is_err());
    }

    #[test]
    fn a_strict_400_names_the_refused_events_and_the_rest_was_imported() {
        let body = r#"{"code":400,"error":"some data points in the request failed validation",
            "status":"Bad Request","num_records_imported":2,
            "failed_records":[{"index":3,"insert_id":"imp-1-4","field":"properties.distinct_id",
            "message":"invalid"},{"index":1},{"index":99}]}"#;
        match classify(400, None, body, 5) {
            Delivery::PartlyRejected { rejected, answer } => {
                assert_eq!(rejected, [1, 3]);
                assert_eq!(answer.status, Some(400));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            classify(400, None, r#"{"error":"bad json"}"#, 5),
            Delivery::Failed {
                kind: FailureKind::Rejected,
                ..
            }
        ));
        assert!(matches!(
            classify(401, None, "", 5),
            Delivery::Failed {
                kind: FailureKind::Misconfigured,
                ..
            }
        ));
        assert!(matches!(
            classify(413, None, "", 5),
            Delivery::Failed {
                kind: FailureKind::TooLarge,
                ..
            }
        ));
    }
}
