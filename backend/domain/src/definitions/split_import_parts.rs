//! The parts of an import that need more than a field read: matcher data, treatments with
//! their configurations, and prerequisites.

use super::model::{MatcherCondition, NumericType, Prerequisite, Rule, Serve, Treatment};
use super::split_import::{path, Reader};
use serde_json::{Map, Number, Value};

/// The condition of a matcher of type `matcher_type`, from its `…MatcherData` field (JS
/// `evaluator/matchersTransform/index.ts` says which field each type reads).
pub(super) fn condition(
    r: &mut Reader,
    at: &str,
    matcher_type: &str,
    m: &Map<String, Value>,
) -> Option<MatcherCondition> {
    use MatcherCondition as C;
    let data = |field: &str| m.get(field).filter(|v| !v.is_null());
    // Lists of every kind (WHITELIST, set, string and IN_LIST_SEMVER matchers) live in
    // `whitelistMatcherData.whitelist`.
    let list = |r: &mut Reader| {
        let values = data("whitelistMatcherData").and_then(|d| d.get("whitelist"));
        r.strings(values, &path(at, "whitelistMatcherData.whitelist"))
    };
    let condition = match matcher_type {
        "ALL_KEYS" => C::AllKeys,
        "IN_SEGMENT" => {
            let data = data("userDefinedSegmentMatcherData").and_then(Value::as_object);
            let segment_at = path(at, "userDefinedSegmentMatcherData");
            match data {
                Some(d) => C::InSegment {
                    segment: r.string(d, &segment_at, "segmentName")?,
                },
                None => return r.fail(&segment_at, "must be an object"),
            }
        }
        "WHITELIST" => C::InList { values: list(r) },
        "EQUAL_TO" | "GREATER_THAN_OR_EQUAL_TO" | "LESS_THAN_OR_EQUAL_TO" => {
            let field_at = path(at, "unaryNumericMatcherData");
            let d = data("unaryNumericMatcherData").and_then(Value::as_object);
            let data_type = numeric_type(r, d, &field_at)?;
            let value = number(r, d.and_then(|d| d.get("value")), &path(&field_at, "value"))?;
            match matcher_type {
                "EQUAL_TO" => C::EqualTo { value, data_type },
                "GREATER_THAN_OR_EQUAL_TO" => C::GreaterThanOrEqualTo { value, data_type },
                _ => C::LessThanOrEqualTo { value, data_type },
            }
        }
        "BETWEEN" => {
            let field_at = path(at, "betweenMatcherData");
            let d = data("betweenMatcherData").and_then(Value::as_object);
            let data_type = numeric_type(r, d, &field_at)?;
            let start = number(r, d.and_then(|d| d.get("start")), &path(&field_at, "start"))?;
            let end = number(r, d.and_then(|d| d.get("end")), &path(&field_at, "end"))?;
            C::Between {
                start,
                end,
                data_type,
            }
        }
        "EQUAL_TO_SET" => C::EqualToSet { values: list(r) },
        "CONTAINS_ANY_OF_SET" => C::ContainsAnyOfSet { values: list(r) },
        "CONTAINS_ALL_OF_SET" => C::ContainsAllOfSet { values: list(r) },
        "PART_OF_SET" => C::PartOfSet { values: list(r) },
        "STARTS_WITH" => C::StartsWith { values: list(r) },
        "ENDS_WITH" => C::EndsWith { values: list(r) },
        "CONTAINS_STRING" => C::ContainsString { values: list(r) },
        "MATCHES_STRING" => C::MatchesRegex {
            pattern: string_data(r, data("stringMatcherData"), &path(at, "stringMatcherData"))?,
        },
        "EQUAL_TO_BOOLEAN" => match data("booleanMatcherData") {
            Some(Value::Bool(value)) => C::EqualToBoolean { value: *value },
            _ => return r.fail(&path(at, "booleanMatcherData"), "must be true or false"),
        },
        "IN_SPLIT_TREATMENT" => {
            let field_at = path(at, "dependencyMatcherData");
            let Some(d) = data("dependencyMatcherData").and_then(Value::as_object) else {
                return r.fail(&field_at, "must be an object");
            };
            let flag = r.string(d, &field_at, "split")?;
            let treatments = r.strings(d.get("treatments"), &path(&field_at, "treatments"));
            C::InFlagTreatment { flag, treatments }
        }
        "EQUAL_TO_SEMVER" | "GREATER_THAN_OR_EQUAL_TO_SEMVER" | "LESS_THAN_OR_EQUAL_TO_SEMVER" => {
            let version =
                string_data(r, data("stringMatcherData"), &path(at, "stringMatcherData"))?;
            match matcher_type {
                "EQUAL_TO_SEMVER" => C::EqualToSemver { version },
                "GREATER_THAN_OR_EQUAL_TO_SEMVER" => C::GreaterThanOrEqualToSemver { version },
                _ => C::LessThanOrEqualToSemver { version },
            }
        }
        "BETWEEN_SEMVER" => {
            let field_at = path(at, "betweenStringMatcherData");
            let Some(d) = data("betweenStringMatcherData").and_then(Value::as_object) else {
                return r.fail(&field_at, "must be an object");
            };
            C::BetweenSemver {
                start: r.string(d, &field_at, "start")?,
                end: r.string(d, &field_at, "end")?,
            }
        }
        "IN_LIST_SEMVER" => C::InListSemver { versions: list(r) },
        other => {
            let what = if other.is_empty() {
                "missing".to_owned()
            } else {
                format!("`{other}` is not supported")
            };
            return r.fail(&path(at, "matcherType"), &format!("matcher type {what}"));
        }
    };
    Some(condition)
}

