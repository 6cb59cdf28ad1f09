//! Flag definitions: Imprint's model, its validation, the Split SDK wire format (both ways),
//! the labels the SDKs report, and an evaluator that gives the same treatment and label as the
//! real Split SDKs. Pure code: no I/O, no clock, no randomness.
//!
//! Where a rule of the SDKs' behaviour was taken from, the comment says so: "JS" means the
//! repository `splitio/javascript-commons` (the core of the Node and browser SDKs, version 2.12
//! as shipped with `@splitsoftware/splitio` 11.11), "Python" means `splitio/python-client` 10.7.
//! Where the two SDKs disagree, Imprint follows JS and the comment names the difference.

mod evaluate;
mod js;
mod labels;
mod matchers;
mod model;
mod regex_js;
mod semver;
mod split_export;
mod split_import;
mod split_import_parts;
mod validate;

pub use evaluate::{bucket, evaluate, Evaluation, EvaluationContext, EvaluationKey, CONTROL};
pub use labels::{
    ARCHIVED, DEFAULT_RULE, DEFINITION_NOT_FOUND, EXCEPTION, KILLED, MAX_LABEL_BYTES, NOT_IN_SPLIT,
    NOT_READY, PREREQUISITES_NOT_MET, RESERVED_LABELS, UNSUPPORTED_MATCHER, WHITELISTED,
    WHITELISTED_SEGMENT,
};
pub use model::{
    FieldError, FlagDefinition, FlagStatus, Matcher, MatcherCondition, NumericType, Partition,
    Prerequisite, Rule, RuleKind, Segment, Serve, Treatment,
};
pub use split_export::to_split_json;
pub use split_import::{from_split_json, impressions_disabled_of};

#[cfg(test)]
mod tests;
