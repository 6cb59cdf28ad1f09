//! How the console words a metric: its aggregation and direction in plain language.

use imprint_types::{Aggregation, Direction, MetricView};

/// The aggregation's name in the form's select.
pub fn aggregation_label(aggregation: Aggregation) -> &'static str {
    match aggregation {
        Aggregation::Count => "Count of events",
        Aggregation::Sum => "Sum of value",
        Aggregation::Mean => "Mean of value",
        Aggregation::PropertyMean => "Mean of a property",
        Aggregation::Conversion => "Conversion",
    }
}

/// What the metric measures per user, in words: "Share of users with at least one `checkout`".
pub fn describe(metric: &MetricView) -> String {
    let event = &metric.event_type;
    match metric.aggregation {
        Aggregation::Count => format!("Count of {event} events per user"),
        Aggregation::Sum => format!("Sum of the value of {event} events per user"),
        Aggregation::Mean => format!("Mean value of {event} events per user"),
        Aggregation::PropertyMean => format!(
            "Mean of {} in {event} events per user",
            metric.property.as_deref().unwrap_or("a property")
        ),
        Aggregation::Conversion => format!("Share of users with at least one {event} event"),
    }
}

pub fn direction_label(direction: Direction) -> &'static str {
    match direction {
        Direction::Increase => "Higher is better",
        Direction::Decrease => "Lower is better",
    }
}

/// The filter as `plan = pro, country = FR`; empty when the metric has none.
pub fn filter_text(metric: &MetricView) -> String {
    metric
        .filter
        .iter()
        .map(|(key, value)| match value {
            serde_json::Value::String(text) => format!("{key} = {text}"),
            other => format!("{key} = {other}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(aggregation: Aggregation, property: Option<&str>) -> MetricView {
        let mut filter = serde_json::Map::new();
        filter.insert("plan".into(), "pro".into());
        filter.insert("seats".into(), 3.into());
        MetricView {
            id: 1,
            name: "Checkout rate".into(),
            description: None,
            event_type: "checkout".into(),
            aggregation,
            property: property.map(str::to_owned),
            filter,
            direction: Direction::Increase,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn metrics_read_as_sentences() {
        assert_eq!(
            describe(&metric(Aggregation::Conversion, None)),
            "Share of users with at least one checkout event"
        );
        assert_eq!(
            describe(&metric(Aggregation::PropertyMean, Some("price"))),
            "Mean of price in checkout events per user"
        );
        assert_eq!(
            filter_text(&metric(Aggregation::Count, None)),
            "plan = pro, seats = 3"
        );
    }
}
