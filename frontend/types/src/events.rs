//! The Events page: the `track()` event types an environment has seen.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/environments/{env}/event-types?from=&to=`: times are ms since the epoch; the
/// window is widened to whole buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventTypesView {
    pub from: i64,
    pub to: i64,
    /// Width of each volume bucket: an hour for windows up to three days, else a day.
    pub bucket_ms: i64,
    /// Busiest first.
    pub event_types: Vec<EventTypeView>,
    /// True when more types were seen than the answer lists.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventTypeView {
    pub event_type: String,
    pub events: u64,
    pub distinct_keys: u64,
    pub first_seen: i64,
    pub last_seen: i64,
    /// Events per bucket, the first starting at `from`.
    pub volume: Vec<u64>,
    /// Property names seen in the most recent `sampled_rows` events that had properties.
    pub properties: Vec<EventPropertyView>,
    pub sampled_rows: u64,
}

/// A property name and the JSON kinds its values had in the sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPropertyView {
    pub name: String,
    /// `string`, `number`, `boolean`, `null`, `object` or `array`, sorted.
    pub kinds: Vec<String>,
    /// Sampled events that carried it.
    pub seen_in: u64,
}
