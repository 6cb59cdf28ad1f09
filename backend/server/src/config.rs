//! Typed, layered settings: defaults, then an optional TOML file, then `IMPRINT_*` variables.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// `sqlite://path` (the default, a file under ./data) or `postgres://…`.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port (tests do).
    pub bind: String,
    /// When no user exists yet, this admin is created at start.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// Folder holding `pkg/` (the console's wasm and JS). Found next to the binary when unset.
    pub site_root: Option<PathBuf>,
    /// How long a console session lasts without signing in again.
    pub session_hours: i64,
    /// Set the Secure flag on cookies (turn on behind HTTPS).
    pub secure_cookies: bool,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Ingestion requests that may queue for the writer before clients are told to retry.
    pub writer_mailbox_capacity: usize,
    /// Rows that may wait for the next transaction before clients are told to retry.
    pub writer_max_pending_rows: usize,
    /// Folder of export job files.
    pub export_dir: PathBuf,
    /// Days an export job's file stays downloadable; then it is deleted.
    pub export_ttl_days: u32,
    /// How often retention purges run, in seconds.
    pub retention_interval_seconds: u64,
    /// Rows deleted per statement by a purge.
    pub retention_chunk_rows: u64,
    /// Hourly counts (the monitoring chart) are kept this many days, past raw retention.
    pub counts_retention_days: i64,
    /// Metric impacts are cached this long and, while people look at them, recomputed this
    /// often, in seconds.
    pub impact_refresh_seconds: u64,
    /// Every enabled alert policy is evaluated this often, in seconds.
    pub alert_interval_seconds: u64,
    // Bounds of ingestion and evaluation: past each, the caller gets a 4xx (or a per-item
    // rejection) naming it.
    /// Longest key, bucketing key, flag, treatment, label, event or traffic type, in bytes.
    pub max_key_bytes: usize,
    /// Longest accepted SDK metadata header (`SplitSDKVersion`, machine IP and name,
    /// impressions mode), in bytes.
    pub max_sdk_header_bytes: usize,
    /// Most flags one `/api/v1/evaluate` request may name (repeats count once).
    pub max_evaluate_flags: usize,
    /// Largest `rc` of one `/api/testImpressions/count` entry.
    pub max_sdk_count: i64,
    /// Refused items listed one by one in an ingestion answer; the rest are only counted.
    pub max_listed_rejections: usize,
    /// Flags an environment may have, observed (first seen in SDK posts) or defined.
    pub max_flags_per_environment: usize,
    /// Distinct treatments, labels, types and SDK strings an environment may bring to the
    /// string dictionary while the server runs.
    pub max_distinct_strings_per_environment: usize,
    /// Dictionary entries (string → id) the writer keeps in memory; past them it forgets
    /// them all and looks the hot ones up again.
    pub writer_dictionary_capacity: usize,
    /// How long an ingestion request waits for its commit before answering 503.
    pub writer_timeout_seconds: u64,
    #[serde(flatten)]
    pub accounts: AccountLimits,
    #[serde(flatten)]
    pub sinks: SinkSettings,
    #[serde(flatten)]
    pub demo: crate::demo::DemoSettings,
}

/// How sinks deliver: their retries, when they give up on a batch and when they pause.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct SinkSettings {
    /// The first retry of a failed delivery waits about this long; each next one twice as long.
    pub sink_retry_base_ms: u64,
    /// The longest wait between two attempts (a receiver's `Retry-After` may ask for more).
    pub sink_retry_max_ms: u64,
    /// Failed attempts after which a batch becomes a dead letter…
    pub sink_max_attempts: u32,
    /// …or how long it may keep failing, whichever comes first.
    pub sink_max_age_seconds: u64,
    /// A sink failing this long without a single success pauses itself.
    pub sink_pause_after_seconds: u64,
    /// How long one request to a receiver may take.
    pub sink_request_timeout_seconds: u64,
    /// File sinks write below this folder only.
    pub sink_file_root: PathBuf,
}

impl Default for SinkSettings {
    fn default() -> Self {
        SinkSettings {
            sink_retry_base_ms: 1_000,
            sink_retry_max_ms: 300_000,
            sink_max_attempts: 20,
            sink_max_age_seconds: 3600,
            sink_pause_after_seconds: 24 * 3600,
            sink_request_timeout_seconds: 30,
            sink_file_root: PathBuf::from("data/sinks"),
        }
    }
}

