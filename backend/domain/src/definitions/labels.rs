//! Labels: the "why" the SDKs attach to each impression (`r`). The special ones are fixed
//! strings in the SDKs (JS `utils/labels/index.ts`, Python `models/impressions.py` `Label`);
//! a rule's label is whatever text its condition carries, which Imprint generates from the
//! rule the way the Split console does (`in segment employees`,
//! `user.location in list ["california"]`, `whitelisted`, `default rule`).
//!
//! Labels carry no identifying information (every impression repeats its label): a matcher on
//! the key itself never shows the keys, prefixes or patterns it compares with, only how many
//! (`in list of 3 keys`). Attribute values stay, as in the Split console's labels.

use super::js::{format_utc_day, format_utc_minute};
use super::model::{FlagDefinition, Matcher, MatcherCondition, NumericType, Rule, RuleKind};
use crate::ingest::IngestLimits;
use serde_json::Number;

/// The flag is killed: its default treatment is served.
pub const KILLED: &str = "killed";
/// The key is outside the traffic allocation: default treatment.
pub const NOT_IN_SPLIT: &str = "not in split";
/// Unknown or archived flag: `control`.
pub const DEFINITION_NOT_FOUND: &str = "definition not found";
/// The evaluation failed: `control`.
pub const EXCEPTION: &str = "exception";
/// The catch-all rule, and what the SDKs report when no rule matched: default treatment.
pub const DEFAULT_RULE: &str = "default rule";
/// A prerequisite flag gave another treatment: default treatment.
pub const PREREQUISITES_NOT_MET: &str = "prerequisites not met";
/// The SDK had not synchronised yet: `control`. Never produced here.
pub const NOT_READY: &str = "not ready";
/// What JS answers for an archived flag still in its storage; it never is, because the
/// synchroniser drops archived flags (JS `sync/polling/updaters/splitChangesUpdater.ts`).
pub const ARCHIVED: &str = "archived";
/// JS, for a flag with no condition it can parse: `control`.
pub const UNSUPPORTED_MATCHER: &str = "targeting rule type unsupported by sdk";
/// Individual targets (a whitelist rule on the key).
pub const WHITELISTED: &str = "whitelisted";
/// Individual targets given as segments.
pub const WHITELISTED_SEGMENT: &str = "whitelisted segment";

/// Labels a rule may not carry: they would pass an impression off as a special case.
pub const RESERVED_LABELS: [&str; 9] = [
    KILLED,
    NOT_IN_SPLIT,
    DEFINITION_NOT_FOUND,
    EXCEPTION,
    DEFAULT_RULE,
    PREREQUISITES_NOT_MET,
    NOT_READY,
    ARCHIVED,
    UNSUPPORTED_MATCHER,
];

/// Ingestion rejects longer labels, so the SDKs must never be handed one.
pub const MAX_LABEL_BYTES: usize = IngestLimits::DEFAULT_MAX_KEY_BYTES;

/// The generated label of a rule of `flag`.
pub(crate) fn generate(flag: &FlagDefinition, rule: &Rule) -> String {
    generate_with(flag, rule, true)
}

/// The label Imprint generated before labels stopped showing what key matchers compare with
/// (`in list ["alice"]`): what a definition saved back then carries as its rule's label.
pub(crate) fn generate_revealing_keys(flag: &FlagDefinition, rule: &Rule) -> String {
    generate_with(flag, rule, false)
}

fn generate_with(flag: &FlagDefinition, rule: &Rule, hide_key_values: bool) -> String {
    let on_key = |m: &Matcher| m.attribute.is_none() && !m.negate;
    let all =
        |f: &dyn Fn(&Matcher) -> bool| !rule.matchers.is_empty() && rule.matchers.iter().all(f);
    if rule.kind == RuleKind::Whitelist {
        if all(&|m| on_key(m) && matches!(m.condition, MatcherCondition::InList { .. })) {
            return WHITELISTED.to_owned();
        }
        if all(&|m| on_key(m) && matches!(m.condition, MatcherCondition::InSegment { .. })) {
            return WHITELISTED_SEGMENT.to_owned();
        }
    }
    let text = rule
        .matchers
        .iter()
        .map(|m| describe(m, &flag.traffic_type, hide_key_values))
        .collect::<Vec<_>>()
        .join(" and ");
    truncate(text)
}

