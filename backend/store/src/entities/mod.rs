//! SeaORM entities, one file per table. The hot ingestion tables (impressions, events,
//! counters) are written with prepared multi-row SQL in `ingest` instead.

pub mod alert;
pub mod alert_policy;
pub mod api_token;
pub mod audit_entry;
pub mod environment;
pub mod export_job;
pub mod flag;
pub mod metric;
pub mod sdk_key;
pub mod segment;
pub mod segment_key;
pub mod session;
pub mod sink;
pub mod sink_dead_letter;
pub mod tracking_change;
pub mod traffic_type;
pub mod user;
