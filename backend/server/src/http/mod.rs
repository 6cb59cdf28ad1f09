//! The HTTP edge: one route table, one small module per resource.

mod alerts;
mod audit;
mod beacon;
mod body;
pub mod cors;
mod definitions;
mod demo;
mod environments;
pub mod error;
mod evaluate;
mod event_types;
mod export;
mod exports_jobs;
mod exposures;
mod extract_errors;
mod flags;
mod health;
mod impact;
mod import;
mod live;
mod metrics;
mod monitoring;
mod native_ingest;
mod ofrep;
mod openapi;
mod precondition;
mod retention;
mod routes;
mod sdk_auth;
mod sdk_feed;
mod security_headers;
mod segments;
mod sessions;
mod sinks;
mod split_ingest;
mod tokens;
mod usage;
mod users;

pub use error::{ApiError, ApiResult};
pub use live::TailSlots;
pub use routes::configure;
pub use security_headers::security_headers;

/// An RFC 3339 timestamp (UTC, milliseconds) for a stored milliseconds value.
pub fn iso_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}
