//! Schema migrations. Each file is self-contained, with its own identifiers, and never imports
//! the live entities: a migration must keep meaning what it meant when it was written.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_users;
mod m20261124_000002_create_ingestion;
mod m20261124_000003_create_definitions;
mod m20261124_000004_create_retention_runs;
mod m20261124_000005_create_export_jobs;
mod m20261201_000006_environment_allowed_origins;
mod m20261201_000010_session_idle_token_expiry;
mod m20261201_125500_index_telemetry_by_reception;
mod m20261201_140500_add_impressions_mode;
mod m20261202_000001_create_sinks;
mod m20261202_000002_strings_purge;
mod m20261203_000001_create_metrics;
mod m20261203_000010_index_events_by_type;
mod m20261204_000001_create_alerts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_users::Migration),
            Box::new(m20261124_000002_create_ingestion::Migration),
            Box::new(m20261124_000003_create_definitions::Migration),
            Box::new(m20261124_000004_create_retention_runs::Migration),
            Box::new(m20261124_000005_create_export_jobs::Migration),
            Box::new(m20261201_000006_environment_allowed_origins::Migration),
            Box::new(m20261201_125500_index_telemetry_by_reception::Migration),
            Box::new(m20261201_140500_add_impressions_mode::Migration),
            Box::new(m20261201_000010_session_idle_token_expiry::Migration),
            Box::new(m20261202_000001_create_sinks::Migration),
            Box::new(m20261202_000002_strings_purge::Migration),
            Box::new(m20261203_000001_create_metrics::Migration),
            Box::new(m20261203_000010_index_events_by_type::Migration),
            Box::new(m20261204_000001_create_alerts::Migration),
        ]
    }
}
