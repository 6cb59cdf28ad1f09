//! Imprint's model to the Split SDK format (one element of `splitChanges` `ff.d`).
//!
//! Field by field what both SDKs accepted in `served_responses.json`: `algo` 2 (murmur3;
//! Python would otherwise fall back to its legacy hash), `trafficAllocationSeed`, `negate`
//! on every matcher, every matcher data field (null when unused), `configurations` as JSON
//! strings, `sets`, `impressionsDisabled` as a real boolean, a label on every condition and,
//! for the default rule, a final `ALL_KEYS` rollout condition labelled `default rule`.
//!
//! One addition the SDKs ignore (Python reads known fields only, JS stores the object
//! as is): `imprint: {treatments, description}`, so that an export imports back to the same
//! definition (a treatment no rule serves and the description exist nowhere else).

use super::labels::DEFAULT_RULE;
use super::model::{
    FlagDefinition, FlagStatus, Matcher, MatcherCondition, NumericType, RuleKind, Serve,
};
use serde_json::{json, Map, Value};

/// The definition as the SDKs receive it.
pub fn to_split_json(def: &FlagDefinition, impressions_disabled: bool) -> Value {
    let mut conditions: Vec<Value> = def
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            condition(
                def,
                rule.kind,
                &rule.matchers,
                &rule.serve,
                &def.label_of(index),
            )
        })
        .collect();
    if let Some(serve) = &def.default_rule {
        let all_keys = Matcher {
            negate: false,
            attribute: None,
            condition: MatcherCondition::AllKeys,
        };
        conditions.push(condition(
            def,
            RuleKind::Rollout,
            &[all_keys],
            serve,
            DEFAULT_RULE,
        ));
    }
    let configurations: Map<String, Value> = def
        .treatments
        .iter()
        .filter_map(|t| {
            let config = t.config.as_ref()?;
            Some((t.name.clone(), Value::String(config.to_string())))
        })
        .collect();
    let mut flag = json!({
        "name": def.name,
        "trafficTypeName": def.traffic_type,
        "trafficAllocation": def.traffic_allocation,
        "trafficAllocationSeed": def.traffic_allocation_seed,
        "seed": def.seed,
        "status": match def.status {
            FlagStatus::Active => "ACTIVE",
            FlagStatus::Archived => "ARCHIVED",
        },
        "killed": def.killed,
        "defaultTreatment": def.default_treatment,
        "changeNumber": def.change_number,
        "algo": 2,
        "configurations": configurations,
        "sets": def.sets,
        "impressionsDisabled": impressions_disabled,
        "conditions": conditions,
        "imprint": {
            "treatments": def.treatments.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            "description": def.description,
        },
    });
    if !def.prerequisites.is_empty() {
        let prerequisites: Vec<Value> = def
            .prerequisites
            .iter()
            .map(|p| json!({"n": p.flag, "ts": p.treatments}))
            .collect();
        if let Some(object) = flag.as_object_mut() {
            object.insert("prerequisites".into(), Value::Array(prerequisites));
        }
    }
    flag
}

fn condition(
    def: &FlagDefinition,
    kind: RuleKind,
    matchers: &[Matcher],
    serve: &Serve,
    label: &str,
) -> Value {
    let partitions: Vec<Value> = match serve {
        Serve::Treatment(name) => vec![json!({"treatment": name, "size": 100})],
        Serve::Split(partitions) => partitions
            .iter()
            .map(|p| json!({"treatment": p.treatment, "size": p.size}))
            .collect(),
    };
    json!({
        "conditionType": match kind {
            RuleKind::Whitelist => "WHITELIST",
            RuleKind::Rollout => "ROLLOUT",
        },
        "matcherGroup": {
            "combiner": "AND",
            "matchers": matchers.iter().map(|m| matcher(def, m)).collect::<Vec<_>>(),
        },
        "partitions": partitions,
        "label": label,
    })
}

