//! What every request handler can reach. Built once, before the HTTP workers start.

use std::time::Duration;

use imprint_store::Database;

use crate::actors::alerts::{AlertSettings, Alerts};
use crate::actors::environments::Environments;
use crate::actors::exports::{ExportJobs, JobLimits};
use crate::actors::flags::Flags;
use crate::actors::impact::{Impact, ImpactSettings};
use crate::actors::retention::{Retention, RetentionSettings};
use crate::actors::writer::{Writer, WriterLimits};
use crate::auth::client_address::TrustedProxies;
use crate::auth::password::PasswordWork;
use crate::auth::throttle::{BackoffPolicy, LoginThrottle};
use crate::config::Settings;
use crate::ingest::{Ingest, IngestBounds};
use crate::sinks::destination::SinkContext;
use crate::sinks::runner::DeliverySettings;
use crate::sinks::Sinks;

pub struct AppState {
    pub db: Database,
    pub settings: Settings,
    pub login_throttle: LoginThrottle,
    pub passwords: PasswordWork,
    pub trusted_proxies: TrustedProxies,
    pub live_tails: crate::http::TailSlots,
    pub environments: Environments,
    pub flags: Flags,
    pub ingest: Ingest,
    pub exports: ExportJobs,
    pub retention: Retention,
    pub sinks: Sinks,
    /// The `--demo` traffic simulator; inert otherwise.
    pub demo: crate::demo::DemoTraffic,
    pub impact: Impact,
    pub alerts: Alerts,
}

impl AppState {
    /// Loads the snapshots and starts the actors; must run inside an actix system.
    pub async fn start(db: Database, settings: Settings) -> anyhow::Result<Self> {
        let trusted_proxies = TrustedProxies::parse(&settings.accounts.trusted_proxies)?;
        let environments = Environments::start(db.clone()).await?;
        let flags = Flags::start(db.clone()).await?;
        let writer = Writer::start(
            db.clone(),
            WriterLimits {
                mailbox_capacity: settings.writer_mailbox_capacity,
                max_pending_rows: settings.writer_max_pending_rows,
                dictionary_capacity: settings.writer_dictionary_capacity,
                timeout: Duration::from_secs(settings.writer_timeout_seconds.max(1)),
            },
        );
        let sinks = start_sinks(&db, &settings, &writer).await?;
        let ingest = Ingest::new(
            flags.clone(),
            writer,
            IngestBounds {
                max_flags_per_environment: settings.max_flags_per_environment,
                max_distinct_strings_per_environment: settings.max_distinct_strings_per_environment,
            },
        );
        let retention = Retention::start(
            db.clone(),
            RetentionSettings {
                interval: Duration::from_secs(settings.retention_interval_seconds.max(1)),
                chunk_rows: settings.retention_chunk_rows.max(1),
                pause: Duration::from_millis(5),
                counts_retention_days: settings.counts_retention_days,
            },
            ingest.string_budget(),
        );
        let exports = ExportJobs::start(
            db.clone(),
            JobLimits {
                dir: settings.export_dir.clone(),
                ttl_days: settings.export_ttl_days,
                timeout: Duration::from_secs(settings.accounts.export_job_timeout_seconds),
            },
        )
        .await?;
        let limits = &settings.accounts;
        let backoff = |free_failures| BackoffPolicy {
            free_failures,
            base_delay: Duration::from_secs(limits.login_delay_base_seconds),
            max_delay: Duration::from_secs(limits.login_delay_max_seconds),
        };
        let login_throttle = LoginThrottle::new(
            backoff(limits.login_account_free_failures),
            backoff(limits.login_address_free_failures),
        );
        let passwords = PasswordWork::new(
            limits.login_max_concurrent_hashes,
            Duration::from_millis(limits.login_hash_wait_ms),
        );
        crate::auth::cleanup::start(db.clone(), limits.session_cleanup_interval_seconds);
        let live_tails =
            crate::http::TailSlots::new(limits.live_tails_per_user, limits.live_tails_per_server);
        let impact = Impact::start(
            db.clone(),
            flags.clone(),
            ImpactSettings {
                refresh_interval: Duration::from_secs(settings.impact_refresh_seconds.max(1)),
                ..ImpactSettings::default()
            },
        );
        let alerts = Alerts::start(
            db.clone(),
            flags.clone(),
            AlertSettings {
                interval: Duration::from_secs(settings.alert_interval_seconds.max(1)),
                ..AlertSettings::default()
            },
        )?;
        Ok(AppState {
            db,
            settings,
            login_throttle,
            passwords,
            trusted_proxies,
            live_tails,
            environments,
            flags,
            ingest,
            exports,
            retention,
            sinks,
            demo: crate::demo::DemoTraffic::default(),
            impact,
            alerts,
        })
    }
}

async fn start_sinks(db: &Database, settings: &Settings, writer: &Writer) -> anyhow::Result<Sinks> {
    let s = &settings.sinks;
    let ctx = SinkContext::new(
        Duration::from_secs(s.sink_request_timeout_seconds.max(1)),
        s.sink_file_root.clone(),
    )?;
    let delivery = DeliverySettings {
        retry_base: Duration::from_millis(s.sink_retry_base_ms.max(1)),
        retry_max: Duration::from_millis(s.sink_retry_max_ms.max(1)),
        max_attempts: s.sink_max_attempts.max(1),
        max_age: Duration::from_secs(s.sink_max_age_seconds),
        pause_after: Duration::from_secs(s.sink_pause_after_seconds),
        ..DeliverySettings::default()
    };
    Sinks::start(db.clone(), writer, ctx, delivery).await
}
