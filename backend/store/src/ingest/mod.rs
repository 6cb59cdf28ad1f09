//! The ingestion write path: one transaction per group of requests (group commit), with
//! dictionary-encoded strings. `IngestStore` writes on each backend its fastest way.

mod dictionary;
mod merge;
mod postgres;
mod sqlite;
mod store;

pub use merge::Part;
/// The writer's default bound on string ids kept in memory.
pub const DEFAULT_DICTIONARY_CAPACITY: usize = dictionary::Dictionary::DEFAULT_CAPACITY;
pub use store::{FailureKind, IngestStore, StoreError, WriteFailure};

use imprint_domain::ingest::{Event, Impression};

/// An impression ready to store: its environment and flag resolved, its reception time set.
#[derive(Debug, Clone)]
pub struct ImpressionRecord {
    pub environment_id: i64,
    pub flag_id: i64,
    pub received_at: i64,
    pub impression: Impression,
    /// The SDK's `SplitSDKImpressionsMode` (`OPTIMIZED`, `DEBUG`, `NONE`), shared by a request.
    pub impressions_mode: Option<std::sync::Arc<str>>,
}

#[derive(Debug, Clone)]
pub struct EventRecord {
    pub environment_id: i64,
    pub received_at: i64,
    pub event: Event,
}

/// Added to the hourly count of a flag's treatment. `treatment: None` counts evaluations an
/// SDK counted without sending them (`/testImpressions/count`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountDelta {
    pub environment_id: i64,
    pub flag_id: i64,
    pub hour: i64,
    pub treatment: Option<String>,
    pub count: i64,
}

/// Added to an environment's hourly usage counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageDelta {
    pub environment_id: i64,
    pub hour: i64,
    pub impressions_stored: i64,
    pub impressions_dropped_tracking_off: i64,
    pub impressions_counted_by_sdk: i64,
    pub events_stored: i64,
}

/// A key seen in an environment in a month (yyyymm): counts toward MTK.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UniqueKey {
    pub environment_id: i64,
    pub month: i32,
    pub key: String,
}

/// An SDK's telemetry post, kept as raw JSON.
#[derive(Debug, Clone)]
pub struct TelemetryRecord {
    pub environment_id: i64,
    pub kind: String,
    pub sdk: Option<String>,
    pub received_at: i64,
    pub body: String,
}

/// Everything one transaction writes.
#[derive(Debug, Clone, Default)]
pub struct WriteBatch {
    pub impressions: Vec<ImpressionRecord>,
    pub events: Vec<EventRecord>,
    pub counts: Vec<CountDelta>,
    pub usage: Vec<UsageDelta>,
    pub unique_keys: Vec<UniqueKey>,
    pub telemetry: Vec<TelemetryRecord>,
}

impl WriteBatch {
    pub fn is_empty(&self) -> bool {
        self.impressions.is_empty()
            && self.events.is_empty()
            && self.counts.is_empty()
            && self.usage.is_empty()
            && self.unique_keys.is_empty()
            && self.telemetry.is_empty()
    }

    /// Rows this batch will write, a measure of its cost for backpressure.
    pub fn rows(&self) -> usize {
        self.impressions.len()
            + self.events.len()
            + self.counts.len()
            + self.usage.len()
            + self.unique_keys.len()
            + self.telemetry.len()
    }
}

/// Start of the UTC hour of a ms timestamp.
pub fn hour_of(ms: i64) -> i64 {
    ms - ms.rem_euclid(3_600_000)
}

/// The UTC month of a ms timestamp as yyyymm.
pub fn month_of(ms: i64) -> i32 {
    use chrono::Datelike;
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.year() * 100 + t.month() as i32)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_months_are_utc() {
        // 2026-11-21T10:30:51.564Z
        let ms = 1_795_257_051_564;
        assert_eq!(hour_of(ms), 1_795_255_200_000);
        assert_eq!(month_of(ms), 202611);
    }
}
