//! The evaluator: the treatment and label the Split SDKs give a key.
//!
//! Order (JS `evaluator/Engine.ts`, `evaluator/combiners/ifelseif.ts`,
//! `evaluator/condition/index.ts`; Python `engine/evaluator.py`, which agrees):
//! 1. archived or unknown flag: `control`, `definition not found` (the SDKs' synchroniser
//!    drops archived flags, so they are simply not found);
//! 2. killed: default treatment, `killed`;
//! 3. a prerequisite flag gave a treatment outside its list: default treatment,
//!    `prerequisites not met`;
//! 4. rules in order. The first *rollout* rule reached checks the traffic allocation first:
//!    when it is under 100 and `bucket(bucketing key, traffic allocation seed)` is above it,
//!    default treatment, `not in split` (whitelist rules before it are not subject to this).
//!    The first rule whose matchers all match serves `bucket(bucketing key, seed)` against
//!    its partitions, with its label;
//! 5. nothing matched: default treatment, `default rule`.

use super::labels::{
    DEFAULT_RULE, DEFINITION_NOT_FOUND, EXCEPTION, KILLED, NOT_IN_SPLIT, PREREQUISITES_NOT_MET,
};
use super::matchers::matches;
use super::model::{FlagDefinition, FlagStatus, Matcher, RuleKind, Serve};
use serde_json::{Map, Value};

/// The treatment the SDKs serve when they cannot evaluate.
pub const CONTROL: &str = "control";

/// Dependencies deeper than this are taken for a cycle; the SDKs would overflow their stack
/// and answer `control` / `exception`.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluationKey<'a> {
    /// What matchers and segments look at.
    pub matching_key: &'a str,
    /// What buckets are computed from; the matching key when absent.
    pub bucketing_key: Option<&'a str>,
}

impl<'a> EvaluationKey<'a> {
    pub fn new(matching_key: &'a str) -> Self {
        EvaluationKey {
            matching_key,
            bucketing_key: None,
        }
    }

    fn bucketing(&self) -> &'a str {
        self.bucketing_key.unwrap_or(self.matching_key)
    }
}

/// What an evaluation may look up: segment membership and other flags (dependencies and
/// prerequisites).
pub trait EvaluationContext {
    fn in_segment(&self, segment: &str, key: &str) -> bool;
    fn flag(&self, name: &str) -> Option<&FlagDefinition>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub treatment: String,
    pub label: String,
    /// The served treatment's configuration as a JSON string, like the SDKs'
    /// `getTreatmentWithConfig`; `None` for `control` and for treatments without one.
    pub config: Option<String>,
    /// The flag's change number; `None` when the flag was not found.
    pub change_number: Option<i64>,
}

impl Evaluation {
    fn control(label: &str) -> Self {
        Evaluation {
            treatment: CONTROL.to_owned(),
            label: label.to_owned(),
            config: None,
            change_number: None,
        }
    }
}

/// The dependency chain was too deep (a cycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooDeep;

/// What the SDKs would answer for `key` on `flag` (`None`: the flag does not exist).
pub fn evaluate(
    flag: Option<&FlagDefinition>,
    key: &EvaluationKey<'_>,
    attributes: &Map<String, Value>,
    ctx: &dyn EvaluationContext,
) -> Evaluation {
    evaluate_at_depth(flag, key, attributes, ctx, 0)
        .unwrap_or_else(|TooDeep| Evaluation::control(EXCEPTION))
}

