use super::*;
use MatcherCondition as C;

fn errors_of(f: &FlagDefinition) -> Vec<(String, String)> {
    let segments = |name: &str| name == "employees";
    let flags = |name: &str| name == "upstream";
    match f.validate(&segments, &flags) {
        Ok(()) => vec![],
        Err(errors) => errors.into_iter().map(|e| (e.field, e.message)).collect(),
    }
}

fn fields_of(f: &FlagDefinition) -> Vec<String> {
    errors_of(f).into_iter().map(|(field, _)| field).collect()
}

#[test]
fn a_complete_flag_is_valid() {
    let mut f = flag("checkout_v2");
    f.sets = strings(&["checkout", "web_2"]);
    f.rules = vec![
        rule(
            vec![on_key(C::InSegment {
                segment: "employees".into(),
            })],
            "on",
        ),
        rule(
            vec![on_key(C::InFlagTreatment {
                flag: "upstream".into(),
                treatments: strings(&["on"]),
            })],
            "off",
        ),
    ];
    f.prerequisites = vec![Prerequisite {
        flag: "upstream".into(),
        treatments: strings(&["on"]),
    }];
    assert_eq!(errors_of(&f), vec![]);
}

#[test]
fn split_sizes_must_add_up_to_100() {
    let mut f = flag("f");
    f.rules = vec![Rule {
        serve: Serve::Split(vec![
            Partition {
                treatment: "on".into(),
                size: 50,
            },
            Partition {
                treatment: "off".into(),
                size: 40,
            },
        ]),
        ..rule(vec![on_key(C::AllKeys)], "on")
    }];
    let errors = errors_of(&f);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, "rules[0].serve.split");
    assert!(errors[0].1.contains("90"), "{}", errors[0].1);
}

#[test]
fn a_split_of_one_partition_must_be_a_single_treatment() {
    let mut f = flag("f");
    f.default_rule = Some(Serve::Split(vec![Partition {
        treatment: "on".into(),
        size: 100,
    }]));
    assert_eq!(fields_of(&f), vec!["default_rule.split"]);
}

#[test]
fn unknown_segments_and_flags_are_reported() {
    let mut f = flag("f");
    f.rules = vec![rule(
        vec![
            on_key(C::InSegment {
                segment: "ghosts".into(),
            }),
            on_key(C::InFlagTreatment {
                flag: "nope".into(),
                treatments: strings(&["on"]),
            }),
        ],
        "on",
    )];
    f.prerequisites = vec![Prerequisite {
        flag: "f".into(),
        treatments: strings(&["on"]),
    }];
    assert_eq!(
        fields_of(&f),
        vec![
            "rules[0].matchers[0].condition.segment",
            "rules[0].matchers[1].condition.flag",
            "prerequisites[0].flag",
        ]
    );
}

#[test]
fn the_default_treatment_must_be_one_of_the_treatments() {
    let mut f = flag("f");
    f.default_treatment = "maybe".into();
    let errors = errors_of(&f);
    assert_eq!(
        errors,
        vec![(
            "default_treatment".into(),
            "`maybe` is not one of the flag's treatments".into()
        )]
    );
}

#[test]
fn treatments_must_be_named_uniquely_and_not_control() {
    let mut f = flag("f");
    f.treatments.push(Treatment {
        name: "on".into(),
        config: None,
    });
    f.treatments.push(Treatment {
        name: "control".into(),
        config: None,
    });
    f.treatments.push(Treatment {
        name: "x".into(),
        config: Some(json!([1])),
    });
    assert_eq!(
        fields_of(&f),
        vec![
            "treatments[2].name",
            "treatments[3].name",
            "treatments[4].config"
        ]
    );
}

#[test]
fn names_sets_and_labels_are_checked() {
    let mut f = flag("bad name");
    f.traffic_type = String::new();
    f.sets = strings(&["Checkout", "ok", "ok"]);
    f.rules = vec![Rule {
        label: Some(KILLED.into()),
        ..rule(vec![on_key(C::AllKeys)], "on")
    }];
    assert_eq!(
        fields_of(&f),
        vec![
            "name",
            "traffic_type",
            "sets[0]",
            "sets[2]",
            "rules[0].label"
        ]
    );
}

#[test]
fn matchers_that_need_an_attribute_or_values_say_so() {
    let mut f = flag("f");
    f.rules = vec![rule(
        vec![
            on_key(C::EqualTo {
                value: 1.into(),
                data_type: NumericType::Number,
            }),
            on_attribute("tags", C::ContainsAnyOfSet { values: vec![] }),
            on_attribute(
                "plan",
                C::InList {
                    values: strings(&["a", "a", ""]),
                },
            ),
        ],
        "on",
    )];
    assert_eq!(
        fields_of(&f),
        vec![
            "rules[0].matchers[0].attribute",
            "rules[0].matchers[1].condition.values",
            "rules[0].matchers[2].condition.values[1]",
            "rules[0].matchers[2].condition.values[2]",
        ]
    );
}

#[test]
fn regexes_semvers_and_ranges_are_checked() {
    let mut f = flag("f");
    f.rules = vec![rule(
        vec![
            on_attribute(
                "a",
                C::MatchesRegex {
                    pattern: "(".into(),
                },
            ),
            on_attribute(
                "a",
                C::MatchesRegex {
                    pattern: "(?=x)".into(),
                },
            ),
            on_attribute(
                "v",
                C::EqualToSemver {
                    version: "v1".into(),
                },
            ),
            on_attribute(
                "v",
                C::BetweenSemver {
                    start: "2.0.0".into(),
                    end: "1.0.0".into(),
                },
            ),
            on_attribute(
                "n",
                C::Between {
                    start: 5.into(),
                    end: 1.into(),
                    data_type: NumericType::Number,
                },
            ),
        ],
        "on",
    )];
    let errors = errors_of(&f);
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "rules[0].matchers[0].condition.pattern",
            "rules[0].matchers[1].condition.pattern",
            "rules[0].matchers[2].condition.version",
            "rules[0].matchers[3].condition.end",
            "rules[0].matchers[4].condition.end",
        ]
    );
    assert!(errors[1].1.contains("lookaround"), "{}", errors[1].1);
}

#[test]
fn a_flag_needs_some_rule() {
    let mut f = flag("f");
    f.default_rule = None;
    assert_eq!(fields_of(&f), vec!["default_rule"]);
}

#[test]
fn segments_and_dependencies_are_listed_once_in_order_of_appearance() {
    let mut f = flag("f");
    let segment = |name: &str| {
        on_key(C::InSegment {
            segment: name.into(),
        })
    };
    let depends = |name: &str| {
        on_key(C::InFlagTreatment {
            flag: name.into(),
            treatments: strings(&["on"]),
        })
    };
    f.rules = vec![
        rule(vec![segment("b"), segment("a")], "on"),
        rule(vec![segment("b"), depends("x"), depends("y")], "on"),
    ];
    f.prerequisites = vec![Prerequisite {
        flag: "y".into(),
        treatments: strings(&["on"]),
    }];
    assert_eq!(f.segments(), vec!["b", "a"]);
    assert_eq!(f.dependencies(), vec!["y", "x"]);
}
