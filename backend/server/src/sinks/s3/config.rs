//! An S3 sink's settings: where objects go, in which format, and how big they may grow.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::client::{HttpClient, HttpConnector};
use object_store::path::Path;
use object_store::{BackoffConfig, ClientOptions, RetryConfig};
use serde::{Deserialize, Serialize};

/// The settings a sink stores for itself; the secrets arrive merged into the same object.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub bucket: String,
    #[serde(default = "default_region")]
    pub region: String,
    /// An S3-compatible server's base URL; AWS itself when absent.
    pub endpoint: Option<String>,
    #[serde(default)]
    pub prefix: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// For temporary credentials.
    pub session_token: Option<String>,
    #[serde(default)]
    pub format: Format,
    #[serde(default = "default_max_rows")]
    pub max_rows: usize,
    #[serde(default = "default_max_bytes")]
    pub max_bytes: usize,
    #[serde(default = "default_flush_ms")]
    pub flush_ms: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// zstd-compressed Parquet with the export's typed columns.
    #[default]
    Parquet,
    /// Gzipped NDJSON with the export's fields.
    Ndjson,
}

fn default_region() -> String {
    "us-east-1".into()
}

fn default_max_rows() -> usize {
    100_000
}

/// Objects are built in memory, so this also bounds what one delivery holds.
fn default_max_bytes() -> usize {
    256 << 20
}

fn default_flush_ms() -> u64 {
    60_000
}

pub const MAX_ROWS: usize = 1_000_000;
/// An hour: objects are laid out by hour, and a longer wait would only delay them.
const MAX_FLUSH_MS: u64 = 3_600_000;
const MAX_BYTES: usize = 1 << 30;

impl Config {
    pub fn parse(value: serde_json::Value) -> Result<Config, String> {
        let config: Config = serde_json::from_value(value).map_err(|e| e.to_string())?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        if self.bucket.trim().is_empty() {
            return Err("`bucket` must not be empty".into());
        }
        if self.region.trim().is_empty() {
            return Err("`region` must not be empty".into());
        }
        if self.access_key_id.is_empty() || self.secret_access_key.is_empty() {
            return Err("`access_key_id` and `secret_access_key` must not be empty".into());
        }
        if !(1..=MAX_ROWS).contains(&self.max_rows) {
            return Err(format!("`max_rows` must be between 1 and {MAX_ROWS}"));
        }
        if !(1..=MAX_FLUSH_MS).contains(&self.flush_ms) {
            return Err(format!("`flush_ms` must be between 1 and {MAX_FLUSH_MS}"));
        }
        if !(1024..=MAX_BYTES).contains(&self.max_bytes) {
            return Err(format!("`max_bytes` must be between 1024 and {MAX_BYTES}"));
        }
        self.prefix_path()?;
        self.endpoint_url()?;
        Ok(())
    }

    /// The prefix as path segments; `logs/imprint` and `logs/imprint/` mean the same folder.
    pub fn prefix_path(&self) -> Result<Path, String> {
        Path::parse(&self.prefix).map_err(|e| format!("`prefix`: {e}"))
    }

    fn endpoint_url(&self) -> Result<Option<url::Url>, String> {
        let Some(endpoint) = &self.endpoint else {
            return Ok(None);
        };
        let url = url::Url::parse(endpoint).map_err(|e| format!("`endpoint`: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("`endpoint` must be an http or https URL".into());
        }
        Ok(Some(url))
    }

    pub fn batching_flush(&self) -> Duration {
        Duration::from_millis(self.flush_ms)
    }

    /// The client for this bucket. It sends through the sinks' shared HTTP client (its pool
    /// and request timeout), and retries a failed request only briefly: the sink's own
    /// backoff, dead letters and pause decide what happens after that.
    pub fn store(&self, http: &reqwest::Client) -> Result<Arc<AmazonS3>, String> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&self.bucket)
            .with_region(&self.region)
            .with_access_key_id(&self.access_key_id)
            .with_secret_access_key(&self.secret_access_key)
            .with_http_connector(SharedClient(http.clone()))
            .with_client_options(ClientOptions::new())
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(100),
                    max_backoff: Duration::from_secs(2),
                    base: 2.0,
                },
                max_retries: 2,
                retry_timeout: Duration::from_secs(30),
            });
        if let Some(token) = &self.session_token {
            builder = builder.with_token(token);
        }
        if let Some(url) = self.endpoint_url()? {
            // S3-compatible servers rarely resolve bucket subdomains: address buckets in the path.
            builder = builder
                .with_endpoint(url.as_str().trim_end_matches('/'))
                .with_allow_http(url.scheme() == "http")
                .with_virtual_hosted_style_request(false);
        }
        builder.build().map(Arc::new).map_err(|e| e.to_string())
    }
}

/// Hands object_store the sinks' reqwest client instead of letting it build one per sink.
#[derive(Debug)]
struct SharedClient(reqwest::Client);

impl HttpConnector for SharedClient {
    fn connect(&self, _options: &ClientOptions) -> object_store::Result<HttpClient> {
        Ok(HttpClient::new(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(extra: serde_json::Value) -> Result<Config, String> {
        let mut value = json!({ "bucket": "b", "access_key_id": "k", "secret_access_key": "s" });
        if let (Some(value), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
            value.extend(extra.clone());
        }
        Config::parse(value)
    }

    #[test]
    fn defaults_are_parquet_hourly_folders_and_a_minute_of_rows() {
        let config = parse(json!({})).unwrap();
        assert_eq!(config.format, Format::Parquet);
        assert_eq!(config.region, "us-east-1");
        assert_eq!(config.max_rows, 100_000);
        assert_eq!(config.flush_ms, 60_000);
        assert_eq!(config.prefix_path().unwrap(), Path::default());
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        for (extra, words) in [
            (json!({ "max_rows": 0 }), "max_rows"),
            (json!({ "max_rows": 1_000_001 }), "max_rows"),
            (json!({ "flush_ms": 0 }), "flush_ms"),
            (json!({ "max_bytes": 10 }), "max_bytes"),
            (json!({ "endpoint": "ftp://x" }), "endpoint"),
            (json!({ "endpoint": "not a url" }), "endpoint"),
            (json!({ "prefix": "a//b" }), "prefix"),
            (json!({ "bucket": "" }), "bucket"),
            (json!({ "format": "csv" }), "unknown variant"),
            (json!({ "colour": "red" }), "unknown field"),
        ] {
            let error = parse(extra.clone()).unwrap_err();
            assert!(error.contains(words), "{extra}: {error}");
        }
    }
}
