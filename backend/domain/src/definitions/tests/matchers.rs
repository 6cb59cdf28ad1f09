//! Key, list, numeric, date and set matchers.

use super::*;
use MatcherCondition as C;

/// Whether a flag with this one matcher serves `on` (its only rule) for `attributes`.
pub(super) fn matches(matcher: Matcher, key: &str, attributes: Value) -> bool {
    let world = World::default()
        .with_segment("employees", &["ada", "grace"])
        .with_flag(flag("upstream"));
    let mut f = flag("f");
    f.rules = vec![rule(vec![matcher], "on")];
    f.default_rule = Some(Serve::Treatment("off".into()));
    eval(&world, &f, key, attributes).treatment == "on"
}

pub(super) fn attr(condition: MatcherCondition) -> Matcher {
    on_attribute("a", condition)
}

fn n(value: f64) -> serde_json::Number {
    serde_json::Number::from_f64(value).unwrap()
}

#[test]
fn all_keys_matches_any_key_and_its_negation_none() {
    assert!(matches(on_key(C::AllKeys), "anyone", json!({})));
    assert!(!matches(not(on_key(C::AllKeys)), "anyone", json!({})));
}

#[test]
fn in_segment_looks_at_the_matching_key() {
    let employees = || {
        on_key(C::InSegment {
            segment: "employees".into(),
        })
    };
    assert!(matches(employees(), "ada", json!({})));
    assert!(!matches(employees(), "bob", json!({})));
    assert!(matches(not(employees()), "bob", json!({})));
}

#[test]
fn in_list_on_the_key_is_a_whitelist_and_on_an_attribute_compares_its_text() {
    let keys = || {
        on_key(C::InList {
            values: strings(&["vip", "42"]),
        })
    };
    assert!(matches(keys(), "vip", json!({})));
    assert!(!matches(keys(), "other", json!({})));
    let plans = || {
        attr(C::InList {
            values: strings(&["premium", "42", "true"]),
        })
    };
    assert!(matches(plans(), "k", json!({"a": "premium"})));
    assert!(
        matches(plans(), "k", json!({"a": 42})),
        "numbers are compared as text"
    );
    assert!(matches(plans(), "k", json!({"a": true})), "booleans too");
    assert!(
        !matches(plans(), "k", json!({"a": "Premium"})),
        "case matters"
    );
}

#[test]
fn a_missing_attribute_never_matches_but_its_negation_does() {
    let plans = || {
        attr(C::InList {
            values: strings(&["premium"]),
        })
    };
    assert!(!matches(plans(), "k", json!({})));
    assert!(matches(not(plans()), "k", json!({})));
    let adult = || {
        attr(C::GreaterThanOrEqualTo {
            value: 18.into(),
            data_type: NumericType::Number,
        })
    };
    assert!(!matches(adult(), "k", json!({"other": 30})));
    assert!(matches(not(adult()), "k", json!({"other": 30})));
}

#[test]
fn numeric_matchers_read_numbers_and_numeric_strings_as_javascript_does() {
    let adult = || {
        attr(C::GreaterThanOrEqualTo {
            value: 18.into(),
            data_type: NumericType::Number,
        })
    };
    assert!(matches(adult(), "k", json!({"a": 18})));
    assert!(matches(adult(), "k", json!({"a": 18.5})));
    assert!(matches(adult(), "k", json!({"a": " 21 "})));
    assert!(matches(adult(), "k", json!({"a": "1e2"})));
    assert!(matches(adult(), "k", json!({"a": "0x20"})));
    assert!(
        matches(adult(), "k", json!({"a": [30]})),
        "a one-element list is its element"
    );
    assert!(!matches(adult(), "k", json!({"a": 17})));
    assert!(!matches(adult(), "k", json!({"a": "abc"})));
    assert!(!matches(adult(), "k", json!({"a": "Infinity!"})));
    assert!(!matches(adult(), "k", json!({"a": {"x": 30}})));
    let zero = || {
        attr(C::EqualTo {
            value: 0.into(),
            data_type: NumericType::Number,
        })
    };
    assert!(
        matches(zero(), "k", json!({"a": null})),
        "JS reads null as 0"
    );
    assert!(
        matches(zero(), "k", json!({"a": ""})),
        "and the empty string"
    );
    assert!(matches(zero(), "k", json!({"a": false})), "and false");
}

#[test]
fn numeric_matchers_never_match_the_key_itself() {
    let big = on_key(C::GreaterThanOrEqualTo {
        value: 0.into(),
        data_type: NumericType::Number,
    });
    assert!(!matches(big, "12", json!({})));
}

