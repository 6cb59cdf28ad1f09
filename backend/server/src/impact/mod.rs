//! Metric impact: what a flag's treatments do to a metric. The database reduces the window's
//! impressions and events to per-treatment sums (`imprint_store::impact`); `figures` turns
//! them into means, intervals, comparisons and the sample-ratio check; `compute` gathers the
//! inputs. The impact actor caches the results and refreshes them.

mod compute;
pub mod figures;

use imprint_store::metrics::MetricRow;
use imprint_types::{Aggregation, Direction, MetricView};

pub use compute::{compute, ComputeError, ImpactKey, Versions, WindowSpec, DEFAULT_WINDOW_MS};

/// A stored metric as the API shows it.
pub fn metric_view(row: &MetricRow) -> MetricView {
    MetricView {
        id: row.id,
        name: row.name.clone(),
        description: row.description.clone(),
        event_type: row.event_type.clone(),
        aggregation: Aggregation::parse(&row.aggregation).unwrap_or(Aggregation::Count),
        property: row.property.clone(),
        filter: serde_json::from_str(&row.filter).unwrap_or_default(),
        direction: Direction::parse(&row.direction).unwrap_or(Direction::Increase),
        created_at: crate::http::iso_time(row.created_at),
        updated_at: crate::http::iso_time(row.updated_at),
    }
}
