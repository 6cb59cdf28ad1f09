//! What every request handler can reach. Built once, before the HTTP workers start.

use std::time::Duration;

use imprint_store::Database;

use crate::actors::environments::Environments;
use crate::actors::exports::ExportJobs;
use crate::actors::flags::Flags;
use crate::actors::retention::{Retention, RetentionSettings};
use crate::actors::writer::{Writer, WriterLimits};
use crate::auth::throttle::LoginThrottle;
use crate::config::Settings;
use crate::ingest::{Ingest, IngestBounds};

pub struct AppState {
    pub db: Database,
    pub settings: Settings,
    pub login_throttle: LoginThrottle,
    pub environments: Environments,
    pub flags: Flags,
    pub ingest: Ingest,
    pub exports: ExportJobs,
    pub retention: Retention,
}

impl AppState {
    /// Loads the snapshots and starts the actors; must run inside an actix system.
    pub async fn start(db: Database, settings: Settings) -> anyhow::Result<Self> {
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
        );
        let exports = ExportJobs::start(
            db.clone(),
            settings.export_dir.clone(),
            settings.export_ttl_days,
        )
        .await?;
        let login_throttle = LoginThrottle::new(
            settings.login_failures_before_lockout,
            Duration::from_secs(settings.login_lockout_seconds),
        );
        Ok(AppState {
            db,
            settings,
            login_throttle,
            environments,
            flags,
            ingest,
            exports,
            retention,
        })
    }
}
