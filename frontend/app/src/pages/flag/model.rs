//! The flag definition as the REST API reads and writes it (backend/domain's
//! `definitions::model`), mirrored for the browser: the domain crate does not build for wasm.
//! Matcher conditions stay raw JSON, so kinds the console does not edit survive a save
//! unchanged; `extra` keeps fields this mirror does not name.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `GET /api/v1/environments/{env}/flags/{flag}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FlagDetail {
    pub name: String,
    pub tracking_enabled: bool,
    pub defined: bool,
    pub change_number: i64,
    pub updated_at: String,
    pub definition: Option<Definition>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub name: String,
    pub traffic_type: String,
    pub treatments: Vec<Treatment>,
    pub default_treatment: String,
    #[serde(default)]
    pub killed: bool,
    #[serde(default = "full_allocation")]
    pub traffic_allocation: u8,
    #[serde(default)]
    pub traffic_allocation_seed: i32,
    #[serde(default)]
    pub seed: i32,
    #[serde(default)]
    pub sets: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default = "active")]
    pub status: String,
    #[serde(default)]
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub default_rule: Option<Serve>,
    #[serde(default)]
    pub prerequisites: Vec<Prerequisite>,
    #[serde(default)]
    pub change_number: i64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn full_allocation() -> u8 {
    100
}

