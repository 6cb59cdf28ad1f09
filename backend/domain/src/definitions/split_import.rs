//! The Split SDK format (one element of `splitChanges` `ff.d`) to Imprint's model, keeping
//! the meaning: conditions, matchers, partitions, labels, configurations, seeds, allocation,
//! status, killed, default treatment, sets and change number. Anything the model could not
//! express the same way is an error naming the field, never a guess and never a panic.
//!
//! Defaults follow the SDKs: no `trafficAllocation` is 100 (Python `models/splits.py`; JS
//! compares `undefined < 100`, false), no `trafficAllocationSeed` is 0 (JS `seed >>> 0`), no
//! `conditionType` is a whitelist condition (Python's default; JS applies the allocation to
//! `ROLLOUT` only).

use super::labels::DEFAULT_RULE;
use super::model::{
    FieldError, FlagDefinition, FlagStatus, Matcher, MatcherCondition, Partition, Rule, RuleKind,
    Serve,
};
use serde_json::{Map, Value};

/// Whether the definition asks the SDKs not to send its impressions.
pub fn impressions_disabled_of(value: &Value) -> bool {
    value.get("impressionsDisabled").and_then(Value::as_bool) == Some(true)
}

/// Reads one Split flag definition.
pub fn from_split_json(value: &Value) -> Result<FlagDefinition, Vec<FieldError>> {
    let mut r = Reader::default();
    let Some(flag) = value.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "a flag definition must be a JSON object",
        )]);
    };
    let name = r.string(flag, "", "name").unwrap_or_default();
    let traffic_type = r.string(flag, "", "trafficTypeName").unwrap_or_default();
    let seed = r.int32(flag, "", "seed", None).unwrap_or_default();
    let traffic_allocation_seed = r
        .int32(flag, "", "trafficAllocationSeed", Some(0))
        .unwrap_or_default();
    let traffic_allocation = r
        .percentage(flag, "", "trafficAllocation", Some(100))
        .unwrap_or(100);
    let killed = r.boolean(flag, "killed").unwrap_or_default();
    let default_treatment = r.string(flag, "", "defaultTreatment").unwrap_or_default();
    let change_number = match flag.get("changeNumber").and_then(Value::as_i64) {
        Some(cn) => cn,
        None => r.fail("changeNumber", "must be an integer"),
    };
    let status = match flag.get("status").and_then(Value::as_str) {
        Some("ACTIVE") => FlagStatus::Active,
        Some("ARCHIVED") => FlagStatus::Archived,
        _ => r.fail("status", "must be \"ACTIVE\" or \"ARCHIVED\""),
    };
    match flag.get("algo") {
        None | Some(Value::Null) => {}
        Some(algo) if algo.as_i64() == Some(2) => {}
        Some(_) => r.error("algo", "only algo 2 (murmur3) is supported"),
    }
    let sets = r.strings_or_empty(flag, "", "sets");
    let (rules, default_rule) = r.conditions(flag);
    let prerequisites = r.prerequisites(flag);
    let description = flag
        .get("imprint")
        .and_then(|i| i.get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let treatments = r.treatments(flag, &rules, &default_rule, &default_treatment);
    if !r.errors.is_empty() {
        return Err(r.errors);
    }
    Ok(FlagDefinition {
        name,
        traffic_type,
        treatments,
        default_treatment,
        killed,
        traffic_allocation,
        traffic_allocation_seed,
        seed,
        sets,
        description,
        status,
        rules,
        default_rule,
        prerequisites,
        change_number,
    })
}

#[derive(Default)]
pub(super) struct Reader {
    pub(super) errors: Vec<FieldError>,
}

pub(super) fn path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

impl Reader {
    pub(super) fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Records the error and yields a placeholder (the result is discarded on error).
    pub(super) fn fail<T: Default>(&mut self, field: &str, message: &str) -> T {
        self.error(field, message);
        T::default()
    }

    pub(super) fn string(
        &mut self,
        object: &Map<String, Value>,
        prefix: &str,
        field: &str,
    ) -> Option<String> {
        match object.get(field).and_then(Value::as_str) {
            Some(text) => Some(text.to_owned()),
            None => {
                self.error(path(prefix, field), "must be a string");
                None
            }
        }
    }

    fn boolean(&mut self, object: &Map<String, Value>, field: &str) -> Option<bool> {
        let value = object.get(field).and_then(Value::as_bool);
        if value.is_none() {
            self.error(field, "must be true or false");
        }
        value
    }

    fn int32(
        &mut self,
        object: &Map<String, Value>,
        prefix: &str,
        field: &str,
        default: Option<i32>,
    ) -> Option<i32> {
        match object.get(field) {
            None | Some(Value::Null) if default.is_some() => default,
            value => match value
                .and_then(Value::as_i64)
                .and_then(|v| i32::try_from(v).ok())
            {
                Some(v) => Some(v),
                None => {
                    self.error(path(prefix, field), "must be a 32-bit integer");
                    None
                }
            },
        }
    }

    fn percentage(
        &mut self,
        object: &Map<String, Value>,
        prefix: &str,
        field: &str,
        default: Option<u8>,
    ) -> Option<u8> {
        match object.get(field) {
            None | Some(Value::Null) if default.is_some() => default,
            value => match value.and_then(Value::as_u64).filter(|v| *v <= 100) {
                Some(v) => u8::try_from(v).ok(),
                None => {
                    self.error(path(prefix, field), "must be an integer from 0 to 100");
                    None
                }
            },
        }
    }

