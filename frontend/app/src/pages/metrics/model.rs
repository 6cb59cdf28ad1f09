//! What the metric form holds, and how it becomes a create or update request.

use imprint_types::{Aggregation, CreateMetricRequest, Direction, MetricView, UpdateMetricRequest};
use serde_json::{Map, Value};

/// One `key = value` row of the property filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterRow {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricForm {
    pub name: String,
    pub description: String,
    pub event_type: String,
    pub aggregation: Aggregation,
    /// Only read for `property_mean`.
    pub property: String,
    pub filter: Vec<FilterRow>,
    pub direction: Direction,
}

impl Default for MetricForm {
    fn default() -> Self {
        MetricForm {
            name: String::new(),
            description: String::new(),
            event_type: String::new(),
            aggregation: Aggregation::Conversion,
            property: String::new(),
            filter: Vec::new(),
            direction: Direction::Increase,
        }
    }
}

/// The checked fields both requests are built from.
struct Checked {
    name: String,
    description: String,
    event_type: String,
    property: Option<String>,
    filter: Map<String, Value>,
}

impl MetricForm {
    /// The form filled with a metric, for editing it.
    pub fn of(metric: &MetricView) -> Self {
        MetricForm {
            name: metric.name.clone(),
            description: metric.description.clone().unwrap_or_default(),
            event_type: metric.event_type.clone(),
            aggregation: metric.aggregation,
            property: metric.property.clone().unwrap_or_default(),
            filter: metric
                .filter
                .iter()
                .map(|(key, value)| FilterRow {
                    key: key.clone(),
                    value: match value {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    },
                })
                .collect(),
            direction: metric.direction,
        }
    }

    pub fn needs_property(&self) -> bool {
        self.aggregation == Aggregation::PropertyMean
    }

    fn check(&self) -> Result<Checked, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("Give the metric a name.".into());
        }
        let event_type = self.event_type.trim();
        if event_type.is_empty() {
            return Err("Choose the event type the metric reads.".into());
        }
        let property = if self.needs_property() {
            let property = self.property.trim();
            if property.is_empty() {
                return Err("Name the numeric property to average.".into());
            }
            Some(property.to_owned())
        } else {
            None
        };
        let mut filter = Map::new();
        for row in &self.filter {
            let key = row.key.trim();
            if key.is_empty() {
                if row.value.trim().is_empty() {
                    continue;
                }
                return Err("Each filter row needs a property name.".into());
            }
            filter.insert(key.to_owned(), filter_value(row.value.trim()));
        }
        Ok(Checked {
            name: name.to_owned(),
            description: self.description.trim().to_owned(),
            event_type: event_type.to_owned(),
            property,
            filter,
        })
    }

    /// The create request, or what to fix first.
    pub fn create_request(&self) -> Result<CreateMetricRequest, String> {
        let c = self.check()?;
        Ok(CreateMetricRequest {
            name: c.name,
            description: (!c.description.is_empty()).then_some(c.description),
            event_type: c.event_type,
            aggregation: self.aggregation,
            property: c.property,
            filter: (!c.filter.is_empty()).then_some(c.filter),
            direction: self.direction,
        })
    }

    /// The update request: every field, so the metric becomes what the form shows (an empty
    /// description clears it; the filter is replaced, also by an empty one).
    pub fn update_request(&self) -> Result<UpdateMetricRequest, String> {
        let c = self.check()?;
        Ok(UpdateMetricRequest {
            name: Some(c.name),
            description: Some(c.description),
            event_type: Some(c.event_type),
            aggregation: Some(self.aggregation),
            property: c.property,
            filter: Some(c.filter),
            direction: Some(self.direction),
        })
    }
}

/// `true`/`false` and numbers are matched as such; anything else as text.
fn filter_value(text: &str) -> Value {
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => serde_json::from_str::<serde_json::Number>(text)
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> MetricForm {
        MetricForm {
            name: " Checkout rate ".into(),
            event_type: "checkout".into(),
            ..MetricForm::default()
        }
    }

    #[test]
    fn a_filled_form_makes_a_request() {
        let mut f = form();
        f.filter = vec![
            FilterRow {
                key: "plan".into(),
                value: "pro".into(),
            },
            FilterRow {
                key: "seats".into(),
                value: "3".into(),
            },
            FilterRow {
                key: "beta".into(),
                value: "true".into(),
            },
            FilterRow::default(),
        ];
        let request = f.create_request().unwrap();
        assert_eq!(request.name, "Checkout rate");
        assert_eq!(request.aggregation, Aggregation::Conversion);
        assert_eq!(request.property, None);
        assert_eq!(
            serde_json::to_value(request.filter).unwrap(),
            serde_json::json!({"plan": "pro", "seats": 3, "beta": true})
        );
    }

    #[test]
    fn a_property_mean_needs_its_property_and_others_send_none() {
        let mut f = form();
        f.property = "price".into();
        assert_eq!(f.create_request().unwrap().property, None);
        f.aggregation = Aggregation::PropertyMean;
        assert_eq!(
            f.create_request().unwrap().property.as_deref(),
            Some("price")
        );
        f.property.clear();
        assert!(f.create_request().is_err());
    }

    #[test]
    fn a_metric_fills_the_form_back() {
        let request = form().create_request().unwrap();
        let view = MetricView {
            id: 1,
            name: request.name,
            description: None,
            event_type: request.event_type,
            aggregation: request.aggregation,
            property: None,
            filter: Map::new(),
            direction: request.direction,
            created_at: String::new(),
            updated_at: String::new(),
        };
        let again = MetricForm::of(&view);
        assert_eq!(again.name, "Checkout rate");
        assert_eq!(again.update_request().unwrap().filter, Some(Map::new()));
    }
}
