use super::*;
use MatcherCondition as C;

fn label_of(rule: Rule) -> String {
    let mut f = flag("f");
    f.rules = vec![rule];
    f.label_of(0)
}

#[test]
fn labels_read_like_the_split_console_seeds() {
    assert_eq!(
        label_of(super::rule(
            vec![on_key(C::InSegment {
                segment: "employees".into()
            })],
            "on"
        )),
        "in segment employees"
    );
    assert_eq!(
        label_of(super::rule(
            vec![on_attribute(
                "location",
                C::InList {
                    values: strings(&["california"])
                }
            )],
            "on"
        )),
        r#"user.location in list ["california"]"#
    );
}

#[test]
fn individual_targets_are_whitelisted() {
    let mut r = super::rule(
        vec![on_key(C::InList {
            values: strings(&["a", "b"]),
        })],
        "on",
    );
    r.kind = RuleKind::Whitelist;
    assert_eq!(label_of(r.clone()), WHITELISTED);
    r.matchers = vec![on_key(C::InSegment {
        segment: "qa".into(),
    })];
    assert_eq!(label_of(r), WHITELISTED_SEGMENT);
}

#[test]
fn the_default_rule_and_indexes_past_the_rules_are_labelled_default_rule() {
    let f = flag("f");
    assert_eq!(f.label_of(0), DEFAULT_RULE);
    assert_eq!(f.label_of(7), DEFAULT_RULE);
}

#[test]
fn negated_and_combined_matchers_read_as_a_sentence() {
    let r = super::rule(
        vec![
            not(on_key(C::InSegment {
                segment: "staff".into(),
            })),
            on_attribute(
                "age",
                C::GreaterThanOrEqualTo {
                    value: 18.into(),
                    data_type: NumericType::Number,
                },
            ),
            not(on_attribute("beta", C::EqualToBoolean { value: true })),
        ],
        "on",
    );
    assert_eq!(
        label_of(r),
        "not in segment staff and user.age greater than or equal to 18 and user.beta is not true"
    );
}

#[test]
fn dates_appear_as_utc_days_and_minutes() {
    let day = super::rule(
        vec![on_attribute(
            "signup",
            C::EqualTo {
                value: 1_718_107_200_000_i64.into(),
                data_type: NumericType::Datetime,
            },
        )],
        "on",
    );
    assert_eq!(label_of(day), "user.signup on 2024-06-11");
    let after = super::rule(
        vec![on_attribute(
            "seen",
            C::GreaterThanOrEqualTo {
                value: 1_718_069_430_000_i64.into(),
                data_type: NumericType::Datetime,
            },
        )],
        "on",
    );
    assert_eq!(label_of(after), "user.seen on or after 2024-06-11T01:30Z");
}

#[test]
fn every_matcher_kind_has_a_label() {
    let cases = [
        (C::AllKeys, "in segment all"),
        (
            C::Between {
                start: 1.into(),
                end: 5.into(),
                data_type: NumericType::Number,
            },
            "user.a between 1 and 5",
        ),
        (
            C::EqualToSet {
                values: strings(&["x"]),
            },
            r#"user.a equal to set ["x"]"#,
        ),
        (
            C::ContainsAnyOfSet {
                values: strings(&["x"]),
            },
            r#"user.a contains any of ["x"]"#,
        ),
        (
            C::ContainsAllOfSet {
                values: strings(&["x"]),
            },
            r#"user.a contains all of ["x"]"#,
        ),
        (
            C::PartOfSet {
                values: strings(&["x"]),
            },
            r#"user.a part of ["x"]"#,
        ),
        (
            C::StartsWith {
                values: strings(&["x"]),
            },
            r#"user.a starts with ["x"]"#,
        ),
        (
            C::EndsWith {
                values: strings(&["x"]),
            },
            r#"user.a ends with ["x"]"#,
        ),
        (
            C::ContainsString {
                values: strings(&["x"]),
            },
            r#"user.a contains ["x"]"#,
        ),
        (
            C::MatchesRegex {
                pattern: r"^\d+$".into(),
            },
            r#"user.a matches "^\\d+$""#,
        ),
        (
            C::InFlagTreatment {
                flag: "g".into(),
                treatments: strings(&["on"]),
            },
            r#"user.a in flag g treatment ["on"]"#,
        ),
        (
            C::EqualToSemver {
                version: "1.0.0".into(),
            },
            "user.a equal to semver 1.0.0",
        ),
        (
            C::GreaterThanOrEqualToSemver {
                version: "1.0.0".into(),
            },
            "user.a greater than or equal to semver 1.0.0",
        ),
        (
            C::LessThanOrEqualToSemver {
                version: "1.0.0".into(),
            },
            "user.a less than or equal to semver 1.0.0",
        ),
        (
            C::BetweenSemver {
                start: "1.0.0".into(),
                end: "2.0.0".into(),
            },
            "user.a between semver 1.0.0 and 2.0.0",
        ),
        (
            C::InListSemver {
                versions: strings(&["1.0.0"]),
            },
            r#"user.a in semver list ["1.0.0"]"#,
        ),
    ];
    for (condition, expected) in cases {
        let matcher = if condition == C::AllKeys {
            on_key(condition)
        } else {
            on_attribute("a", condition)
        };
        assert_eq!(label_of(super::rule(vec![matcher], "on")), expected);
    }
}

