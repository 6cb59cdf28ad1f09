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
/// A string holds a control character (NUL included) or a bidirectional override.
pub const INVALID_CHARACTER: &str = "invalid_character";
/// An SDK count is negative or larger than `IngestLimits::max_sdk_count`.
pub const INVALID_COUNT: &str = "invalid_count";
/// The environment already has as many observed flags as it may
/// (`max_observed_flags_per_environment`); items of further unknown flags are refused.
pub const TOO_MANY_FLAGS: &str = "too_many_flags";
/// The environment's string dictionary is full (`max_distinct_strings_per_environment`);
/// items bringing yet another new treatment, label, type or SDK string are refused.
pub const TOO_MANY_DISTINCT_STRINGS: &str = "too_many_distinct_strings";
/// An Amplitude event that is not an exposure (`$impression` or `$exposure`).
pub const UNSUPPORTED_EVENT_TYPE: &str = "unsupported_event_type";
/// The item's `environmentId` names another environment than the SDK key's.
pub const WRONG_ENVIRONMENT: &str = "wrong_environment";
/// The database refused this request's rows although they passed validation.
pub const REJECTED_BY_DATABASE: &str = "rejected_by_database";
