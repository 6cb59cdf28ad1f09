//! One matcher against one key and its attributes, as the SDKs do it.
//!
//! The value a matcher looks at is the attribute it names, or else the key (JS
//! `evaluator/value/index.ts`). The JS SDK first converts that value to the type the matcher
//! expects (`evaluator/value/sanitize.ts`, see `js.rs`); when there is no usable value, the
//! matcher's raw result is `false` and `negate` still applies, so a negated matcher matches
//! a missing attribute (JS `evaluator/parser/index.ts`: `result ^ negate`; Python
//! `matchers/base.py`: `negate ^ match`).
//!
//! On the key, the JS SDK hands numeric, date, set and boolean matchers the key *object*,
//! which converts to nothing: such matchers never match the key (Python reads the key string
//! instead). Validation therefore requires an attribute for them.

use super::evaluate::{evaluate_at_depth, EvaluationContext, EvaluationKey, TooDeep};
use super::js;
use super::model::{Matcher, MatcherCondition, NumericType};
use super::regex_js;
use super::semver::Semver;
use serde_json::{Map, Number, Value};
use std::cmp::Ordering;

/// What the matcher looks at.
#[derive(Clone, Copy)]
enum Subject<'a> {
    Key(&'a str),
    Attribute(&'a Value),
    /// The named attribute was not given (JS `undefined`).
    Missing,
}

impl<'a> Subject<'a> {
    fn text(self) -> Option<String> {
        match self {
            Subject::Key(key) => (!key.is_empty()).then(|| key.to_owned()),
            Subject::Attribute(value) => js::sanitize_string(value),
            Subject::Missing => None,
        }
    }

    fn number(self) -> Option<f64> {
        match self {
            Subject::Attribute(value) => js::sanitize_number(value),
            Subject::Key(_) | Subject::Missing => None,
        }
    }

    fn set(self) -> Option<Vec<String>> {
        match self {
            Subject::Attribute(value) => js::sanitize_set(value),
            Subject::Key(_) | Subject::Missing => None,
        }
    }

    fn boolean(self) -> Option<bool> {
        match self {
            Subject::Attribute(value) => js::sanitize_boolean(value),
            Subject::Key(_) | Subject::Missing => None,
        }
    }
}

/// The matcher's result, `negate` applied.
pub(crate) fn matches(
    matcher: &Matcher,
    key: &EvaluationKey<'_>,
    attributes: &Map<String, Value>,
    ctx: &dyn EvaluationContext,
    depth: usize,
) -> Result<bool, TooDeep> {
    let subject = match &matcher.attribute {
        Some(name) => attributes
            .get(name)
            .map_or(Subject::Missing, Subject::Attribute),
        None => Subject::Key(key.matching_key),
    };
    let raw = raw_match(&matcher.condition, subject, key, attributes, ctx, depth)?;
    Ok(raw != matcher.negate)
}

fn raw_match(
    condition: &MatcherCondition,
    subject: Subject<'_>,
    key: &EvaluationKey<'_>,
    attributes: &Map<String, Value>,
    ctx: &dyn EvaluationContext,
    depth: usize,
) -> Result<bool, TooDeep> {
    use MatcherCondition as C;
    let text = || subject.text();
    let result = match condition {
        // JS `matchers/all.ts`: any value at all.
        C::AllKeys => text().is_some(),
        // JS `matchers/segment.ts`: membership of the (string) value.
        C::InSegment { segment } => text().is_some_and(|v| ctx.in_segment(segment, &v)),
        // JS `matchers/whitelist.ts`.
        C::InList { values } => text().is_some_and(|v| values.contains(&v)),
        // JS `matchers/eq.ts`, `gte.ts`, `lte.ts`, `between.ts`; dates truncated as in
        // `evaluator/convertions/index.ts` (day for "equal", minute for the others), on both
        // sides (`matchersTransform/index.ts` does the rule side).
        C::EqualTo { value, data_type } => {
            numeric(subject, value, *data_type, true).is_some_and(|(v, rule)| v == rule)
        }
        C::GreaterThanOrEqualTo { value, data_type } => {
            numeric(subject, value, *data_type, false).is_some_and(|(v, rule)| v >= rule)
        }
        C::LessThanOrEqualTo { value, data_type } => {
            numeric(subject, value, *data_type, false).is_some_and(|(v, rule)| v <= rule)
        }
        C::Between {
            start,
            end,
            data_type,
        } => match (
            numeric(subject, start, *data_type, false),
            numeric(subject, end, *data_type, false),
        ) {
            (Some((v, low)), Some((_, high))) => v >= low && v <= high,
            _ => false,
        },
        // JS `matchers/eq_set.ts`: same length, every given value in the rule's list.
        C::EqualToSet { values } => subject.set().is_some_and(|given| {
            given.len() == values.len() && given.iter().all(|g| values.contains(g))
        }),
        // JS `matchers/cont_any.ts`.
        C::ContainsAnyOfSet { values } => subject
            .set()
            .is_some_and(|given| values.iter().any(|v| given.contains(v))),
        // JS `matchers/cont_all.ts`: never when fewer values were given than the rule lists.
        C::ContainsAllOfSet { values } => subject.set().is_some_and(|given| {
            given.len() >= values.len() && values.iter().all(|v| given.contains(v))
        }),
        // JS `matchers/part_of.ts`.
        C::PartOfSet { values } => subject.set().is_some_and(|given| {
            given.len() <= values.len() && given.iter().all(|g| values.contains(g))
        }),
        // JS `matchers/sw.ts`, `ew.ts`, `cont_str.ts`.
        C::StartsWith { values } => {
            text().is_some_and(|v| values.iter().any(|p| v.starts_with(p.as_str())))
        }
        C::EndsWith { values } => {
            text().is_some_and(|v| values.iter().any(|s| v.ends_with(s.as_str())))
        }
        C::ContainsString { values } => {
            text().is_some_and(|v| values.iter().any(|s| v.contains(s.as_str())))
        }
        // JS `matchers/string.ts`.
        C::MatchesRegex { pattern } => text().is_some_and(|v| regex_js::is_match(pattern, &v)),
        // JS `matchers/boolean.ts`.
        C::EqualToBoolean { value } => subject.boolean() == Some(*value),
        // JS `matchers/dependency.ts`: the other flag, for the same key (matching and
        // bucketing) and attributes.
        C::InFlagTreatment { flag, treatments } => {
            let dependency_key = match subject {
                Subject::Key(_) => *key,
                // An attribute as the key: unusual, and not validated; no match.
                Subject::Attribute(_) | Subject::Missing => return Ok(false),
            };
            let evaluation =
                evaluate_at_depth(ctx.flag(flag), &dependency_key, attributes, ctx, depth + 1)?;
            treatments.contains(&evaluation.treatment)
        }
        // JS `matchers/semver_*.ts`: an invalid version, given or in the rule, never matches.
        C::EqualToSemver { version } => {
            semver_pair(subject, version).is_some_and(|(given, rule)| given.version == rule.version)
        }
        C::GreaterThanOrEqualToSemver { version } => semver_pair(subject, version)
            .is_some_and(|(given, rule)| given.compare(&rule) != Ordering::Less),
        C::LessThanOrEqualToSemver { version } => semver_pair(subject, version)
            .is_some_and(|(given, rule)| given.compare(&rule) != Ordering::Greater),
        C::BetweenSemver { start, end } => {
            match (
                Semver::parse(start),
                Semver::parse(end),
                text().and_then(|v| Semver::parse(&v)),
            ) {
                (Some(low), Some(high), Some(given)) => {
                    low.compare(&given) != Ordering::Greater
                        && high.compare(&given) != Ordering::Less
                }
                _ => false,
            }
        }
        C::InListSemver { versions } => {
            // JS refuses the whole matcher when any listed version is invalid or the list
            // is empty.
            let listed: Option<Vec<Semver>> = versions.iter().map(|v| Semver::parse(v)).collect();
            match (listed, text().and_then(|v| Semver::parse(&v))) {
                (Some(listed), Some(given)) if !listed.is_empty() => {
                    listed.iter().any(|l| l.version == given.version)
                }
                _ => false,
            }
        }
    };
    Ok(result)
}

/// The given number and the rule's, both in the matcher's unit (dates truncated).
fn numeric(
    subject: Subject<'_>,
    rule: &Number,
    data_type: NumericType,
    whole_day: bool,
) -> Option<(f64, f64)> {
    let given = subject.number()?;
    let rule = rule.as_f64()?;
    Some(match data_type {
        NumericType::Number => (given, rule),
        NumericType::Datetime if whole_day => {
            (js::start_of_utc_day(given), js::start_of_utc_day(rule))
        }
        NumericType::Datetime => (
            js::start_of_utc_minute(given),
            js::start_of_utc_minute(rule),
        ),
    })
}

fn semver_pair(subject: Subject<'_>, rule: &str) -> Option<(Semver, Semver)> {
    let rule = Semver::parse(rule)?;
    let given = Semver::parse(&subject.text()?)?;
    Some((given, rule))
}
