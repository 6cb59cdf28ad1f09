//! The demo environment's metrics: one for each thing the simulated visits measure, so the
//! flag pages' Metrics impact tab has a verdict to show from the first minutes.

use anyhow::Context;
use imprint_store::environments::EnvironmentRow;
use imprint_store::metrics::{MetricError, MetricFields};
use imprint_types::{Aggregation, Direction};

use super::seed::demo_actor;
use super::visits::{CHECKOUT_EVENT, PAGE_VIEW_EVENT};
use crate::state::AppState;

/// The metric `new_checkout`'s `on` treatment really moves.
pub const CHECKOUT_CONVERSION: &str = "Checkout conversion";

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
            "Page load time",
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
    tracing::info!(environment = %env.name, "created the demo metrics");
    Ok(())
}
