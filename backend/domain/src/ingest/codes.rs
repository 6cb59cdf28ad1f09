//! The `code` of a [`BodyError`](super::BodyError) or an [`ItemRejection`](super::ItemRejection).
//! Clients match on these, so they never change; messages may.

/// The body, or one NDJSON line, is not JSON or not the expected shape.
pub const INVALID_JSON: &str = "invalid_json";
/// An item is not an object, or a field has the wrong type or is absent.
pub const INVALID_ITEM: &str = "invalid_item";
/// A required string field is empty.
pub const MISSING_FIELD: &str = "missing_field";
/// A key, bucketing key, flag, treatment, label, event type, traffic type or SDK field is
/// longer than `IngestLimits::max_key_bytes`.
pub const TOO_LONG: &str = "too_long";
/// Properties are not a JSON object (for Split impressions: a string that does not hold one).
pub const INVALID_PROPERTIES: &str = "invalid_properties";
/// Serialised properties are longer than `IngestLimits::max_properties_bytes`.
pub const PROPERTIES_TOO_LARGE: &str = "properties_too_large";
/// The timestamp is zero or negative.
pub const INVALID_TIMESTAMP: &str = "invalid_timestamp";
/// The timestamp is further ahead of the server's clock than `IngestLimits::max_future_ms`.
pub const TIMESTAMP_IN_FUTURE: &str = "timestamp_in_future";
/// The timestamp is older than the environment's retention.
pub const EXPIRED: &str = "expired";
