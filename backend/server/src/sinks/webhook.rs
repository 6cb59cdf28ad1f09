//! The webhook sink: batches POSTed as JSON, either in the body Split's impressions webhook
//! sends (so its consumers move over unchanged) or as the export's NDJSON, optionally gzipped,
//! signed as Standard Webhooks.
//!
//! The signature covers the uncompressed body: `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the secret shown once at creation.
//! `webhook-id` is the batch's key, the same on every retry, so a receiver can drop repeats.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::delivery::{send, Answer, Batch, Delivery, FailureKind};
use super::destination::{Batching, Destination, SinkContext};
use crate::actors::exports::encode::Encoder;
use crate::actors::exports::spec::{ExportFormat, ExportKind, ExportSpec};
pub use crate::standard_webhooks::new_secret;
use crate::standard_webhooks::{self, secret_key};

pub const SECRETS: &[&str] = &["secret"];

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Split's impressions-webhook body: a JSON array of objects.
    #[default]
    Split,
    /// One JSON object per line with the export's fields.
    Ndjson,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    url: String,
    #[serde(default)]
    format: Format,
    #[serde(default)]
    gzip: bool,
    #[serde(default = "default_max_batch")]
    max_batch: usize,
    #[serde(default = "default_max_bytes")]
    max_bytes: usize,
    #[serde(default = "default_flush_ms")]
    flush_ms: u64,
    secret: String,
}

fn default_max_batch() -> usize {
    1000
}

fn default_max_bytes() -> usize {
    5 << 20
}

fn default_flush_ms() -> u64 {
    1000
}

pub struct Webhook {
    http: reqwest::Client,
    url: url::Url,
    format: Format,
    gzip: bool,
    max_bytes: usize,
    batching: Batching,
    key: Vec<u8>,
}

pub fn build(config: Value, ctx: &SinkContext) -> Result<Arc<dyn Destination>, String> {
    let config: Config = serde_json::from_value(config).map_err(|e| e.to_string())?;
    let url = url::Url::parse(&config.url).map_err(|e| format!("`url`: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("`url` must be an http or https URL".into());
    }
    if !(1..=10_000).contains(&config.max_batch) {
        return Err("`max_batch` must be between 1 and 10000".into());
    }
    if !(1..=600_000).contains(&config.flush_ms) {
        return Err("`flush_ms` must be between 1 and 600000".into());
    }
    if config.max_bytes < 1024 {
        return Err("`max_bytes` must be at least 1024".into());
    }
    Ok(Arc::new(Webhook {
        http: ctx.http.clone(),
        url,
        format: config.format,
        gzip: config.gzip,
        max_bytes: config.max_bytes,
        batching: Batching {
            max_rows: config.max_batch,
            flush: Duration::from_millis(config.flush_ms),
        },
        key: secret_key(&config.secret)?,
    }))
}

impl Webhook {
    fn body(&self, batch: &Batch) -> anyhow::Result<Vec<u8>> {
        match self.format {
            Format::Split => Ok(serde_json::to_vec(&split_body(batch))?),
            Format::Ndjson => {
                let spec = ExportSpec {
                    kind: match batch.stream() {
                        imprint_store::sinks::Stream::Impressions => ExportKind::Impressions,
                        imprint_store::sinks::Stream::Events => ExportKind::Events,
                    },
                    format: ExportFormat::Ndjson,
                    ..ExportSpec::default()
                };
                let mut out = Vec::new();
                let mut encoder = Encoder::new(&spec)?;
                encoder.write_page(&batch.rows, &mut out)?;
                encoder.finish(&mut out)?;
                Ok(out)
            }
        }
    }

    fn signature(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        standard_webhooks::signature(&self.key, id, timestamp, body)
    }
}

#[async_trait::async_trait]
impl Destination for Webhook {
    async fn deliver(&self, batch: &Batch) -> Delivery {
        let body = match self.body(batch) {
            Ok(body) => body,
            Err(error) => return Delivery::failed(FailureKind::Rejected, Answer::error(error)),
        };
        if body.len() > self.max_bytes {
            return Delivery::failed(
                FailureKind::TooLarge,
                Answer::error(format!(
                    "the body would be {} bytes, over max_bytes {}",
                    body.len(),
                    self.max_bytes
                )),
            );
        }
        let id = batch.key();
        let timestamp = chrono::Utc::now().timestamp();
        let signature = self.signature(&id, timestamp, &body);
        let content_type = match self.format {
            Format::Split => "application/json",
            Format::Ndjson => "application/x-ndjson",
        };
        let mut request = self
            .http
            .post(self.url.clone())
            .header("content-type", content_type)
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature);
        request = if self.gzip {
            let mut gzip = GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let compressed = gzip.write_all(&body).and_then(|()| gzip.finish());
            match compressed {
                Ok(compressed) => request.header("content-encoding", "gzip").body(compressed),
                Err(error) => return Delivery::unreachable(error),
            }
        } else {
            request.body(body)
        };
        send(request).await
    }

    fn batching(&self) -> Batching {
        self.batching
    }
}

/// Split's SDK field is `language-version` (`nodejs-11.11.2`); its webhook sends them apart.
fn sdk_parts(sdk: Option<&str>) -> (Option<&str>, Option<&str>) {
    match sdk {
        Some(sdk) => match sdk.rsplit_once('-') {
            Some((name, version)) => (Some(name), Some(version)),
            None => (Some(sdk), None),
        },
        None => (None, None),
    }
}

/// The body of Split's impressions webhook (and, for events, the same spelling of Split's
/// event fields).
fn split_body(batch: &Batch) -> Value {
    let environment_id = batch.environment_id.to_string();
    let environment = &*batch.environment;
    let rows: Vec<Value> = match batch.stream() {
        imprint_store::sinks::Stream::Impressions => batch
            .impressions()
            .iter()
            .map(|i| {
                let (sdk, sdk_version) = sdk_parts(i.sdk.as_deref());
                json!({
                    "key": i.key,
                    "split": i.flag,
                    "environmentId": environment_id,
                    "environmentName": environment,
                    "treatment": i.treatment,
                    "time": i.timestamp,
                    "bucketingKey": i.bucketing_key,
                    "label": i.label,
                    "machineName": i.machine_name,
                    "machineIp": i.machine_ip,
                    "splitVersionNumber": i.change_number,
                    "sdk": sdk,
                    "sdkVersion": sdk_version,
                    "properties": i.properties,
                })
            })
            .collect(),
        imprint_store::sinks::Stream::Events => batch
            .events()
            .iter()
            .map(|e| {
                let (sdk, sdk_version) = sdk_parts(e.sdk.as_deref());
                json!({
                    "eventTypeId": e.event_type,
                    "key": e.key,
                    "trafficTypeName": e.traffic_type,
                    "value": e.value,
                    "timestamp": e.timestamp,
                    "environmentId": environment_id,
                    "environmentName": environment,
                    "machineName": e.machine_name,
                    "machineIp": e.machine_ip,
                    "sdk": sdk,
                    "sdkVersion": sdk_version,
                    "properties": e.properties,
                })
            })
            .collect(),
    };
    Value::Array(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_names_are_split_from_their_version() {
        assert_eq!(
            sdk_parts(Some("nodejs-11.11.2")),
            (Some("nodejs"), Some("11.11.2"))
        );
        assert_eq!(sdk_parts(Some("custom")), (Some("custom"), None));
    }
}
