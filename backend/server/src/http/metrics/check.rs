//! What a metric may hold. Each problem is a 400 with its own code, so forms can say which
//! field is wrong.

use imprint_domain::ingest::text::{forbidden_in_name, forbidden_in_text};
use imprint_store::metrics::{MetricFields, MetricRow};
use imprint_types::{Aggregation, CreateMetricRequest, UpdateMetricRequest};
use serde_json::{Map, Value};

use crate::http::{ApiError, ApiResult};

const MAX_NAME_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 1000;
/// As long as ingestion lets an event type or a property name be.
const MAX_IDENTIFIER_BYTES: usize = 250;
const MAX_FILTER_ENTRIES: usize = 20;
const MAX_FILTER_VALUE_BYTES: usize = 1000;

fn name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || forbidden_in_name(name).is_some()
    {
        return Err(ApiError::bad_request(
            "invalid_name",
            format!("a metric's name has 1 to {MAX_NAME_CHARS} printable characters"),
        ));
    }
    Ok(name.to_owned())
}

fn description(description: Option<String>) -> ApiResult<Option<String>> {
    let Some(text) = description.map(|d| d.trim().to_owned()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(ApiError::bad_request(
            "invalid_description",
            format!("a description has at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok((!text.is_empty()).then_some(text))
}

/// An event type or property name: as stored by ingestion (no control characters, at most
/// 250 bytes), and without `"` or `\`, which JSON paths into the properties would need to
/// escape.
fn identifier(field: &str, code: &'static str, value: &str) -> ApiResult<String> {
    let ok = !value.is_empty()
        && value.len() <= MAX_IDENTIFIER_BYTES
        && forbidden_in_name(value).is_none()
        && !value.contains(['"', '\\']);
    if !ok {
        return Err(ApiError::bad_request(
            code,
            format!(
                "`{field}` has 1 to {MAX_IDENTIFIER_BYTES} bytes, without control characters, \
                 `\"` or `\\`"
            ),
        ));
    }
    Ok(value.to_owned())
}

/// The property is required by `property_mean` and meaningless for the others.
fn property(aggregation: Aggregation, property: Option<String>) -> ApiResult<Option<String>> {
    match (aggregation, property) {
        (Aggregation::PropertyMean, Some(p)) => {
            identifier("property", "invalid_property", &p).map(Some)
        }
        (Aggregation::PropertyMean, None) => Err(ApiError::bad_request(
            "invalid_property",
            "a `property_mean` metric names the numeric `property` it averages",
        )),
        (_, Some(_)) => Err(ApiError::bad_request(
            "invalid_property",
            "only a `property_mean` metric has a `property`",
        )),
        (_, None) => Ok(None),
    }
}

/// The filter as stored: a JSON object whose values are strings, numbers or booleans.
fn filter(filter: Option<Map<String, Value>>) -> ApiResult<String> {
    let filter = filter.unwrap_or_default();
    let invalid = |message: String| ApiError::bad_request("invalid_filter", message);
    if filter.len() > MAX_FILTER_ENTRIES {
        return Err(invalid(format!(
            "a filter has at most {MAX_FILTER_ENTRIES} properties"
        )));
    }
    for (name, value) in &filter {
        identifier("filter", "invalid_filter", name)?;
        match value {
            Value::String(text)
                if text.len() > MAX_FILTER_VALUE_BYTES || forbidden_in_text(text).is_some() =>
            {
                return Err(invalid(format!(
                    "the filter's value of `{name}` has at most {MAX_FILTER_VALUE_BYTES} bytes, \
                     without control characters"
                )))
            }
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            _ => {
                return Err(invalid(format!(
                    "the filter's value of `{name}` must be a string, a number or a boolean"
                )))
            }
        }
    }
    serde_json::to_string(&filter).map_err(|e| ApiError::Internal(e.into()))
}

pub fn create(body: CreateMetricRequest) -> ApiResult<MetricFields> {
    Ok(MetricFields {
        name: name(&body.name)?,
        description: description(body.description)?,
        event_type: identifier("event_type", "invalid_event_type", &body.event_type)?,
        aggregation: body.aggregation.as_str().to_owned(),
        property: property(body.aggregation, body.property)?,
        filter: filter(body.filter)?,
        direction: body.direction.as_str().to_owned(),
    })
}

/// The metric after a PATCH: given fields replace stored ones; an empty description clears
/// it; changing the aggregation away from `property_mean` drops the property.
pub fn update(current: &MetricRow, body: UpdateMetricRequest) -> ApiResult<MetricFields> {
    let aggregation = match body.aggregation {
        Some(aggregation) => aggregation,
        None => Aggregation::parse(&current.aggregation).unwrap_or(Aggregation::Count),
    };
    let property_now = match (body.property, aggregation) {
        (Some(given), _) => Some(given),
        (None, Aggregation::PropertyMean) => current.property.clone(),
        (None, _) => None,
    };
    let mut fields = MetricFields::of(current);
    if let Some(given) = body.name {
        fields.name = name(&given)?;
    }
    if body.description.is_some() {
        fields.description = description(body.description)?;
    }
    if let Some(given) = body.event_type {
        fields.event_type = identifier("event_type", "invalid_event_type", &given)?;
    }
    fields.aggregation = aggregation.as_str().to_owned();
    fields.property = property(aggregation, property_now)?;
    if body.filter.is_some() {
        fields.filter = filter(body.filter)?;
    }
    if let Some(direction) = body.direction {
        fields.direction = direction.as_str().to_owned();
    }
    Ok(fields)
}
