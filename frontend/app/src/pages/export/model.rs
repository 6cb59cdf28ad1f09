//! What the export form asks for, as the export URL's query and as an export job's body.

use serde_json::{json, Map, Value};

use crate::components::format::local_offset_ms;
use crate::components::live_tail::criteria::{query_string, split_list, Criteria};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportForm {
    /// `track()` events rather than impressions.
    pub events: bool,
    pub criteria: Criteria,
    /// `datetime-local` values, in the browser's time zone.
    pub from: String,
    pub to: String,
    pub by_reception: bool,
    /// `csv`, `ndjson` or `parquet`.
    pub format: String,
    pub gzip: bool,
}

impl Default for ExportForm {
    fn default() -> Self {
        ExportForm {
            events: false,
            criteria: Criteria::default(),
            from: String::new(),
            to: String::new(),
            by_reception: false,
            format: "csv".to_owned(),
            gzip: false,
        }
    }
}

impl ExportForm {
    /// Words for what cannot be sent, if anything.
    pub fn problem(&self) -> Option<String> {
        if let Some(p) = self.criteria.property_error() {
            return Some(p);
        }
        match (self.start_ms(), self.end_ms()) {
            (Some(from), Some(to)) if from >= to => Some("“From” must be before “To”.".to_owned()),
            _ => None,
        }
    }

    pub fn start_ms(&self) -> Option<i64> {
        local_input_ms(&self.from)
    }

    pub fn end_ms(&self) -> Option<i64> {
        local_input_ms(&self.to)
    }

    /// `impressions` or `events`: the export's path segment and a job's kind.
    pub fn kind(&self) -> &'static str {
        if self.events {
            "events"
        } else {
            "impressions"
        }
    }

    /// The criteria that apply to the kind (fields of the other kind keep their text in the
    /// form but are not sent: the API refuses criteria that do not apply).
    fn criteria_pairs(&self) -> Vec<(String, String)> {
        let events = self.events;
        self.criteria
            .pairs()
            .into_iter()
            .filter(|(name, _)| {
                let shared = name == "key" || name.starts_with("property.");
                shared || (name == "event_type") == events
            })
            .collect()
    }

    /// Query parameters of the streaming export, in `format` (gzipped when `gzip`).
    pub fn query(&self, format: &str, gzip: bool) -> String {
        let mut pairs = self.criteria_pairs();
        if let Some(from) = self.start_ms() {
            pairs.push(("from".into(), from.to_string()));
        }
        if let Some(to) = self.end_ms() {
            pairs.push(("to".into(), to.to_string()));
        }
        if self.by_reception {
            pairs.push(("time_field".into(), "received_at".into()));
        }
        pairs.push(("format".into(), format.to_owned()));
        if gzip {
            pairs.push(("gzip".into(), "true".into()));
        }
        query_string(&pairs)
    }

    /// `POST …/exports` body.
    pub fn job(&self) -> Value {
        let c = &self.criteria;
        let one = |v: &str| -> Vec<String> {
            Some(v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .into_iter()
                .collect()
        };
        let properties: Map<String, Value> = c
            .property_pairs()
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        if self.events {
            return json!({
                "kind": "events",
                "format": self.format,
                "gzip": self.gzip,
                "criteria": {
                    "event_type": split_list(&c.event_type),
                    "key": one(&c.key),
                    "from": self.start_ms(),
                    "to": self.end_ms(),
                    "time_field": if self.by_reception { "received_at" } else { "timestamp" },
                    "properties": properties,
                }
            });
        }
        json!({
            "kind": "impressions",
            "format": self.format,
            "gzip": self.gzip,
            "criteria": {
                "flag": split_list(&c.flag),
                "treatment": split_list(&c.treatment),
                "key": one(&c.key),
                "label": one(&c.label),
                "sdk": one(&c.sdk),
                "from": self.start_ms(),
                "to": self.end_ms(),
                "time_field": if self.by_reception { "received_at" } else { "timestamp" },
                "properties": properties,
            }
        })
    }
}

/// `2025-06-01T14:30` (local time, as a `datetime-local` input gives it) → ms since the epoch.
pub fn local_input_ms(text: &str) -> Option<i64> {
    let (date, time) = text.trim().split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<f64>().ok());
    let (hour, minute) = (t.next()??, t.next()??);
    let second = t.next().flatten().unwrap_or(0.0);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let wall = days * 86_400_000 + ((hour * 3600.0 + minute * 60.0 + second) * 1000.0) as i64;
    // The offset at the wall time is right except within the hour of a daylight-saving change.
    Some(wall - local_offset_ms(wall))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_a_query_and_a_job() {
        // The server build has no time zone: local is UTC.
        assert_eq!(local_input_ms("1970-01-02T00:00"), Some(86_400_000));
        assert_eq!(local_input_ms("2025-06-01T14:30"), Some(1_748_788_200_000));
        assert_eq!(local_input_ms("nonsense"), None);
        let form = ExportForm {
            criteria: Criteria {
                flag: "a, b".into(),
                ..Criteria::default()
            },
            from: "1970-01-02T00:00".into(),
            by_reception: true,
            ..ExportForm::default()
        };
        assert_eq!(
            form.query("ndjson", false),
            "flag=a%2Cb&from=86400000&time_field=received_at&format=ndjson"
        );
        let job = form.job();
        assert_eq!(job["criteria"]["flag"], json!(["a", "b"]));
        assert_eq!(job["criteria"]["time_field"], "received_at");
    }

    #[test]
    fn an_events_form_sends_only_the_criteria_of_events() {
        let form = ExportForm {
            events: true,
            criteria: Criteria {
                flag: "left over".into(),
                event_type: "purchase, signup".into(),
                key: "u1".into(),
                ..Criteria::default()
            },
            ..ExportForm::default()
        };
        assert_eq!(form.kind(), "events");
        assert_eq!(
            form.query("csv", false),
            "event_type=purchase%2Csignup&key=u1&format=csv"
        );
        let job = form.job();
        assert_eq!(job["kind"], "events");
        assert_eq!(job["criteria"]["event_type"], json!(["purchase", "signup"]));
        assert!(job["criteria"].get("flag").is_none());
    }
}
