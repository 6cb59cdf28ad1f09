//! Which impressions a live tail shows: the criteria of its query string.

use imprint_domain::ingest::Impression;
use serde_json::Value;

use crate::http::{ApiError, ApiResult};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveFilter {
    pub flags: Vec<String>,
    pub treatment: Option<String>,
    pub key: Option<String>,
    pub label: Option<String>,
    pub sdk: Option<String>,
    /// Events only: the event type (`track`'s first argument).
    pub event_type: Option<String>,
    /// `property.NAME=VALUE` pairs; all must hold.
    pub properties: Vec<(String, String)>,
}

/// The live tail's query: its filter plus how to run it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveQuery {
    pub filter: LiveFilter,
    /// Minutes of stored impressions to send first.
    pub replay_minutes: i64,
    /// Most rows sent per second before the stream samples (and says so).
    pub max_rate: u32,
}

pub const MAX_REPLAY_MINUTES: i64 = 60;
pub const DEFAULT_MAX_RATE: u32 = 200;
pub const MAX_RATE: u32 = 2_000;

impl LiveQuery {
    pub fn parse(query_string: &str) -> ApiResult<LiveQuery> {
        let mut query = LiveQuery {
            max_rate: DEFAULT_MAX_RATE,
            ..LiveQuery::default()
        };
        for (name, value) in url::form_urlencoded::parse(query_string.as_bytes()) {
            crate::http::export::criteria::printable(&name, &value)?;
            let value = value.into_owned();
            let non_empty = Some(value.clone()).filter(|v| !v.is_empty());
            match name.as_ref() {
                "flag" => query.filter.flags.extend(
                    value
                        .split(',')
                        .filter(|f| !f.is_empty())
                        .map(str::to_owned),
                ),
                "treatment" => query.filter.treatment = non_empty,
                "key" => query.filter.key = non_empty,
                "label" => query.filter.label = non_empty,
                "sdk" => query.filter.sdk = non_empty,
                "event_type" => query.filter.event_type = non_empty,
                "replay" => {
                    let minutes: i64 = value.parse().map_err(|_| {
                        ApiError::bad_request("invalid_query", "`replay` is a number of minutes")
                    })?;
                    query.replay_minutes = minutes.clamp(0, MAX_REPLAY_MINUTES);
                }
                "max_rate" => {
                    let rate: u32 = value.parse().map_err(|_| {
                        ApiError::bad_request(
                            "invalid_query",
                            "`max_rate` is a number of rows per second",
                        )
                    })?;
                    query.max_rate = rate.clamp(1, MAX_RATE);
                }
                other => {
                    if let Some(property) =
                        other.strip_prefix("property.").filter(|p| !p.is_empty())
                    {
                        query.filter.properties.push((property.to_owned(), value));
                    }
                }
            }
        }
        Ok(query)
    }
}

impl LiveFilter {
    pub fn matches(&self, impression: &Impression) -> bool {
        let equals = |wanted: &Option<String>, actual: Option<&str>| {
            wanted.as_deref().is_none_or(|w| actual == Some(w))
        };
        (self.flags.is_empty() || self.flags.contains(&impression.flag))
            && equals(&self.treatment, Some(&impression.treatment))
            && equals(&self.key, Some(&impression.key))
            && equals(&self.label, impression.label.as_deref())
            && equals(&self.sdk, impression.sdk.as_deref())
            && self.properties_match(impression.properties.as_deref())
    }

    /// Events match on type, key, SDK and properties; impression-only criteria exclude them.
    pub fn matches_event(&self, event: &imprint_domain::ingest::Event) -> bool {
        let equals = |wanted: &Option<String>, actual: Option<&str>| {
            wanted.as_deref().is_none_or(|w| actual == Some(w))
        };
        self.flags.is_empty()
            && self.treatment.is_none()
            && self.label.is_none()
            && equals(&self.event_type, Some(&event.event_type))
            && equals(&self.key, Some(&event.key))
            && equals(&self.sdk, event.sdk.as_deref())
            && self.properties_match(event.properties.as_deref())
    }

    fn properties_match(&self, properties: Option<&str>) -> bool {
        if self.properties.is_empty() {
            return true;
        }
        let Some(Value::Object(object)) = properties.and_then(|p| serde_json::from_str(p).ok())
        else {
            return false;
        };
        self.properties
            .iter()
            .all(|(name, wanted)| match object.get(name) {
                Some(Value::String(s)) => s == wanted,
                // Numbers and booleans: `property.seats=3` means the JSON value 3.
                Some(other) => serde_json::from_str::<Value>(wanted).is_ok_and(|w| w == *other),
                None => false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn impression() -> Impression {
        Impression {
            flag: "checkout".into(),
            key: "u1".into(),
            bucketing_key: None,
            treatment: "on".into(),
            label: Some("default rule".into()),
            change_number: Some(1),
            timestamp: 1,
            traffic_type: None,
            properties: Some(r#"{"plan":"pro","seats":3}"#.into()),
            sdk: Some("nodejs-11.11.2".into()),
            machine_ip: None,
            machine_name: None,
        }
    }

    #[test]
    fn every_criterion_must_hold() {
        let query =
            LiveQuery::parse("flag=checkout,other&treatment=on&property.plan=pro&property.seats=3")
                .unwrap();
        assert!(query.filter.matches(&impression()));
        let query = LiveQuery::parse("flag=other").unwrap();
        assert!(!query.filter.matches(&impression()));
        let query = LiveQuery::parse("property.plan=free").unwrap();
        assert!(!query.filter.matches(&impression()));
        let query = LiveQuery::parse("label=whitelisted").unwrap();
        assert!(!query.filter.matches(&impression()));
    }

    #[test]
    fn replay_and_rate_are_bounded_and_checked() {
        let query = LiveQuery::parse("replay=1000&max_rate=0").unwrap();
        assert_eq!(query.replay_minutes, MAX_REPLAY_MINUTES);
        assert_eq!(query.max_rate, 1);
        assert!(LiveQuery::parse("replay=soon").is_err());
    }
}
