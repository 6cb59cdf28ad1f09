//! Sinks: where impressions and events are delivered, and how that is going.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `POST /api/v1/environments/{env}/sinks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateSinkRequest {
    /// `webhook`, `s3`, `amplitude`, `segment`, `file` or `mixpanel`.
    pub kind: String,
    pub name: String,
    /// The kind's settings, secrets included (they are never shown again).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub config: Map<String, Value>,
    /// Export criteria limiting what the sink carries (`from`, `to` and `time_field` excluded).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub filter: Option<Value>,
    /// Deliver `track()` events as well as impressions.
    #[serde(default)]
    pub events: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `PATCH …/sinks/{id}`: each field given replaces the stored one. Secret settings left out
/// of `config` keep their stored value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateSinkRequest {
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub config: Option<Map<String, Value>>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub filter: Option<Value>,
    pub events: Option<bool>,
}

/// A sink and its health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SinkView {
    pub id: i64,
    pub kind: String,
    pub name: String,
    /// The settings without secrets.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub config: Map<String, Value>,
    /// Which secret settings are set (their values are never shown).
    pub secrets_set: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub filter: Value,
    pub events: bool,
    /// `active`, `failing` or `paused`.
    pub status: String,
    /// Why the sink is paused: by a user, or by itself after failing.
    pub paused_reason: Option<String>,
    /// Rows the receiver accepted.
    pub delivered: i64,
    /// Failed delivery attempts.
    pub failed: i64,
    /// Rows set aside as dead letters (and not yet delivered by a retry).
    pub dead_lettered: i64,
    /// Rows stored after the cursor (before the filter; counted up to a million).
    pub lag_rows: i64,
    /// Age of the oldest undelivered row, in seconds.
    pub lag_seconds: Option<f64>,
    pub last_success_at: Option<String>,
    /// The receiver's answer to the last failed attempt.
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    pub failing_since: Option<String>,
    pub created_at: String,
    /// Only in the answer that created the sink: its generated secret (a webhook's signing
    /// key), shown this once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `POST …/sinks/{id}/test`: what the receiver answered to one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SinkTestResult {
    pub ok: bool,
    /// The receiver's HTTP status, when it answered over HTTP.
    pub status: Option<u16>,
    pub answer: String,
}

/// `POST …/sinks/{id}/replay`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Deliver again everything received since this time (ms since the epoch or RFC 3339).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub from: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplayView {
    pub from: String,
    /// Rows (before the filter) the sink will now deliver.
    pub rows_to_deliver: i64,
    /// How many of them it had delivered already, which receivers get a second time (with
    /// the same idempotency keys, so those that deduplicate drop them).
    pub duplicates: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadLetterView {
    pub id: i64,
    /// `impressions` or `events`.
    pub stream: String,
    pub first_id: i64,
    pub last_id: i64,
    pub rows: i64,
    pub attempts: i32,
    /// The receiver's answer to the last attempt.
    pub error: String,
    pub created_at: String,
}

/// `POST …/sinks/{id}/dead-letters/retry`: each dead letter is tried once more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadLetterRetryView {
    pub retried: usize,
    pub delivered: usize,
    pub still_failing: usize,
    /// The receiver's answer to the last failure, if any.
    pub last_error: Option<String>,
}
