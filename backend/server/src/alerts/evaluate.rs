//! One evaluation of one policy: for each flag it watches, the metric's per-treatment sums over
//! the last 14 days, the rule, then the policy's alerts brought in line: a new finding fires an
//! alert, a firing alert whose condition cleared resolves. Returns what changed, for the
//! webhook, and what is firing now.

use imprint_store::alerts::{AlertPolicyRow, AlertRow, Finding};
use imprint_store::{Database, DbErr};
use imprint_types::Direction;

use super::rule::{degraded_treatments, Rule};
use crate::actors::flags::Flags;
use crate::impact::figures::default_baseline;
use crate::impact::WindowSpec;

/// What an evaluation did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub fired: Vec<AlertRow>,
    pub resolved: Vec<AlertRow>,
    /// The policy's alerts firing after the evaluation (including those just fired).
    pub firing: Vec<AlertRow>,
    /// The metric's name, for views and deliveries.
    pub metric_name: String,
}

pub async fn evaluate(
    db: &Database,
    flags: &Flags,
    policy: &AlertPolicyRow,
    now: i64,
) -> Result<Outcome, DbErr> {
    let env = policy.environment_id;
    let Some(metric) = db.metric_by_id(env, policy.metric_id).await? else {
        // Deleted meanwhile: its policies go with it.
        return Ok(Outcome::default());
    };
    let rule = Rule {
        metric_name: &metric.name,
        direction: Direction::parse(&metric.direction).unwrap_or(Direction::Increase),
        threshold: policy.threshold,
        min_users: policy.min_users.max(0) as u64,
    };
    let range = WindowSpec::default().resolve(now);
    let catalog = flags.catalog(env);
    let watched = match &policy.flag {
        Some(name) => db.find_flag(env, name).await?.into_iter().collect(),
        None => db.list_flags(env).await?,
    };
    let mut findings: Vec<Finding> = Vec::new();
    for flag in watched {
        let sums = db.metric_sums(env, flag.id, &metric, range).await?;
        let baseline = default_baseline(catalog.definitions.get(&flag.name), &sums);
        findings.extend(degraded_treatments(&rule, &flag.name, &baseline, &sums));
    }

    let mut outcome = Outcome {
        metric_name: metric.name.clone(),
        ..Outcome::default()
    };
    let same = |a: &AlertRow, f: &Finding| {
        a.flag == f.flag && a.treatment == f.treatment && a.baseline == f.baseline
    };
    let open = db.firing_alerts_of(policy.id).await?;
    for alert in &open {
        if findings.iter().any(|f| same(alert, f)) {
            outcome.firing.push(alert.clone());
        } else {
            outcome.resolved.push(db.resolve_alert(alert).await?);
        }
    }
    for finding in findings {
        if !open.iter().any(|a| same(a, &finding)) {
            let fired = db.fire_alert(policy, finding).await?;
            outcome.firing.push(fired.clone());
            outcome.fired.push(fired);
        }
    }
    Ok(outcome)
}

/// Resolves every firing alert of a policy that no longer watches (disabled).
pub async fn resolve_all(db: &Database, policy: &AlertPolicyRow) -> Result<Vec<AlertRow>, DbErr> {
    let mut resolved = Vec::new();
    for alert in db.firing_alerts_of(policy.id).await? {
        resolved.push(db.resolve_alert(&alert).await?);
    }
    Ok(resolved)
}
