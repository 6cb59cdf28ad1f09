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

use base64::Engine as _;
use flate2::write::GzEncoder;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;

use super::delivery::{send, Answer, Batch, Delivery, FailureKind};
use super::destination::{Batching, Destination, SinkContext};
use crate::actors::exports::encode::Encoder;
use crate::actors::exports::spec::{ExportFormat, ExportKind, ExportSpec};

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

/// A new signing secret in Standard Webhooks' spelling: `whsec_` and 32 random bytes.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn secret_key(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    match base64::engine::general_purpose::STANDARD.decode(encoded) {
        Ok(key) if key.len() >= 24 => Ok(key),
        _ => Err("`secret` must be `whsec_` followed by at least 24 bytes in base64".into()),
    }
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
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        let signature = mac.finalize().into_bytes();
        format!(
            "v1,{}",
            base64::engine::general_purpose::STANDARD.encode(signature)
        )
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
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification.
        let webhook = Webhook {
            http: reqwest::Client::new(),
            url: url::Url::parse("http://localhost/").unwrap(),
            format: Format::Split,
            gzip: false,
            max_bytes: 1 << 20,
            batching: Batching {
                max_rows: 1,
                flush: Duration::from_secs(1),
            },
            key: secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
        };
        let signature = webhook.signature(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn new_secrets_are_usable_keys() {
        let secret = new_secret();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(secret_key(&secret).unwrap().len(), 32);
        assert!(secret_key("whsec_short").is_err());
    }

    #[test]
    fn sdk_names_are_split_from_their_version() {
        assert_eq!(
            sdk_parts(Some("nodejs-11.11.2")),
            (Some("nodejs"), Some("11.11.2"))
        );
        assert_eq!(sdk_parts(Some("custom")), (Some("custom"), None));
    }
}