fn matcher(def: &FlagDefinition, matcher: &Matcher) -> Value {
    use MatcherCondition as C;
    let (matcher_type, data_field, data) = match &matcher.condition {
        C::AllKeys => ("ALL_KEYS", None, Value::Null),
        C::InSegment { segment } => (
            "IN_SEGMENT",
            Some("userDefinedSegmentMatcherData"),
            json!({"segmentName": segment}),
        ),
        C::InList { values } => ("WHITELIST", Some(WHITELIST_DATA), whitelist(values)),
        C::EqualTo { value, data_type } => ("EQUAL_TO", Some(UNARY_DATA), unary(value, *data_type)),
        C::GreaterThanOrEqualTo { value, data_type } => (
            "GREATER_THAN_OR_EQUAL_TO",
            Some(UNARY_DATA),
            unary(value, *data_type),
        ),
        C::LessThanOrEqualTo { value, data_type } => (
            "LESS_THAN_OR_EQUAL_TO",
            Some(UNARY_DATA),
            unary(value, *data_type),
        ),
        C::Between {
            start,
            end,
            data_type,
        } => (
            "BETWEEN",
            Some("betweenMatcherData"),
            json!({"dataType": data_type_name(*data_type), "start": start, "end": end}),
        ),
        C::EqualToSet { values } => ("EQUAL_TO_SET", Some(WHITELIST_DATA), whitelist(values)),
        C::ContainsAnyOfSet { values } => (
            "CONTAINS_ANY_OF_SET",
            Some(WHITELIST_DATA),
            whitelist(values),
        ),
        C::ContainsAllOfSet { values } => (
            "CONTAINS_ALL_OF_SET",
            Some(WHITELIST_DATA),
            whitelist(values),
        ),
        C::PartOfSet { values } => ("PART_OF_SET", Some(WHITELIST_DATA), whitelist(values)),
        C::StartsWith { values } => ("STARTS_WITH", Some(WHITELIST_DATA), whitelist(values)),
        C::EndsWith { values } => ("ENDS_WITH", Some(WHITELIST_DATA), whitelist(values)),
        C::ContainsString { values } => {
            ("CONTAINS_STRING", Some(WHITELIST_DATA), whitelist(values))
        }
        C::MatchesRegex { pattern } => ("MATCHES_STRING", Some(STRING_DATA), json!(pattern)),
        C::EqualToBoolean { value } => {
            ("EQUAL_TO_BOOLEAN", Some("booleanMatcherData"), json!(value))
        }
        C::InFlagTreatment { flag, treatments } => (
            "IN_SPLIT_TREATMENT",
            Some("dependencyMatcherData"),
            json!({"split": flag, "treatments": treatments}),
        ),
        C::EqualToSemver { version } => ("EQUAL_TO_SEMVER", Some(STRING_DATA), json!(version)),
        C::GreaterThanOrEqualToSemver { version } => (
            "GREATER_THAN_OR_EQUAL_TO_SEMVER",
            Some(STRING_DATA),
            json!(version),
        ),
        C::LessThanOrEqualToSemver { version } => (
            "LESS_THAN_OR_EQUAL_TO_SEMVER",
            Some(STRING_DATA),
            json!(version),
        ),
        C::BetweenSemver { start, end } => (
            "BETWEEN_SEMVER",
            Some("betweenStringMatcherData"),
            json!({"start": start, "end": end}),
        ),
        C::InListSemver { versions } => {
            ("IN_LIST_SEMVER", Some(WHITELIST_DATA), whitelist(versions))
        }
    };
    let mut object = Map::new();
    object.insert(
        "keySelector".into(),
        json!({"trafficType": def.traffic_type, "attribute": matcher.attribute}),
    );
    object.insert("matcherType".into(), json!(matcher_type));
    object.insert("negate".into(), json!(matcher.negate));
    for field in DATA_FIELDS {
        object.insert(field.into(), Value::Null);
    }
    if let Some(field) = data_field {
        object.insert(field.into(), data);
    }
    Value::Object(object)
}

const WHITELIST_DATA: &str = "whitelistMatcherData";
const UNARY_DATA: &str = "unaryNumericMatcherData";
const STRING_DATA: &str = "stringMatcherData";

/// The data fields the fixture's matchers carry, each null unless used.
const DATA_FIELDS: [&str; 7] = [
    "userDefinedSegmentMatcherData",
    WHITELIST_DATA,
    UNARY_DATA,
    "betweenMatcherData",
    "booleanMatcherData",
    "dependencyMatcherData",
    STRING_DATA,
];

fn whitelist(values: &[String]) -> Value {
    json!({ "whitelist": values })
}

fn unary(value: &serde_json::Number, data_type: NumericType) -> Value {
    json!({"dataType": data_type_name(data_type), "value": value})
}

pub(crate) fn data_type_name(data_type: NumericType) -> &'static str {
    match data_type {
        NumericType::Number => "NUMBER",
        NumericType::Datetime => "DATETIME",
    }
}