fn numeric_type(
    r: &mut Reader,
    data: Option<&Map<String, Value>>,
    at: &str,
) -> Option<NumericType> {
    match data.and_then(|d| d.get("dataType")) {
        // The JS SDK treats anything but DATETIME as a plain number.
        None | Some(Value::Null) => Some(NumericType::Number),
        Some(Value::String(t)) if t == "NUMBER" => Some(NumericType::Number),
        Some(Value::String(t)) if t == "DATETIME" => Some(NumericType::Datetime),
        Some(_) => r.fail(&path(at, "dataType"), "must be \"NUMBER\" or \"DATETIME\""),
    }
}

fn number(r: &mut Reader, value: Option<&Value>, at: &str) -> Option<Number> {
    match value {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => r.fail(at, "must be a number"),
    }
}

fn string_data(r: &mut Reader, value: Option<&Value>, at: &str) -> Option<String> {
    match value {
        Some(Value::String(s)) => Some(s.clone()),
        _ => r.fail(at, "must be a string"),
    }
}

impl Reader {
    /// Split's `prerequisites: [{"n": flag, "ts": [treatments]}]`.
    pub(super) fn prerequisites(&mut self, flag: &Map<String, Value>) -> Vec<Prerequisite> {
        let Some(list) = flag.get("prerequisites").filter(|v| !v.is_null()) else {
            return Vec::new();
        };
        let Some(list) = list.as_array() else {
            return self.fail("prerequisites", "must be a list");
        };
        let mut prerequisites = Vec::with_capacity(list.len());
        for (index, item) in list.iter().enumerate() {
            let at = format!("prerequisites[{index}]");
            let Some(object) = item.as_object() else {
                self.error(at, "must be an object");
                continue;
            };
            let flag = self.string(object, &at, "n");
            let treatments = self.strings(object.get("ts"), &path(&at, "ts"));
            if let Some(flag) = flag {
                prerequisites.push(Prerequisite { flag, treatments });
            }
        }
        prerequisites
    }

    /// The Split format has no treatment list: Imprint's own exports carry one
    /// (`imprint.treatments`); otherwise the treatments are those served, the default one and
    /// those with a configuration, in order of first appearance. Configurations are JSON
    /// strings holding objects.
    pub(super) fn treatments(
        &mut self,
        flag: &Map<String, Value>,
        rules: &[Rule],
        default_rule: &Option<Serve>,
        default_treatment: &str,
    ) -> Vec<Treatment> {
        let configurations = match flag.get("configurations") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map.clone(),
            Some(_) => self.fail("configurations", "must be an object"),
        };
        let listed = flag
            .get("imprint")
            .and_then(|i| i.get("treatments"))
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).collect::<Vec<_>>())
            .unwrap_or_default();
        let served = rules
            .iter()
            .map(|rule| &rule.serve)
            .chain(default_rule)
            .flat_map(Serve::treatments);
        let mut names: Vec<&str> = Vec::new();
        let all = listed
            .into_iter()
            .chain(served)
            .chain([default_treatment])
            .chain(configurations.keys().map(String::as_str));
        for name in all {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
            .into_iter()
            .map(|name| Treatment {
                name: name.to_owned(),
                config: self.config(&configurations, name),
            })
            .collect()
    }

    fn config(&mut self, configurations: &Map<String, Value>, name: &str) -> Option<Value> {
        let at = format!("configurations.{name}");
        match configurations.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(config) if config.is_object() => Some(config),
                _ => self.fail(&at, "must be a JSON object, as a string"),
            },
            Some(_) => self.fail(&at, "must be a string"),
        }
    }
}