/// `user.plan in list ["premium"]`; matchers on the key have no subject
/// (`in segment employees`), as in the Split console.
fn describe(matcher: &Matcher, traffic_type: &str, hide_key_values: bool) -> String {
    let not = if matcher.negate { "not " } else { "" };
    let subject = match &matcher.attribute {
        Some(attribute) => format!("{traffic_type}.{attribute} "),
        None => match without_key_values(&matcher.condition).filter(|_| hide_key_values) {
            Some(redacted) => return format!("{not}{redacted}"),
            None => String::new(),
        },
    };
    let predicate = match &matcher.condition {
        MatcherCondition::AllKeys => format!("{not}in segment all"),
        MatcherCondition::InSegment { segment } => format!("{not}in segment {segment}"),
        MatcherCondition::InList { values } => format!("{not}in list {}", list(values)),
        MatcherCondition::EqualTo { value, data_type } => match data_type {
            NumericType::Number => format!("{not}equal to {value}"),
            NumericType::Datetime => format!("{not}on {}", day(value)),
        },
        MatcherCondition::GreaterThanOrEqualTo { value, data_type } => match data_type {
            NumericType::Number => format!("{not}greater than or equal to {value}"),
            NumericType::Datetime => format!("{not}on or after {}", minute(value)),
        },
        MatcherCondition::LessThanOrEqualTo { value, data_type } => match data_type {
            NumericType::Number => format!("{not}less than or equal to {value}"),
            NumericType::Datetime => format!("{not}on or before {}", minute(value)),
        },
        MatcherCondition::Between {
            start,
            end,
            data_type,
        } => match data_type {
            NumericType::Number => format!("{not}between {start} and {end}"),
            NumericType::Datetime => {
                format!("{not}between {} and {}", minute(start), minute(end))
            }
        },
        MatcherCondition::EqualToSet { values } => format!("{not}equal to set {}", list(values)),
        MatcherCondition::ContainsAnyOfSet { values } => {
            format!("{not}contains any of {}", list(values))
        }
        MatcherCondition::ContainsAllOfSet { values } => {
            format!("{not}contains all of {}", list(values))
        }
        MatcherCondition::PartOfSet { values } => format!("{not}part of {}", list(values)),
        MatcherCondition::StartsWith { values } => format!("{not}starts with {}", list(values)),
        MatcherCondition::EndsWith { values } => format!("{not}ends with {}", list(values)),
        MatcherCondition::ContainsString { values } => format!("{not}contains {}", list(values)),
        MatcherCondition::MatchesRegex { pattern } => format!("{not}matches {}", quoted(pattern)),
        MatcherCondition::EqualToBoolean { value } => format!("is {not}{value}"),
        MatcherCondition::InFlagTreatment { flag, treatments } => {
            format!("{not}in flag {flag} treatment {}", list(treatments))
        }
        MatcherCondition::EqualToSemver { version } => format!("{not}equal to semver {version}"),
        MatcherCondition::GreaterThanOrEqualToSemver { version } => {
            format!("{not}greater than or equal to semver {version}")
        }
        MatcherCondition::LessThanOrEqualToSemver { version } => {
            format!("{not}less than or equal to semver {version}")
        }
        MatcherCondition::BetweenSemver { start, end } => {
            format!("{not}between semver {start} and {end}")
        }
        MatcherCondition::InListSemver { versions } => {
            format!("{not}in semver list {}", list(versions))
        }
    };
    format!("{subject}{predicate}")
}

/// How a matcher on the key reads when what it compares with would be (part of) keys; `None`
/// for conditions that carry no key material (segments, all keys, ranges, versions, dates).
fn without_key_values(condition: &MatcherCondition) -> Option<String> {
    let counted = |what: &str, values: &[String], noun: &str| {
        let plural = match (values.len(), noun.ends_with('x')) {
            (1, _) => "",
            (_, true) => "es",
            _ => "s",
        };
        format!("{what} {} {noun}{plural}", values.len())
    };
    Some(match condition {
        MatcherCondition::InList { values } => counted("in list of", values, "key"),
        MatcherCondition::EqualToSet { values } => counted("equal to a set of", values, "value"),
        MatcherCondition::ContainsAnyOfSet { values } => {
            counted("contains any of", values, "value")
        }
        MatcherCondition::ContainsAllOfSet { values } => {
            counted("contains all of", values, "value")
        }
        MatcherCondition::PartOfSet { values } => counted("part of a set of", values, "value"),
        MatcherCondition::StartsWith { values } => counted("starts with one of", values, "prefix"),
        MatcherCondition::EndsWith { values } => counted("ends with one of", values, "suffix"),
        MatcherCondition::ContainsString { values } => counted("contains one of", values, "string"),
        MatcherCondition::MatchesRegex { .. } => "matches a pattern".to_owned(),
        MatcherCondition::EqualTo {
            data_type: NumericType::Number,
            ..
        } => "equal to a number".to_owned(),
        _ => return None,
    })
}

/// `["a", "b"]`, each value quoted as a JSON string (the seeds' `["california"]`).
fn list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| quoted(v)).collect();
    format!("[{}]", quoted.join(", "))
}

fn quoted(value: &str) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("\"{value}\""))
}

fn day(ms: &Number) -> String {
    ms.as_f64()
        .map(format_utc_day)
        .unwrap_or_else(|| ms.to_string())
}

fn minute(ms: &Number) -> String {
    ms.as_f64()
        .map(format_utc_minute)
        .unwrap_or_else(|| ms.to_string())
}

/// Cuts at a character boundary and marks the cut, so the label stays within what ingestion
/// accepts.
fn truncate(mut text: String) -> String {
    if text.len() <= MAX_LABEL_BYTES {
        return text;
    }
    let ellipsis = "…";
    let mut end = MAX_LABEL_BYTES - ellipsis.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text.push_str(ellipsis);
    text
}