/// Sign-in, session, token, export and live-tail bounds of console and API users.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountLimits {
    /// Password hashes (argon2, 19 MiB each) computed at once, server-wide.
    pub login_max_concurrent_hashes: usize,
    /// How long a sign-in waits for a hashing slot before it is told to retry (429).
    pub login_hash_wait_ms: u64,
    /// Failed sign-ins of one account (from any address) before each try must wait.
    pub login_account_free_failures: u32,
    /// Failed sign-ins from one address (for any account) before each try must wait.
    pub login_address_free_failures: u32,
    /// The first wait; it doubles with every further failure.
    pub login_delay_base_seconds: u64,
    /// The longest wait between two tries.
    pub login_delay_max_seconds: u64,
    /// Comma-separated addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For`
    /// is believed; from anyone else the header is ignored.
    pub trusted_proxies: String,
    /// A session unused this long ends, even before its lifetime is over.
    pub session_idle_minutes: i64,
    /// How often expired sessions and tokens are deleted.
    pub session_cleanup_interval_seconds: u64,
    /// Longest lifetime a personal API token may be given, in days.
    pub token_max_days: i64,
    /// Export jobs one user may have queued or running at once.
    pub export_jobs_per_user: usize,
    /// An export job running longer than this fails (0: every job fails at once).
    pub export_job_timeout_seconds: u64,
    /// A streamed export or live tail whose reader stops reading this long is ended.
    pub stream_stall_timeout_seconds: u64,
    /// Live tails one user may have open at once.
    pub live_tails_per_user: usize,
    /// Live tails open at once, server-wide.
    pub live_tails_per_server: usize,
}

impl Default for AccountLimits {
    fn default() -> Self {
        AccountLimits {
            login_max_concurrent_hashes: 4,
            login_hash_wait_ms: 2_000,
            login_account_free_failures: 5,
            login_address_free_failures: 20,
            login_delay_base_seconds: 1,
            login_delay_max_seconds: 300,
            trusted_proxies: String::new(),
            session_idle_minutes: 8 * 60,
            session_cleanup_interval_seconds: 3600,
            token_max_days: 3660,
            export_jobs_per_user: 3,
            export_job_timeout_seconds: 3600,
            stream_stall_timeout_seconds: 60,
            live_tails_per_user: 5,
            live_tails_per_server: 200,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://data/imprint.db".into(),
            bind: "127.0.0.1:8080".into(),
            admin_email: None,
            admin_password: None,
            site_root: None,
            session_hours: 24 * 7,
            secure_cookies: false,
            max_body_bytes: 5 * 1024 * 1024,
            writer_mailbox_capacity: 4096,
            writer_max_pending_rows: 500_000,
            export_dir: PathBuf::from("data/exports"),
            export_ttl_days: 7,
            retention_interval_seconds: 3600,
            retention_chunk_rows: 5_000,
            counts_retention_days: 397,
            impact_refresh_seconds: 60,
            alert_interval_seconds: 60,
            max_key_bytes: 250,
            max_sdk_header_bytes: 250,
            max_evaluate_flags: 500,
            max_sdk_count: 1_000_000_000,
            max_listed_rejections: 100,
            max_flags_per_environment: 10_000,
            max_distinct_strings_per_environment: 100_000,
            writer_dictionary_capacity: 200_000,
            writer_timeout_seconds: 30,
            accounts: AccountLimits::default(),
            sinks: SinkSettings::default(),
            demo: crate::demo::DemoSettings::default(),
        }
    }
}

impl Settings {
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            anyhow::ensure!(
                file.exists(),
                "settings file {} does not exist",
                file.display()
            );
            figment = figment.merge(Toml::file(file));
        }
        figment
            .merge(Env::prefixed("IMPRINT_").ignore(&["config"]))
            .extract()
            .context("reading settings")
    }

    /// Where the console's static files are: the configured folder, or `site/` beside the
    /// binary's build folder (target/site for target/release/imprint), or ./site.
    pub fn resolved_site_root(&self) -> PathBuf {
        if let Some(root) = &self.site_root {
            return root.clone();
        }
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent()?.parent().map(|dir| dir.join("site")))
            .filter(|dir| dir.join("pkg").exists())
            .unwrap_or_else(|| PathBuf::from("site"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_use_sqlite_under_data_and_port_8080() {
        let settings = Settings::default();
        assert_eq!(settings.bind, "127.0.0.1:8080");
        assert!(settings.database_url.starts_with("sqlite://data/"));
        assert_eq!(settings.max_body_bytes, 5 * 1024 * 1024);
    }
}
