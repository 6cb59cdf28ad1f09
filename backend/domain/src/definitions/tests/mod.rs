//! Tests of the definitions module, with shared builders.

mod bucketing;
mod evaluation;
mod labels;
mod matchers;
mod sdk_parity;
mod split_format;
mod text_matchers;
mod validation;

use super::*;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Segments and flags by name.
#[derive(Default)]
pub(super) struct World {
    pub segments: HashMap<String, Vec<String>>,
    pub flags: HashMap<String, FlagDefinition>,
}

impl EvaluationContext for World {
    fn in_segment(&self, segment: &str, key: &str) -> bool {
        self.segments
            .get(segment)
            .is_some_and(|keys| keys.iter().any(|k| k == key))
    }

    fn flag(&self, name: &str) -> Option<&FlagDefinition> {
        self.flags.get(name)
    }
}

impl World {
    pub fn with_segment(mut self, name: &str, keys: &[&str]) -> Self {
        self.segments
            .insert(name.into(), keys.iter().map(|k| (*k).to_owned()).collect());
        self
    }

    pub fn with_flag(mut self, flag: FlagDefinition) -> Self {
        self.flags.insert(flag.name.clone(), flag);
        self
    }
}

/// A flag with treatments on/off (on configured), default off, serving `on` to everyone.
pub(super) fn flag(name: &str) -> FlagDefinition {
    FlagDefinition {
        name: name.into(),
        traffic_type: "user".into(),
        treatments: vec![
            Treatment {
                name: "on".into(),
                config: Some(json!({"color": "blue"})),
            },
            Treatment {
                name: "off".into(),
                config: None,
            },
        ],
        default_treatment: "off".into(),
        killed: false,
        traffic_allocation: 100,
        traffic_allocation_seed: 1_314_412_357,
        seed: -1_329_591_480,
        sets: vec![],
        description: String::new(),
        status: FlagStatus::Active,
        rules: vec![],
        default_rule: Some(Serve::Treatment("on".into())),
        prerequisites: vec![],
        change_number: 1_700_000_000_000,
    }
}

pub(super) fn rule(matchers: Vec<Matcher>, serve: &str) -> Rule {
    Rule {
        kind: RuleKind::Rollout,
        matchers,
        serve: Serve::Treatment(serve.into()),
        label: None,
    }
}

pub(super) fn on_key(condition: MatcherCondition) -> Matcher {
    Matcher {
        negate: false,
        attribute: None,
        condition,
    }
}

pub(super) fn on_attribute(attribute: &str, condition: MatcherCondition) -> Matcher {
    Matcher {
        negate: false,
        attribute: Some(attribute.into()),
        condition,
    }
}

pub(super) fn not(mut matcher: Matcher) -> Matcher {
    matcher.negate = true;
    matcher
}

pub(super) fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

pub(super) fn attrs(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Evaluates `flag` for `key` in `world`.
pub(super) fn eval(
    world: &World,
    flag: &FlagDefinition,
    key: &str,
    attributes: Value,
) -> Evaluation {
    evaluate(
        Some(flag),
        &EvaluationKey::new(key),
        &attrs(attributes),
        world,
    )
}
