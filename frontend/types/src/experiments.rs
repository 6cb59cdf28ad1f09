//! Experiments: metrics computed from `track()` events, their impact per treatment of a flag,
//! and the alert policies that watch that impact.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How a metric turns one user's events into one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Events per user; exposed users without events count as zero.
    Count,
    /// Sum of the events' `value` per user; users without events count as zero.
    Sum,
    /// Mean of the events' `value` per user; users without events are left out.
    Mean,
    /// 1 when the user has at least one event, else 0: the share of users who convert.
    Conversion,
    /// Mean of a numeric event property per user; users without it are left out.
    PropertyMean,
}

impl Aggregation {
    pub const ALL: [Aggregation; 5] = [
        Aggregation::Count,
        Aggregation::Sum,
        Aggregation::Mean,
        Aggregation::Conversion,
        Aggregation::PropertyMean,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Count => "count",
            Aggregation::Sum => "sum",
            Aggregation::Mean => "mean",
            Aggregation::Conversion => "conversion",
            Aggregation::PropertyMean => "property_mean",
        }
    }

    pub fn parse(text: &str) -> Option<Aggregation> {
        Aggregation::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// Whether exposed users without events count as zero (otherwise they are left out).
    pub fn counts_users_without_events(self) -> bool {
        matches!(
            self,
            Aggregation::Count | Aggregation::Sum | Aggregation::Conversion
        )
    }
}

/// Which way a metric should move for a treatment to be better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Increase,
    Decrease,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
        }
    }

    pub fn parse(text: &str) -> Option<Direction> {
        match text {
            "increase" => Some(Direction::Increase),
            "decrease" => Some(Direction::Decrease),
            _ => None,
        }
    }
}

/// `POST /api/v1/environments/{env}/metrics`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateMetricRequest {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The `track()` event type the metric reads.
    pub event_type: String,
    pub aggregation: Aggregation,
    /// The numeric event property a `property_mean` metric averages.
    #[serde(default)]
    pub property: Option<String>,
    /// Only events whose properties equal these values count: `{"plan": "pro"}`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub filter: Option<serde_json::Map<String, Value>>,
    pub direction: Direction,
}

/// `PATCH …/metrics/{id}`: each field given replaces the stored one.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMetricRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    pub event_type: Option<String>,
    pub aggregation: Option<Aggregation>,
    pub property: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub filter: Option<serde_json::Map<String, Value>>,
    pub direction: Option<Direction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MetricView {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub event_type: String,
    pub aggregation: Aggregation,
    pub property: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub filter: serde_json::Map<String, Value>,
    pub direction: Direction,
    pub created_at: String,
    pub updated_at: String,
}

/// One treatment's per-user mean and its 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreatmentImpact {
    pub treatment: String,
    /// Users counted in the mean (exposed users, less those a mean leaves out).
    pub users: u64,
    pub mean: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// A treatment against the baseline (fixed horizon, Welch's t-test).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactComparison {
    pub treatment: String,
    pub baseline: String,
    /// `mean(treatment) − mean(baseline)`.
    pub lift: Option<f64>,
    /// `lift / mean(baseline)`.
    pub relative_lift: Option<f64>,
    /// 95% interval of `lift`.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
    pub significant: bool,
    /// Whether the treatment moves the metric the desired way (`None` when not significant).
    pub better: Option<bool>,
}

/// Sample-ratio mismatch: users per treatment against the definition's split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SrmCheck {
    /// `None` when the flag has no definition with a split, or too few users.
    pub p_value: Option<f64>,
    pub mismatch: bool,
    /// The expected share of users per treatment, from the definition's split.
    pub expected: Vec<TreatmentShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreatmentShare {
    pub treatment: String,
    pub share: f64,
}

/// The impressions window an impact was computed over, RFC 3339.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactWindow {
    pub from: String,
    pub to: String,
}

/// `GET /api/v1/environments/{env}/flags/{flag}/impact?metric=&baseline=&from=&to=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImpactView {
    pub metric: MetricView,
    pub flag: String,
    pub baseline: String,
    pub treatments: Vec<TreatmentImpact>,
    pub comparisons: Vec<ImpactComparison>,
    pub srm: SrmCheck,
    /// Users seen with more than one treatment, left out of every figure.
    pub excluded_users: u64,
    pub window: ImpactWindow,
    /// False when tracking was off for the flag for the whole window: no impressions exist.
    pub tracked: bool,
    /// When this result was computed (results are cached and refreshed).
    pub computed_at: String,
    /// How the figures were computed, for the console: "Welch's t-test, 95% intervals".
    pub method: String,
}

/// `POST /api/v1/environments/{env}/alert-policies`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateAlertPolicyRequest {
    pub metric_id: i64,
    /// Watch one flag only; every flag with impressions when absent.
    #[serde(default)]
    pub flag: Option<String>,
    /// Relative degradation (0.05 = 5% worse than the baseline) that must be exceeded.
    pub threshold: f64,
    /// Users per treatment before the policy is evaluated.
    #[serde(default)]
    pub min_users: Option<u64>,
    /// A webhook that receives fired and resolved alerts, signed as Standard Webhooks.
    #[serde(default)]
    pub webhook_url: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateAlertPolicyRequest {
    pub threshold: Option<f64>,
    pub min_users: Option<u64>,
    pub webhook_url: Option<String>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertPolicyView {
    pub id: i64,
    pub metric_id: i64,
    pub metric: String,
    pub flag: Option<String>,
    pub threshold: f64,
    pub min_users: u64,
    pub webhook_url: Option<String>,
    /// Whether a webhook secret is set (shown once, when the policy is created).
    pub webhook_secret_set: bool,
    pub enabled: bool,
    pub created_at: String,
}

/// The answer to creating a policy: the webhook's signing secret appears here only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedAlertPolicy {
    #[serde(flatten)]
    pub policy: AlertPolicyView,
    pub webhook_secret: Option<String>,
}

/// An alert: a treatment significantly worse than the baseline on a metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertView {
    pub id: i64,
    pub policy_id: i64,
    pub flag: String,
    pub metric_id: i64,
    pub metric: String,
    pub treatment: String,
    pub baseline: String,
    /// `firing` or `resolved`.
    pub status: String,
    /// Relative lift when it fired (negative: the metric moved the undesired way).
    pub relative_lift: Option<f64>,
    /// Always-valid (mSPRT) p-value when it fired.
    pub p_value: Option<f64>,
    /// "mSPRT (always valid), α = 0.05".
    pub method: String,
    /// One sentence for people: "Checkout rate is 6.2% lower with `on` than with `off`".
    pub summary: String,
    pub fired_at: String,
    pub resolved_at: Option<String>,
}
