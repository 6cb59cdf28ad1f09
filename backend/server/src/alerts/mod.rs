//! Alerts: policies watch a metric for a treatment that is significantly worse than the
//! baseline. `rule` decides from the database's per-treatment sums (pure, unit-tested),
//! `evaluate` runs one policy against the database and opens or resolves its alerts, and
//! `webhook` tells a policy's receiver, signed as Standard Webhooks. The alerts actor
//! (`actors::alerts`) runs the policies on a schedule and on demand.

pub mod evaluate;
pub mod rule;
pub mod webhook;

use imprint_store::alerts::{AlertPolicyRow, AlertRow};
use imprint_types::{AlertPolicyView, AlertView};

use crate::http::iso_time;

/// The level at which the always-valid p-value fires an alert.
pub const ALERT_ALPHA: f64 = 0.05;

/// What the console says about how alerts decide.
pub const METHOD: &str = "mSPRT (always valid), α = 0.05";

/// Users per treatment before a policy decides anything, when the policy does not say.
pub const DEFAULT_MIN_USERS: u64 = 100;

pub fn policy_view(row: &AlertPolicyRow, metric_name: &str) -> AlertPolicyView {
    AlertPolicyView {
        id: row.id,
        metric_id: row.metric_id,
        metric: metric_name.to_owned(),
        flag: row.flag.clone(),
        threshold: row.threshold,
        min_users: row.min_users.max(0) as u64,
        webhook_url: row.webhook_url.clone(),
        webhook_secret_set: row.webhook_secret.is_some(),
        enabled: row.enabled,
        created_at: iso_time(row.created_at),
    }
}

pub fn alert_view(row: &AlertRow, metric_name: &str) -> AlertView {
    AlertView {
        id: row.id,
        policy_id: row.policy_id,
        flag: row.flag.clone(),
        metric_id: row.metric_id,
        metric: metric_name.to_owned(),
        treatment: row.treatment.clone(),
        baseline: row.baseline.clone(),
        status: row.status.clone(),
        relative_lift: row.relative_lift,
        p_value: row.p_value,
        method: METHOD.to_owned(),
        summary: row.summary.clone(),
        fired_at: iso_time(row.fired_at),
        resolved_at: row.resolved_at.map(iso_time),
    }
}
