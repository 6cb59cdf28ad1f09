//! Imprint's own flag model, as the REST API reads and writes it (snake_case JSON).
//! The Split SDK format is a different shape (see `split_export` and `split_import`).

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use std::fmt;

/// One feature flag in one environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlagDefinition {
    pub name: String,
    pub traffic_type: String,
    /// Every treatment the flag can serve, in the order the console shows them.
    pub treatments: Vec<Treatment>,
    /// Served when the flag is killed, when no rule matches, and to keys outside the traffic
    /// allocation.
    pub default_treatment: String,
    #[serde(default)]
    pub killed: bool,
    /// Percentage (0..=100) of keys that may reach the rollout rules.
    #[serde(default = "full_allocation")]
    pub traffic_allocation: u8,
    /// Seed of the traffic-allocation bucket; independent of `seed` so that changing the
    /// allocation does not reshuffle who gets which treatment.
    #[serde(default)]
    pub traffic_allocation_seed: i32,
    /// Seed of the treatment bucket. The store should pick both seeds at random when a flag is
    /// created: flags sharing a seed split the same keys the same way.
    #[serde(default)]
    pub seed: i32,
    /// Flag sets (tags). SDKs can be configured to fetch only some sets.
    #[serde(default)]
    pub sets: Vec<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub status: FlagStatus,
    /// Targeting rules, evaluated in order; the first whose matchers all match decides.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// What keys that match no rule get (a catch-all rollout rule labelled `default rule`).
    /// `None` only for imported definitions that had no catch-all condition: then such keys
    /// get the default treatment.
    #[serde(default)]
    pub default_rule: Option<Serve>,
    /// Flags that must give one of the listed treatments first, or this flag serves its
    /// default treatment with the label `prerequisites not met`.
    #[serde(default)]
    pub prerequisites: Vec<Prerequisite>,
    /// Version of the definition, in ms; the SDKs only ever move forward.
    #[serde(default)]
    pub change_number: i64,
}

fn full_allocation() -> u8 {
    100
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagStatus {
    #[default]
    Active,
    /// Archived flags are not served; the SDKs answer `control` / `definition not found`.
    Archived,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Treatment {
    pub name: String,
    /// Dynamic configuration returned with the treatment (`getTreatmentWithConfig`): a JSON
    /// object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rule {
    #[serde(default)]
    pub kind: RuleKind,
    /// All must match (AND).
    pub matchers: Vec<Matcher>,
    pub serve: Serve,
    /// The label the SDKs report when this rule decides; `None` means generated
    /// (see `FlagDefinition::label_of`).
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Individual targets: evaluated before the traffic allocation is applied.
    Whitelist,
    /// A targeting rule: keys outside the traffic allocation never reach it.
    #[default]
    Rollout,
}

/// What a rule serves. JSON: `{"treatment":"on"}` or
/// `{"split":[{"treatment":"on","size":50},{"treatment":"off","size":50}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Serve {
    Treatment(String),
    /// At least two partitions whose sizes add up to 100.
    Split(Vec<Partition>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Partition {
    pub treatment: String,
    /// Percentage, 0..=100.
    pub size: u8,
}

/// One condition on the key or on an attribute. JSON:
/// `{"negate":false,"attribute":"plan","condition":{"type":"in_list","values":["premium"]}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Matcher {
    /// Inverts the result, including for a missing attribute (which then matches).
    #[serde(default)]
    pub negate: bool,
    /// `None`: the matcher looks at the key itself.
    #[serde(default)]
    pub attribute: Option<String>,
    pub condition: MatcherCondition,
}

/// The matcher kinds the Split SDKs know (their `matcherType` in brackets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MatcherCondition {
    /// Any key (`ALL_KEYS`).
    AllKeys,
    /// The value is a member of the segment (`IN_SEGMENT`).
    InSegment { segment: String },
    /// The value is one of these strings (`WHITELIST`; on the key: individual targets).
    InList { values: Vec<String> },
    /// Number equal (`EQUAL_TO`); with `datetime`, same UTC day (values in ms).
    EqualTo {
        #[schema(value_type = f64)]
        value: Number,
        #[serde(default)]
        data_type: NumericType,
    },
    /// `GREATER_THAN_OR_EQUAL_TO`; with `datetime`, compared to the minute.
    GreaterThanOrEqualTo {
        #[schema(value_type = f64)]
        value: Number,
        #[serde(default)]
        data_type: NumericType,
    },
    /// `LESS_THAN_OR_EQUAL_TO`; with `datetime`, compared to the minute.
    LessThanOrEqualTo {
        #[schema(value_type = f64)]
        value: Number,
        #[serde(default)]
        data_type: NumericType,
    },
    /// Inclusive range (`BETWEEN`); with `datetime`, compared to the minute.
    Between {
        #[schema(value_type = f64)]
        start: Number,
        #[schema(value_type = f64)]
        end: Number,
        #[serde(default)]
        data_type: NumericType,
    },
    /// The attribute (a list) holds exactly these values (`EQUAL_TO_SET`).
    EqualToSet { values: Vec<String> },
    /// `CONTAINS_ANY_OF_SET`.
    ContainsAnyOfSet { values: Vec<String> },
    /// `CONTAINS_ALL_OF_SET`.
    ContainsAllOfSet { values: Vec<String> },
    /// Every value of the attribute list is one of these (`PART_OF_SET`).
    PartOfSet { values: Vec<String> },
    /// `STARTS_WITH` any of the values.
    StartsWith { values: Vec<String> },
    /// `ENDS_WITH` any of the values.
    EndsWith { values: Vec<String> },
    /// `CONTAINS_STRING`: contains any of the values.
    ContainsString { values: Vec<String> },
    /// `MATCHES_STRING`: a JavaScript regular expression, unanchored.
    MatchesRegex { pattern: String },
    /// `EQUAL_TO_BOOLEAN`: true/false, or the strings "true"/"false" in any case.
    EqualToBoolean { value: bool },
    /// `IN_SPLIT_TREATMENT`: the same key gets one of these treatments of another flag.
    InFlagTreatment {
        flag: String,
        treatments: Vec<String>,
    },
    /// `EQUAL_TO_SEMVER` (build metadata counts for equality).
    EqualToSemver { version: String },
    /// `GREATER_THAN_OR_EQUAL_TO_SEMVER`.
    GreaterThanOrEqualToSemver { version: String },
    /// `LESS_THAN_OR_EQUAL_TO_SEMVER`.
    LessThanOrEqualToSemver { version: String },
    /// `BETWEEN_SEMVER`, inclusive.
    BetweenSemver { start: String, end: String },
    /// `IN_LIST_SEMVER`.
    InListSemver { versions: Vec<String> },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NumericType {
    #[default]
    Number,
    /// Milliseconds since the epoch (UTC).
    Datetime,
}

/// Split's `prerequisites: [{"n": flag, "ts": [treatments]}]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Prerequisite {
    pub flag: String,
    pub treatments: Vec<String>,
}

/// A named list of keys (what `/segmentChanges` serves).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub name: String,
    pub keys: Vec<String>,
}

