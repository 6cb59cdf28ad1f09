//! The demo environment's metrics: one for each thing the simulated visits measure, so the
//! flag pages' Metrics impact tab has a verdict to show from the first minutes.

use anyhow::Context;
use imprint_store::alerts::PolicyFields;
use imprint_store::environments::EnvironmentRow;
use imprint_store::metrics::{MetricError, MetricFields};
use imprint_types::{Aggregation, Direction};

use super::seed::{demo_actor, CHECKOUT_FLAG};
use super::visits::{CHECKOUT_EVENT, PAGE_VIEW_EVENT};
use crate::state::AppState;

/// The metric `new_checkout`'s `on` treatment really moves.
pub const CHECKOUT_CONVERSION: &str = "Checkout conversion";
/// The metric it makes worse, which the demo's alert policy watches.
pub const PAGE_LOAD_TIME: &str = "Page load time";
/// The demo policy: pages more than 10% slower on `new_checkout`, once 100 users each.
const ALERT_THRESHOLD: f64 = 0.10;
const ALERT_MIN_USERS: i64 = 100;

fn metric(
    name: &str,
    description: &str,
    event_type: &str,
    aggregation: Aggregation,
    direction: Direction,
) -> MetricFields {
    MetricFields {
        name: name.to_owned(),
        description: Some(description.to_owned()),
        event_type: event_type.to_owned(),
        aggregation: aggregation.as_str().to_owned(),
        property: None,
        filter: "{}".to_owned(),
        direction: direction.as_str().to_owned(),
    }
}

/// Conversion and revenue from the `checkout` events (their value is the price), and the
/// page load time from the `page_view` events (their value is the load time in ms), which
/// should go down.
pub fn metrics() -> Vec<MetricFields> {
    vec![
        metric(
            CHECKOUT_CONVERSION,
            "Share of users who check out at least once",
            CHECKOUT_EVENT,
            Aggregation::Conversion,
            Direction::Increase,
        ),
        metric(
            "Revenue per user",
            "What a user spends at checkout, zero for those who buy nothing",
            CHECKOUT_EVENT,
            Aggregation::Sum,
            Direction::Increase,
        ),
        metric(
            PAGE_LOAD_TIME,
            "A user's mean page load time in milliseconds",
            PAGE_VIEW_EVENT,
            Aggregation::Mean,
            Direction::Decrease,
        ),
    ]
}

/// Creates the demo metrics in `env` when it has none: on a fresh demo environment, and on
/// one made before the demo had metrics. An environment with metrics of its own keeps them
/// as they are, so a restart never duplicates or brings back what a user changed.
pub async fn ensure_metrics(state: &AppState, env: &EnvironmentRow) -> anyhow::Result<()> {
    if !state.db.metrics_of(env.id).await?.is_empty() {
        return Ok(());
    }
    for fields in metrics() {
        let name = fields.name.clone();
        match state.db.create_metric(&demo_actor(), env.id, fields).await {
            // Another server on this database got there first.
            Ok(_) | Err(MetricError::NameTaken) => {}
            Err(MetricError::Db(e)) => {
                return Err(e).with_context(|| format!("creating demo metric {name}"))
            }
        }
    }
    ensure_alert_policy(state, env).await?;
    tracing::info!(environment = %env.name, "created the demo metrics and alert policy");
    Ok(())
}

/// Watches the page load time on `new_checkout`, whose `on` slows pages down: the demo's
/// alert fires within minutes and shows on the Alerts page and the flag's banner.
async fn ensure_alert_policy(state: &AppState, env: &EnvironmentRow) -> anyhow::Result<()> {
    if !state.db.alert_policies_of(env.id).await?.is_empty() {
        return Ok(());
    }
    let metrics = state.db.metrics_of(env.id).await?;
    let Some(page_load) = metrics.iter().find(|m| m.name == PAGE_LOAD_TIME) else {
        return Ok(());
    };
    let fields = PolicyFields {
        metric_id: page_load.id,
        flag: Some(CHECKOUT_FLAG.to_owned()),
        threshold: ALERT_THRESHOLD,
        min_users: ALERT_MIN_USERS,
        webhook_url: None,
        enabled: true,
    };
    state
        .db
        .create_alert_policy(&demo_actor(), env.id, fields, None)
        .await
        .context("creating the demo alert policy")?;
    Ok(())
}
