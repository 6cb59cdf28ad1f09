//! String, regex, boolean, semver and dependency matchers.

use super::matchers::{attr, matches};
use super::*;
use MatcherCondition as C;

#[test]
fn string_matchers_test_prefixes_suffixes_and_substrings() {
    let sw = || {
        attr(C::StartsWith {
            values: strings(&["ab", "zz"]),
        })
    };
    assert!(matches(sw(), "k", json!({"a": "abc"})));
    assert!(!matches(sw(), "k", json!({"a": "cab"})));
    let ew = || {
        attr(C::EndsWith {
            values: strings(&["@example.com"]),
        })
    };
    assert!(matches(ew(), "k", json!({"a": "ada@example.com"})));
    assert!(matches(not(ew()), "k", json!({"a": "ada@example.org"})));
    let cs = || {
        attr(C::ContainsString {
            values: strings(&["12"]),
        })
    };
    assert!(
        matches(cs(), "k", json!({"a": 3120})),
        "numbers are compared as text"
    );
    assert!(
        !matches(cs(), "k", json!({"a": ""})),
        "the empty string is no value"
    );
    let key = on_key(C::StartsWith {
        values: strings(&["user-1"]),
    });
    assert!(matches(key, "user-12", json!({})));
}

#[test]
fn regex_matchers_follow_javascript_semantics() {
    let re = |pattern: &str| {
        attr(C::MatchesRegex {
            pattern: pattern.into(),
        })
    };
    assert!(matches(re(r"^[a-z]+\d{2}$"), "k", json!({"a": "abc12"})));
    assert!(!matches(re(r"^[a-z]+\d{2}$"), "k", json!({"a": "abc123"})));
    assert!(
        matches(re(r"\w+@\w+\.com"), "k", json!({"a": "I am x@y.com!"})),
        "unanchored"
    );
    assert!(
        !matches(re(r"^\d$"), "k", json!({"a": "٣"})),
        r"JS \d is ASCII only"
    );
    assert!(
        !matches(re(r"^a.b$"), "k", json!({"a": "a\rb"})),
        "JS . stops at \\r"
    );
    assert!(
        matches(re(r"^a{x}$"), "k", json!({"a": "a{x}"})),
        "a brace that is no quantifier is literal"
    );
    assert!(
        matches(re(r"^[]?a$"), "k", json!({"a": "a"})),
        "JS [] matches nothing"
    );
    assert!(
        !matches(re(r"(?i)abc"), "k", json!({"a": "ABC"})),
        "inline flags are a JS syntax error"
    );
    assert!(!matches(re(r"(unclosed"), "k", json!({"a": "unclosed"})));
}

#[test]
fn boolean_matchers_accept_booleans_and_their_strings_in_any_case() {
    let yes = || attr(C::EqualToBoolean { value: true });
    assert!(matches(yes(), "k", json!({"a": true})));
    assert!(matches(yes(), "k", json!({"a": "TRUE"})));
    assert!(!matches(yes(), "k", json!({"a": "yes"})));
    assert!(!matches(yes(), "k", json!({"a": 1})));
    let not_false = || not(attr(C::EqualToBoolean { value: false }));
    assert!(
        matches(not_false(), "k", json!({"a": "yes"})),
        "no value, negated"
    );
    assert!(!matches(not_false(), "k", json!({"a": "False"})));
}

#[test]
fn semver_matchers_follow_the_sdks_precedence() {
    let v = |version: &str| json!({ "a": version });
    let eq = || {
        attr(C::EqualToSemver {
            version: "1.2.3".into(),
        })
    };
    assert!(matches(eq(), "k", v("1.2.3")));
    assert!(matches(eq(), "k", v("01.2.3")), "leading zeros are ignored");
    assert!(
        !matches(eq(), "k", v("1.2.3+build")),
        "metadata counts for equality"
    );
    let gte = || {
        attr(C::GreaterThanOrEqualToSemver {
            version: "3.0.0".into(),
        })
    };
    assert!(matches(gte(), "k", v("3.0.0+build")), "but not for order");
    assert!(
        !matches(gte(), "k", v("3.0.0-alpha")),
        "a pre-release is below its release"
    );
    let lte = || {
        attr(C::LessThanOrEqualToSemver {
            version: "1.0.0-rc.2".into(),
        })
    };
    assert!(matches(lte(), "k", v("1.0.0-rc.1")));
    assert!(
        !matches(lte(), "k", v("1.0.0-rc.10")),
        "numeric parts compare as numbers"
    );
    assert!(matches(lte(), "k", v("1.0.0-beta")));
    let between = || {
        attr(C::BetweenSemver {
            start: "1.5.0".into(),
            end: "1.9.9".into(),
        })
    };
    assert!(matches(between(), "k", v("1.9.9")));
    assert!(!matches(between(), "k", v("1.9.10")));
    let list = || {
        attr(C::InListSemver {
            versions: strings(&["2.1.0", "2.2.0+build"]),
        })
    };
    assert!(matches(list(), "k", v("2.2.0+build")));
    assert!(!matches(list(), "k", v("2.2.0")));
    assert!(
        !matches(eq(), "k", v("v1.2.3")),
        "an invalid version never matches"
    );
    assert!(matches(not(eq()), "k", v("1.2")), "but its negation does");
}

#[test]
fn dependency_matchers_evaluate_the_other_flag_for_the_same_key() {
    let upstream_on = || {
        on_key(C::InFlagTreatment {
            flag: "upstream".into(),
            treatments: strings(&["on"]),
        })
    };
    assert!(matches(upstream_on(), "k", json!({})));
    let upstream_off = on_key(C::InFlagTreatment {
        flag: "upstream".into(),
        treatments: strings(&["off"]),
    });
    assert!(!matches(upstream_off, "k", json!({})));
    let unknown = on_key(C::InFlagTreatment {
        flag: "nope".into(),
        treatments: strings(&["control"]),
    });
    assert!(
        matches(unknown, "k", json!({})),
        "an unknown flag gives control"
    );
}