/// One problem with one field; `field` is a path such as `rules[2].serve.split`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

impl FlagDefinition {
    /// Checks everything the SDKs and the console rely on; every problem is reported, each
    /// with the path of its field. `segment_exists` and `flag_exists` answer for the same
    /// environment.
    pub fn validate(
        &self,
        segment_exists: &dyn Fn(&str) -> bool,
        flag_exists: &dyn Fn(&str) -> bool,
    ) -> Result<(), Vec<FieldError>> {
        super::validate::validate(self, segment_exists, flag_exists)
    }

    /// The label the SDKs report when rule `rule_index` decides. Index `rules.len()` is the
    /// default rule (`default rule`). Past that, `default rule` too: it is what the SDKs
    /// report when nothing matched.
    pub fn label_of(&self, rule_index: usize) -> String {
        match self.rules.get(rule_index) {
            Some(rule) => match &rule.label {
                Some(label) => label.clone(),
                None => super::labels::generate(self, rule),
            },
            None => super::labels::DEFAULT_RULE.to_owned(),
        }
    }

    /// Segments the rules reference, each once, in order of appearance: the SDKs fetch each
    /// of them from `/segmentChanges` before they are ready.
    pub fn segments(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for matcher in self.rules.iter().flat_map(|rule| &rule.matchers) {
            if let MatcherCondition::InSegment { segment } = &matcher.condition {
                if !names.contains(segment) {
                    names.push(segment.clone());
                }
            }
        }
        names
    }

    /// Other flags this one evaluates (dependency matchers and prerequisites), each once.
    pub fn dependencies(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let from_matchers = self
            .rules
            .iter()
            .flat_map(|rule| &rule.matchers)
            .filter_map(|matcher| match &matcher.condition {
                MatcherCondition::InFlagTreatment { flag, .. } => Some(flag),
                _ => None,
            });
        let from_prerequisites = self.prerequisites.iter().map(|p| &p.flag);
        for name in from_prerequisites.chain(from_matchers) {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }

    /// A copy in which each rule label that an older Imprint generated with the values of a
    /// key matcher in it (`in list ["alice"]`) is dropped, so it is generated anew without
    /// them. Labels people gave (anything else) stay as given.
    pub fn without_key_revealing_labels(&self) -> FlagDefinition {
        let mut copy = self.clone();
        for rule in &mut copy.rules {
            let Some(label) = &rule.label else {
                continue;
            };
            let revealing = super::labels::generate_revealing_keys(self, rule);
            if *label == revealing && revealing != super::labels::generate(self, rule) {
                rule.label = None;
            }
        }
        copy
    }

    /// A copy whose rules all carry their label explicitly, as an import gives them back.
    pub fn with_materialised_labels(&self) -> FlagDefinition {
        let mut copy = self.clone();
        for (index, rule) in copy.rules.iter_mut().enumerate() {
            rule.label = Some(self.label_of(index));
        }
        copy
    }

    pub(crate) fn treatment(&self, name: &str) -> Option<&Treatment> {
        self.treatments.iter().find(|t| t.name == name)
    }
}

impl Serve {
    /// The treatment for a bucket (1..=100): the first partition whose cumulative size
    /// reaches the bucket (JS `evaluator/treatments/index.ts`, Python `engine/splitters.py`).
    pub(crate) fn treatment_for(&self, bucket: u8) -> Option<&str> {
        match self {
            Serve::Treatment(name) => Some(name),
            Serve::Split(partitions) => {
                let mut covered: u32 = 0;
                for partition in partitions {
                    covered += u32::from(partition.size);
                    if u32::from(bucket) <= covered {
                        return Some(&partition.treatment);
                    }
                }
                None
            }
        }
    }

    pub(crate) fn treatments(&self) -> Vec<&str> {
        match self {
            Serve::Treatment(name) => vec![name.as_str()],
            Serve::Split(partitions) => partitions.iter().map(|p| p.treatment.as_str()).collect(),
        }
    }
}