#[test]
fn equal_less_and_between_compare_numbers() {
    let three = || {
        attr(C::EqualTo {
            value: 3.into(),
            data_type: NumericType::Number,
        })
    };
    assert!(matches(three(), "k", json!({"a": 3.0})));
    assert!(matches(three(), "k", json!({"a": "3"})));
    assert!(!matches(three(), "k", json!({"a": 3.5})));
    let small = || {
        attr(C::LessThanOrEqualTo {
            value: n(-1.5),
            data_type: NumericType::Number,
        })
    };
    assert!(matches(small(), "k", json!({"a": -1.5})));
    assert!(!matches(small(), "k", json!({"a": -1})));
    let range = || {
        attr(C::Between {
            start: 10.into(),
            end: 20.into(),
            data_type: NumericType::Number,
        })
    };
    assert!(matches(range(), "k", json!({"a": 10})));
    assert!(matches(range(), "k", json!({"a": 20})));
    assert!(!matches(range(), "k", json!({"a": 20.01})));
    assert!(matches(not(range()), "k", json!({"a": 9})));
}

#[test]
fn datetime_equality_compares_utc_days() {
    let noon = 1_718_107_200_000_i64; // 2024-06-11T12:00:00Z
    let day = || {
        attr(C::EqualTo {
            value: noon.into(),
            data_type: NumericType::Datetime,
        })
    };
    assert!(matches(day(), "k", json!({"a": 1_718_064_000_000_i64}))); // 00:00
    assert!(matches(day(), "k", json!({"a": 1_718_150_399_999_i64}))); // 23:59:59.999
    assert!(!matches(day(), "k", json!({"a": 1_718_150_400_000_i64}))); // next day
}

#[test]
fn datetime_ranges_compare_to_the_minute() {
    let at = 1_718_069_430_000_i64; // 01:30:30
    let after = || {
        attr(C::GreaterThanOrEqualTo {
            value: at.into(),
            data_type: NumericType::Datetime,
        })
    };
    assert!(
        matches(after(), "k", json!({"a": 1_718_069_400_000_i64})),
        "01:30:00 is the same minute"
    );
    assert!(!matches(after(), "k", json!({"a": 1_718_069_399_999_i64})));
    let window = || {
        attr(C::Between {
            start: 1_718_069_400_000_i64.into(),
            end: 1_718_069_400_001_i64.into(),
            data_type: NumericType::Datetime,
        })
    };
    assert!(matches(window(), "k", json!({"a": 1_718_069_459_999_i64})));
    assert!(!matches(window(), "k", json!({"a": 1_718_069_460_000_i64})));
}

#[test]
fn set_matchers_compare_lists_of_strings() {
    let values = strings(&["a", "b"]);
    let given = |v: Value| json!({ "a": v });
    let eq = || {
        attr(C::EqualToSet {
            values: values.clone(),
        })
    };
    assert!(matches(eq(), "k", given(json!(["b", "a"]))));
    assert!(
        matches(eq(), "k", given(json!(["a", "b", "a"]))),
        "duplicates given are ignored"
    );
    assert!(!matches(eq(), "k", given(json!(["a"]))));
    let any = || {
        attr(C::ContainsAnyOfSet {
            values: values.clone(),
        })
    };
    assert!(matches(any(), "k", given(json!(["z", "b"]))));
    assert!(!matches(any(), "k", given(json!(["z"]))));
    let all = || {
        attr(C::ContainsAllOfSet {
            values: values.clone(),
        })
    };
    assert!(matches(all(), "k", given(json!(["a", "c", "b"]))));
    assert!(!matches(all(), "k", given(json!(["a", "c"]))));
    let part = || {
        attr(C::PartOfSet {
            values: strings(&["x", "1"]),
        })
    };
    assert!(
        matches(part(), "k", given(json!(["x", 1]))),
        "elements are compared as text"
    );
    assert!(!matches(part(), "k", given(json!(["x", "y"]))));
}

#[test]
fn set_matchers_see_no_value_in_an_empty_list_or_a_non_list() {
    let any = || {
        attr(C::ContainsAnyOfSet {
            values: strings(&["a"]),
        })
    };
    assert!(!matches(any(), "k", json!({"a": "a"})));
    assert!(!matches(any(), "k", json!({"a": []})));
    assert!(matches(not(any()), "k", json!({"a": []})));
}