pub(crate) fn evaluate_at_depth(
    flag: Option<&FlagDefinition>,
    key: &EvaluationKey<'_>,
    attributes: &Map<String, Value>,
    ctx: &dyn EvaluationContext,
    depth: usize,
) -> Result<Evaluation, TooDeep> {
    if depth > MAX_DEPTH {
        return Err(TooDeep);
    }
    let Some(flag) = flag.filter(|f| f.status == FlagStatus::Active) else {
        return Ok(Evaluation::control(DEFINITION_NOT_FOUND));
    };
    let (treatment, label) = decide(flag, key, attributes, ctx, depth)?;
    // JS `evaluator/index.ts` and Python `models/splits.py` look the configuration up by
    // the served treatment, whatever the reason it was served.
    let config = flag
        .treatment(&treatment)
        .and_then(|t| t.config.as_ref())
        .map(Value::to_string);
    Ok(Evaluation {
        treatment,
        label,
        config,
        change_number: Some(flag.change_number),
    })
}

fn decide(
    flag: &FlagDefinition,
    key: &EvaluationKey<'_>,
    attributes: &Map<String, Value>,
    ctx: &dyn EvaluationContext,
    depth: usize,
) -> Result<(String, String), TooDeep> {
    let default = || flag.default_treatment.clone();
    if flag.killed {
        return Ok((default(), KILLED.to_owned()));
    }
    // JS `evaluator/matchers/prerequisites.ts`: each prerequisite flag evaluated for the
    // same key and attributes, stopping at the first whose treatment is not listed.
    for prerequisite in &flag.prerequisites {
        let evaluation = evaluate_at_depth(
            ctx.flag(&prerequisite.flag),
            key,
            attributes,
            ctx,
            depth + 1,
        )?;
        if !prerequisite.treatments.contains(&evaluation.treatment) {
            return Ok((default(), PREREQUISITES_NOT_MET.to_owned()));
        }
    }
    let catch_all = flag.default_rule.as_ref().map(|serve| CatchAll {
        matcher: [Matcher {
            negate: false,
            attribute: None,
            condition: super::model::MatcherCondition::AllKeys,
        }],
        serve,
    });
    let rules = flag
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            (
                Some(index),
                rule.kind,
                rule.matchers.as_slice(),
                &rule.serve,
            )
        })
        .chain(
            catch_all
                .iter()
                .map(|c| (None, RuleKind::Rollout, c.matcher.as_slice(), c.serve)),
        );
    let bucketing_key = key.bucketing();
    let mut allocation_checked = false;
    for (index, kind, matchers, serve) in rules {
        if kind == RuleKind::Rollout && !allocation_checked {
            if flag.traffic_allocation < 100
                && bucket(bucketing_key, flag.traffic_allocation_seed) > flag.traffic_allocation
            {
                return Ok((default(), NOT_IN_SPLIT.to_owned()));
            }
            allocation_checked = true;
        }
        let mut all_match = true;
        for matcher in matchers {
            // Every matcher is evaluated, as in the SDKs; none has side effects, so
            // stopping early gives the same answer.
            if !matches(matcher, key, attributes, ctx, depth)? {
                all_match = false;
                break;
            }
        }
        if all_match {
            let treatment = serve
                .treatment_for(bucket(bucketing_key, flag.seed))
                .map_or_else(|| CONTROL.to_owned(), str::to_owned);
            let label = match index {
                Some(index) => flag.label_of(index),
                None => DEFAULT_RULE.to_owned(),
            };
            return Ok((treatment, label));
        }
    }
    Ok((default(), DEFAULT_RULE.to_owned()))
}

/// The default rule, seen as the final catch-all condition the SDKs receive.
struct CatchAll<'a> {
    matcher: [Matcher; 1],
    serve: &'a Serve,
}

/// The SDKs' bucket (algorithm 2): `murmur3_x86_32(utf8(key), seed as u32) % 100 + 1`,
/// 1..=100 (JS `utils/murmur3/murmur3.ts` `bucket`, Python `engine/splitters.py`).
pub fn bucket(key: &str, seed: i32) -> u8 {
    // The seed is reinterpreted as unsigned (JS `seed >>> 0`). Reading a byte slice cannot
    // fail, so the default is never used.
    let hash = murmur3::murmur3_32(&mut key.as_bytes(), seed as u32).unwrap_or_default();
    (hash % 100 + 1) as u8
}
