//! An independent computation of per-user metric values, written the plain way (loops over
//! every impression and event), to check the database's figures against.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct Impression {
    pub key: String,
    pub treatment: String,
    pub ts: i64,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub key: String,
    pub event_type: String,
    pub ts: i64,
    pub value: Option<f64>,
    pub properties: Option<Value>,
}

impl Impression {
    pub fn json(&self, flag: &str) -> Value {
        json!({ "flag": flag, "key": self.key, "treatment": self.treatment, "timestamp": self.ts })
    }
}

impl Event {
    pub fn json(&self) -> Value {
        let mut item =
            json!({ "event_type": self.event_type, "key": self.key, "timestamp": self.ts });
        if let Some(value) = self.value {
            item["value"] = json!(value);
        }
        if let Some(properties) = &self.properties {
            item["properties"] = properties.clone();
        }
        item
    }
}

/// A metric as the test understands it.
pub struct Metric<'a> {
    pub event_type: &'a str,
    pub aggregation: &'a str,
    pub property: Option<&'a str>,
    pub filter: Value,
}

/// Equal JSON scalars, numbers by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Per treatment, every counted user's value; and the users seen with several treatments.
pub fn per_user_values(
    impressions: &[Impression],
    events: &[Event],
    metric: &Metric,
    from: i64,
    to: i64,
) -> (BTreeMap<String, Vec<f64>>, u64) {
    let mut seen: HashMap<&str, (BTreeSet<&str>, i64)> = HashMap::new();
    for i in impressions.iter().filter(|i| i.ts >= from && i.ts <= to) {
        let entry = seen.entry(&i.key).or_insert((BTreeSet::new(), i64::MAX));
        entry.0.insert(&i.treatment);
        entry.1 = entry.1.min(i.ts);
    }
    let mut values: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut excluded = 0;
    for (key, (treatments, first)) in &seen {
        if treatments.len() > 1 {
            excluded += 1;
            continue;
        }
        let treatment = treatments.iter().next().unwrap().to_string();
        let mine: Vec<&Event> = events
            .iter()
            .filter(|e| e.key == *key && e.event_type == metric.event_type)
            .filter(|e| e.ts >= *first && e.ts <= to)
            .filter(|e| {
                metric
                    .filter
                    .as_object()
                    .unwrap()
                    .iter()
                    .all(|(name, wanted)| {
                        e.properties
                            .as_ref()
                            .and_then(|p| p.get(name))
                            .is_some_and(|v| same(v, wanted))
                    })
            })
            .collect();
        let mean =
            |xs: Vec<f64>| (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64);
        let value = match metric.aggregation {
            "count" => Some(mine.len() as f64),
            "sum" => Some(mine.iter().filter_map(|e| e.value).sum()),
            "conversion" => Some(if mine.is_empty() { 0.0 } else { 1.0 }),
            "mean" => mean(mine.iter().filter_map(|e| e.value).collect()),
            "property_mean" => mean(
                mine.iter()
                    .filter_map(|e| e.properties.as_ref()?.get(metric.property?)?.as_f64())
                    .collect(),
            ),
            other => panic!("unknown aggregation {other}"),
        };
        let list = values.entry(treatment).or_default();
        list.extend(value);
    }
    (values, excluded)
}

pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The sample variance, two-pass.
pub fn variance(values: &[f64]) -> f64 {
    let m = mean(values);
    values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (values.len() - 1) as f64
}
