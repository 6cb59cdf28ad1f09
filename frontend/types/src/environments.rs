use serde::{Deserialize, Serialize};

/// Server-side keys may do everything an SDK does; client-side (browser) keys may post
/// impressions, events and keys but never read server-side definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SdkKeyKind {
    Server,
    Client,
}

impl SdkKeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SdkKeyKind::Server => "server",
            SdkKeyKind::Client => "client",
        }
    }

    pub fn parse(s: &str) -> Option<SdkKeyKind> {
        match s {
            "server" => Some(SdkKeyKind::Server),
            "client" => Some(SdkKeyKind::Client),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateEnvironmentRequest {
    pub name: String,
    pub retention_days: Option<i32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateEnvironmentRequest {
    pub name: Option<String>,
    pub retention_days: Option<i32>,
    /// Web origins the environment's SDK keys may be used from (`https://shop.example.com`);
    /// an empty list allows any origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
}

/// A key in full: only ever in the answer that created it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSdkKey {
    pub id: i64,
    pub kind: SdkKeyKind,
    pub key: String,
}

/// A key as lists show it: its kind and last characters, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SdkKeySummary {
    pub id: i64,
    pub kind: SdkKeyKind,
    pub hint: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateSdkKeyRequest {
    pub kind: SdkKeyKind,
}

/// The answer to creating an environment: its keys are shown this once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedEnvironment {
    pub id: i64,
    pub name: String,
    pub retention_days: i32,
    pub sdk_keys: Vec<NewSdkKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvironmentView {
    pub id: i64,
    pub name: String,
    pub retention_days: i32,
    /// Web origins the SDK keys may be used from; empty means any.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    pub created_at: String,
    pub sdk_keys: Vec<SdkKeySummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagSummary {
    pub name: String,
    pub tracking_enabled: bool,
    /// False while the flag is only known from impressions (observed).
    pub defined: bool,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetTrackingRequest {
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageView {
    pub month: String,
    pub unique_keys_this_month: i64,
    pub impressions_stored: i64,
    pub impressions_dropped_tracking_off: i64,
    pub impressions_counted_by_sdk: i64,
    pub events_stored: i64,
    /// The month's impression volume, measured and estimated (absent from older servers).
    #[serde(default)]
    pub volume: VolumeEstimate,
}

/// Amplitude's impressions estimate, M × E × P, from this month's measurements, beside the
/// impressions actually stored this month and their linear projection to the month's end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolumeEstimate {
    /// M: distinct keys seen this month (MTK).
    pub monthly_keys: i64,
    /// E: flags with stored impressions this month.
    pub active_flags: i64,
    /// P: stored impressions per (key, flag) pair that occurred this month.
    pub impressions_per_key_per_flag: f64,
    /// M × E × P: an upper bound, as if every key met every active flag.
    pub estimate: f64,
    /// Impressions stored this month so far.
    pub actual: i64,
    /// `actual` divided by the elapsed fraction of the month: linear, as if the rest of the
    /// month ran at the average rate so far.
    pub projected: i64,
    /// How much of the month has passed, 0 to 1.
    pub month_elapsed: f64,
}

/// The answer to an ingestion post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IngestReport {
    pub accepted: usize,
    pub dropped_tracking_off: usize,
    /// The first refused items (`IMPRINT_MAX_LISTED_REJECTIONS`, 100 by default).
    pub rejected: Vec<RejectedItem>,
    /// Every refused item, listed or not, counted by code.
    #[serde(default)]
    pub rejected_counts: std::collections::BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectedItem {
    pub index: usize,
    pub code: String,
    pub message: String,
}

/// One retention purge, as `POST …/retention/run` and `GET …/retention` report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionRunView {
    /// `schedule` or `manual`.
    pub reason: String,
    pub triggered_by: Option<String>,
    /// Data received before this time (RFC 3339) was deleted.
    pub cutoff: String,
    pub started_at: String,
    pub finished_at: String,
    pub impressions_deleted: i64,
    pub events_deleted: i64,
    pub counts_deleted: i64,
    /// Unused dictionary strings (treatments, labels, SDK and machine names) deleted. They
    /// are shared by every environment: each environment's run of one pass shows the same
    /// number.
    pub strings_deleted: i64,
}

/// `GET /api/v1/environments/{env}/retention`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionView {
    pub retention_days: i32,
    /// Hourly counts (the monitoring chart) are kept this long.
    pub counts_retention_days: i64,
    pub last_run: Option<RetentionRunView>,
}