    pub(super) fn strings(&mut self, value: Option<&Value>, field: &str) -> Vec<String> {
        let items = value.and_then(Value::as_array).map(|items| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        });
        match items {
            Some(Some(strings)) => strings,
            _ => self.fail(field, "must be a list of strings"),
        }
    }

    fn strings_or_empty(
        &mut self,
        object: &Map<String, Value>,
        prefix: &str,
        field: &str,
    ) -> Vec<String> {
        match object.get(field) {
            None | Some(Value::Null) => Vec::new(),
            value => self.strings(value, &path(prefix, field)),
        }
    }

    /// Conditions become rules, except a final catch-all (`ROLLOUT`, one plain `ALL_KEYS`
    /// on the key, labelled `default rule`), which is the default rule.
    fn conditions(&mut self, flag: &Map<String, Value>) -> (Vec<Rule>, Option<Serve>) {
        let Some(conditions) = flag.get("conditions").and_then(Value::as_array) else {
            self.error("conditions", "must be a list");
            return (Vec::new(), None);
        };
        let mut rules: Vec<Rule> = conditions
            .iter()
            .enumerate()
            .filter_map(|(index, c)| self.condition(&format!("conditions[{index}]"), c))
            .collect();
        let is_catch_all = |rule: &Rule| {
            rule.kind == RuleKind::Rollout
                && rule.label.as_deref() == Some(DEFAULT_RULE)
                && matches!(
                    rule.matchers.as_slice(),
                    [Matcher {
                        negate: false,
                        attribute: None,
                        condition: MatcherCondition::AllKeys
                    }]
                )
        };
        let default_rule = match rules.last() {
            Some(last) if is_catch_all(last) => rules.pop().map(|rule| rule.serve),
            _ => None,
        };
        (rules, default_rule)
    }

    fn condition(&mut self, at: &str, condition: &Value) -> Option<Rule> {
        let Some(condition) = condition.as_object() else {
            self.error(at, "must be an object");
            return None;
        };
        let kind = match condition.get("conditionType") {
            None | Some(Value::Null) => RuleKind::Whitelist,
            Some(Value::String(t)) if t == "WHITELIST" => RuleKind::Whitelist,
            Some(Value::String(t)) if t == "ROLLOUT" => RuleKind::Rollout,
            Some(_) => self.fail(
                &path(at, "conditionType"),
                "must be \"WHITELIST\" or \"ROLLOUT\"",
            ),
        };
        let group = condition.get("matcherGroup").and_then(Value::as_object);
        let group_at = path(at, "matcherGroup");
        if group
            .and_then(|g| g.get("combiner"))
            .and_then(Value::as_str)
            != Some("AND")
        {
            self.error(path(&group_at, "combiner"), "only the AND combiner exists");
        }
        let matchers: Vec<Matcher> = match group
            .and_then(|g| g.get("matchers"))
            .and_then(Value::as_array)
        {
            Some(list) if !list.is_empty() => list
                .iter()
                .enumerate()
                .filter_map(|(i, m)| self.matcher(&format!("{group_at}.matchers[{i}]"), m))
                .collect(),
            _ => self.fail(&path(&group_at, "matchers"), "must be a non-empty list"),
        };
        let serve = self.partitions(&path(at, "partitions"), condition.get("partitions"))?;
        let label = match condition.get("label") {
            Some(Value::String(label)) => Some(label.clone()),
            _ => self.fail(&path(at, "label"), "must be a string"),
        };
        Some(Rule {
            kind,
            matchers,
            serve,
            label,
        })
    }

    /// One partition of 100% is a single treatment; anything else a split, kept as is
    /// (zero-size partitions included). Sizes must add up to 100: the JS SDK throws otherwise.
    fn partitions(&mut self, at: &str, value: Option<&Value>) -> Option<Serve> {
        let Some(list) = value.and_then(Value::as_array).filter(|l| !l.is_empty()) else {
            self.error(at, "must be a non-empty list");
            return None;
        };
        let mut partitions = Vec::with_capacity(list.len());
        for (index, partition) in list.iter().enumerate() {
            let field = format!("{at}[{index}]");
            let Some(object) = partition.as_object() else {
                self.error(field, "must be an object");
                continue;
            };
            let treatment = self.string(object, &field, "treatment");
            let size = self.percentage(object, &field, "size", None);
            if let (Some(treatment), Some(size)) = (treatment, size) {
                partitions.push(Partition { treatment, size });
            }
        }
        let total: u32 = partitions.iter().map(|p| u32::from(p.size)).sum();
        if total != 100 {
            self.error(at, format!("sizes add up to {total}, not 100"));
            return None;
        }
        match partitions.as_slice() {
            [only] => Some(Serve::Treatment(only.treatment.clone())),
            _ => Some(Serve::Split(partitions)),
        }
    }

    fn matcher(&mut self, at: &str, value: &Value) -> Option<Matcher> {
        let Some(m) = value.as_object() else {
            self.error(at, "must be an object");
            return None;
        };
        let negate = match m.get("negate") {
            Some(Value::Bool(negate)) => *negate,
            _ => self.fail(&path(at, "negate"), "must be true or false"),
        };
        let attribute = match m.get("keySelector").and_then(|k| k.get("attribute")) {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name.clone()),
            Some(_) => self.fail(
                &path(at, "keySelector.attribute"),
                "must be a string or null",
            ),
        };
        let matcher_type = m
            .get("matcherType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let condition = super::split_import_parts::condition(self, at, matcher_type, m)?;
        Some(Matcher {
            negate,
            attribute,
            condition,
        })
    }
}
