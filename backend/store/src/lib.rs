//! Persistence for Imprint. The services use these functions directly with SeaORM's pool:
//! the database is not an actor.

pub mod alerts;
pub mod audit;
pub mod connect;
pub mod definitions;
pub mod entities;
pub mod environments;
pub mod event_types;
pub mod events_read;
pub mod export_jobs;
pub mod flags;
pub mod impact;
pub mod impressions;
pub mod ingest;
pub mod metrics;
pub mod monitoring;
pub mod provision;
pub mod retention;
pub mod sessions;
pub mod sinks;
pub mod tokens;
pub mod transient;
pub mod unused_strings;
pub mod usage;
pub mod users;

pub use connect::{connect, Backend, Database};
pub use sea_orm::DbErr;

/// Milliseconds since the Unix epoch, the unit of every stored timestamp.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
