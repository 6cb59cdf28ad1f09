//! What the console's pages read beyond the basic resources: per-flag statistics, the
//! monitoring series, the audit log, and user administration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Role;

/// A flag as the flags list shows it. `GET /api/v1/environments/{env}/flags`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagListItem {
    pub name: String,
    pub tracking_enabled: bool,
    /// False while the flag is only known from impressions (observed).
    pub defined: bool,
    /// `active` or `archived`; `None` for observed flags.
    pub status: Option<String>,
    pub killed: bool,
    pub treatments: Vec<String>,
    pub sets: Vec<String>,
    pub traffic_type: Option<String>,
    pub description: String,
    pub change_number: i64,
    pub updated_at: String,
    /// Impressions stored in the last 24 hours.
    pub impressions_24h: i64,
    /// Evaluations SDKs counted without sending (OPTIMIZED/NONE modes, tracking off) in the
    /// last 24 hours.
    pub counted_by_sdk_24h: i64,
}

/// One hour of a flag's traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HourlyTraffic {
    /// Start of the hour, ms.
    pub hour: i64,
    /// Stored impressions per treatment.
    pub treatments: BTreeMap<String, i64>,
    /// Evaluations counted by SDKs without being sent.
    pub counted_by_sdk: i64,
}

/// A period during which impression tracking was off. `to` is `None` while still off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackingOffPeriod {
    pub from: i64,
    pub to: Option<i64>,
}

/// `GET /api/v1/environments/{env}/flags/{flag}/monitoring?from=&to=` (ms; default: the
/// last 24 hours).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Monitoring {
    pub from: i64,
    pub to: i64,
    /// Every hour of the range, oldest first, zero-filled.
    pub hours: Vec<HourlyTraffic>,
    /// Treatments seen in the range, in the definition's order when defined.
    pub treatments: Vec<String>,
    pub tracking_off: Vec<TrackingOffPeriod>,
    /// Distinct keys per treatment among stored impressions in the range.
    pub unique_keys: BTreeMap<String, i64>,
    /// Stored impressions per label; `null` labels (SDKs with labels disabled) are counted
    /// under "not available".
    pub labels: BTreeMap<String, i64>,
    /// Start of the raw-impression retention window: before it, only hourly counts exist.
    pub raw_data_since: i64,
}

/// `GET /api/v1/audit?action=&actor=&environment=&limit=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub environment: Option<String>,
    pub target: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub old_value: Option<serde_json::Value>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub new_value: Option<serde_json::Value>,
}

/// `PATCH /api/v1/users/{id}` (admins): any of the fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateUserRequest {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// A new password (a reset by an admin); the user's sessions end.
    pub password: Option<String>,
}

/// `POST /api/v1/me/password`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// How many stored rows an export with these criteria holds.
/// `GET /api/v1/environments/{env}/impressions/count` (and `/events/count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExportCount {
    pub count: u64,
}