fn active() -> String {
    "active".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Treatment {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// `rollout` (a targeting rule) or `whitelist` (individual targets, before the traffic
    /// allocation).
    #[serde(default = "rollout")]
    pub kind: String,
    pub matchers: Vec<Matcher>,
    pub serve: Serve,
    #[serde(default)]
    pub label: Option<String>,
}

fn rollout() -> String {
    "rollout".into()
}

/// `{"treatment":"on"}` or `{"split":[{"treatment":"on","size":50},…]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Serve {
    Treatment(String),
    Split(Vec<Partition>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    pub treatment: String,
    pub size: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matcher {
    #[serde(default)]
    pub negate: bool,
    #[serde(default)]
    pub attribute: Option<String>,
    /// `{"type":"in_list","values":[…]}` and the like.
    pub condition: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prerequisite {
    pub flag: String,
    pub treatments: Vec<String>,
}

impl Definition {
    /// What an observed flag starts from when an editor creates its definition.
    pub fn starter(name: &str, treatments: &[String]) -> Definition {
        let mut names: Vec<String> = treatments
            .iter()
            .filter(|t| t.as_str() != "control")
            .cloned()
            .collect();
        if names.is_empty() {
            names = vec!["on".into(), "off".into()];
        }
        let default = names
            .iter()
            .find(|t| t.as_str() == "off")
            .unwrap_or(&names[names.len() - 1])
            .clone();
        Definition {
            name: name.to_owned(),
            traffic_type: "user".into(),
            treatments: names
                .into_iter()
                .map(|name| Treatment { name, config: None })
                .collect(),
            default_treatment: default.clone(),
            killed: false,
            traffic_allocation: 100,
            traffic_allocation_seed: 0,
            seed: 0,
            sets: Vec::new(),
            description: String::new(),
            status: active(),
            rules: Vec::new(),
            default_rule: Some(Serve::Treatment(default)),
            prerequisites: Vec::new(),
            change_number: 0,
            extra: Map::new(),
        }
    }
}

/// The `type` of a matcher condition.
pub fn condition_type(condition: &Value) -> &str {
    condition
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
}

pub(crate) fn strings(condition: &Value, key: &str) -> Vec<String> {
    condition
        .get(key)
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn text(condition: &Value, key: &str) -> String {
    match condition.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn quoted_list(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("“{v}”"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A matcher in words, for the read-only view: (subject, predicate).
/// `("user.plan", "is in list “premium”, “gold”")`, `("key", "is in segment employees")`.
pub fn describe(matcher: &Matcher, traffic_type: &str) -> (String, String) {
    let subject = match &matcher.attribute {
        Some(attribute) => format!("{traffic_type}.{attribute}"),
        None => format!("{traffic_type} key"),
    };
    let c = &matcher.condition;
    let is = if matcher.negate { "is not" } else { "is" };
    let verb = |positive: &str, negative: &str| {
        if matcher.negate {
            negative.to_owned()
        } else {
            positive.to_owned()
        }
    };
    let values = || quoted_list(&strings(c, "values"));
    let datetime = c.get("data_type").and_then(Value::as_str) == Some("datetime");
    let unit = if datetime { " (date, ms)" } else { "" };
    let predicate = match condition_type(c) {
        "all_keys" => format!("{is} any key"),
        "in_segment" => format!("{is} in segment {}", text(c, "segment")),
        "in_list" => format!("{is} in list {}", values()),
        "equal_to" => format!("{is} equal to {}{unit}", text(c, "value")),
        "greater_than_or_equal_to" => format!("{is} ≥ {}{unit}", text(c, "value")),
        "less_than_or_equal_to" => format!("{is} ≤ {}{unit}", text(c, "value")),
        "between" => format!(
            "{is} between {} and {}{unit}",
            text(c, "start"),
            text(c, "end")
        ),
        "equal_to_set" => format!("{is} exactly the set {}", values()),
        "contains_any_of_set" => {
            format!(
                "{} {}",
                verb("contains any of", "does not contain any of"),
                values()
            )
        }
        "contains_all_of_set" => {
            format!(
                "{} {}",
                verb("contains all of", "does not contain all of"),
                values()
            )
        }
        "part_of_set" => format!("{is} part of {}", values()),
        "starts_with" => format!(
            "{} {}",
            verb("starts with", "does not start with"),
            values()
        ),
        "ends_with" => format!("{} {}", verb("ends with", "does not end with"), values()),
        "contains_string" => format!("{} {}", verb("contains", "does not contain"), values()),
        "matches_regex" => format!(
            "{} /{}/",
            verb("matches", "does not match"),
            text(c, "pattern")
        ),
        "equal_to_boolean" => format!("{is} {}", text(c, "value")),
        "in_flag_treatment" => format!(
            "{is} served {} by flag {}",
            quoted_list(&strings(c, "treatments")),
            text(c, "flag")
        ),
        "equal_to_semver" => format!("{is} version {}", text(c, "version")),
        "greater_than_or_equal_to_semver" => format!("{is} version ≥ {}", text(c, "version")),
        "less_than_or_equal_to_semver" => format!("{is} version ≤ {}", text(c, "version")),
        "between_semver" => format!(
            "{is} a version between {} and {}",
            text(c, "start"),
            text(c, "end")
        ),
        "in_list_semver" => format!("{is} one of versions {}", strings(c, "versions").join(", ")),
        other => format!("{} {other} {c}", verb("matches", "does not match")),
    };
    (subject, predicate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_round_trips_with_unknown_parts() {
        let json = serde_json::json!({
            "name": "f", "traffic_type": "user",
            "treatments": [{"name": "on", "config": {"a": 1}}, {"name": "off"}],
            "default_treatment": "off", "future_field": 7,
            "rules": [{"kind": "whitelist", "label": "whitelisted",
                "matchers": [{"negate": false, "attribute": null,
                    "condition": {"type": "some_future_kind", "x": [1, 2]}}],
                "serve": {"split": [{"treatment": "on", "size": 50}, {"treatment": "off", "size": 50}]}}],
            "default_rule": {"treatment": "off"}
        });
        let parsed: Definition =
            serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}"));
        let back = serde_json::to_value(&parsed).unwrap_or_default();
        assert_eq!(back["future_field"], 7);
        assert_eq!(
            back["rules"][0]["matchers"][0]["condition"],
            json["rules"][0]["matchers"][0]["condition"]
        );
        assert_eq!(back["rules"][0]["serve"], json["rules"][0]["serve"]);
        assert_eq!(back["default_rule"], json["default_rule"]);
    }

    #[test]
    fn matchers_read_as_sentences() {
        let m = Matcher {
            negate: false,
            attribute: Some("plan".into()),
            condition: serde_json::json!({"type": "in_list", "values": ["premium", "gold"]}),
        };
        assert_eq!(
            describe(&m, "user"),
            ("user.plan".into(), "is in list “premium”, “gold”".into())
        );
        let m = Matcher {
            negate: false,
            attribute: None,
            condition: serde_json::json!({"type": "starts_with", "values": ["a"]}),
        };
        assert_eq!(describe(&m, "user").1, "starts with “a”");
    }
}