#[test]
fn explicit_labels_are_kept() {
    let mut r = super::rule(vec![on_key(C::AllKeys)], "on");
    r.label = Some("early adopters".into());
    assert_eq!(label_of(r), "early adopters");
}

#[test]
fn long_generated_labels_are_cut_to_what_ingestion_accepts() {
    let many: Vec<String> = (0..100).map(|i| format!("value-number-{i}")).collect();
    let label = label_of(super::rule(
        vec![on_attribute("a", C::InList { values: many })],
        "on",
    ));
    assert!(label.len() <= MAX_LABEL_BYTES);
    assert!(label.ends_with('…'));
}

#[test]
fn rules_on_the_key_never_put_keys_into_labels() {
    let keys = strings(&["alice@example.com", "bob@example.com", "carol"]);
    let in_list = super::rule(
        vec![on_key(C::InList {
            values: keys.clone(),
        })],
        "on",
    );
    assert_eq!(label_of(in_list), "in list of 3 keys");
    let negated = super::rule(
        vec![not(on_key(C::InList {
            values: strings(&["alice"]),
        }))],
        "on",
    );
    assert_eq!(label_of(negated), "not in list of 1 key");
    let cases = [
        (
            C::StartsWith {
                values: strings(&["user-1"]),
            },
            "starts with one of 1 prefix",
        ),
        (
            C::EndsWith {
                values: keys.clone(),
            },
            "ends with one of 3 suffixes",
        ),
        (
            C::ContainsString {
                values: keys.clone(),
            },
            "contains one of 3 strings",
        ),
        (
            C::EqualToSet {
                values: keys.clone(),
            },
            "equal to a set of 3 values",
        ),
        (
            C::MatchesRegex {
                pattern: "^alice$".into(),
            },
            "matches a pattern",
        ),
        (
            C::EqualTo {
                value: 4242.into(),
                data_type: NumericType::Number,
            },
            "equal to a number",
        ),
    ];
    for (condition, expected) in cases {
        assert_eq!(
            label_of(super::rule(vec![on_key(condition)], "on")),
            expected
        );
    }
    // A whitelist rule that also looks at an attribute is described, still without the keys.
    let mut mixed = super::rule(
        vec![
            on_key(C::InList { values: keys }),
            on_attribute(
                "plan",
                C::InList {
                    values: strings(&["gold"]),
                },
            ),
        ],
        "on",
    );
    mixed.kind = RuleKind::Whitelist;
    let label = label_of(mixed);
    assert_eq!(label, r#"in list of 3 keys and user.plan in list ["gold"]"#);
    assert!(!label.contains("alice"));
}

#[test]
fn explicit_labels_on_key_rules_stay_as_given() {
    let mut r = super::rule(
        vec![on_key(C::InList {
            values: strings(&["alice"]),
        })],
        "on",
    );
    r.label = Some("in list [alice]".into());
    assert_eq!(label_of(r), "in list [alice]");
}

#[test]
fn labels_saved_with_keys_in_them_are_generated_anew_and_given_ones_stay() {
    let mut f = flag("f");
    let mut revealing = super::rule(
        vec![on_key(C::InList {
            values: strings(&["alice", "bob"]),
        })],
        "on",
    );
    revealing.label = Some(r#"in list ["alice", "bob"]"#.into());
    let mut given = revealing.clone();
    given.label = Some("beta testers".into());
    let mut attribute = super::rule(
        vec![on_attribute(
            "location",
            C::InList {
                values: strings(&["california"]),
            },
        )],
        "on",
    );
    attribute.label = Some(r#"user.location in list ["california"]"#.into());
    f.rules = vec![revealing, given, attribute];

    let fixed = f.without_key_revealing_labels().with_materialised_labels();
    let labels: Vec<_> = fixed
        .rules
        .iter()
        .map(|r| r.label.clone().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "in list of 2 keys",
            "beta testers",
            r#"user.location in list ["california"]"#
        ]
    );
}
