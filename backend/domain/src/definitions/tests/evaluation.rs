use super::*;
use MatcherCondition as C;

fn vip_whitelist() -> Rule {
    Rule {
        kind: RuleKind::Whitelist,
        matchers: vec![on_key(C::InList {
            values: strings(&["vip"]),
        })],
        serve: Serve::Treatment("on".into()),
        label: None,
    }
}

/// A key whose allocation bucket is above `allocation` for the test flag's seed.
fn key_outside(flag: &FlagDefinition) -> String {
    (0..)
        .map(|i| format!("user-{i}"))
        .find(|k| bucket(k, flag.traffic_allocation_seed) > flag.traffic_allocation)
        .unwrap()
}

fn key_inside(flag: &FlagDefinition) -> String {
    (0..)
        .map(|i| format!("user-{i}"))
        .find(|k| bucket(k, flag.traffic_allocation_seed) <= flag.traffic_allocation)
        .unwrap()
}

#[test]
fn an_archived_flag_is_not_found() {
    let mut f = flag("f");
    f.status = FlagStatus::Archived;
    let e = eval(&World::default(), &f, "k", json!({}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        (CONTROL, DEFINITION_NOT_FOUND)
    );
    assert_eq!((e.config, e.change_number), (None, None));
}

#[test]
fn an_unknown_flag_is_not_found() {
    let e = evaluate(
        None,
        &EvaluationKey::new("k"),
        &Map::new(),
        &World::default(),
    );
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        (CONTROL, DEFINITION_NOT_FOUND)
    );
}

#[test]
fn a_killed_flag_serves_its_default_treatment_even_to_whitelisted_keys() {
    let mut f = flag("f");
    f.killed = true;
    f.default_treatment = "on".into();
    f.rules = vec![vip_whitelist()];
    let e = eval(&World::default(), &f, "vip", json!({}));
    assert_eq!((e.treatment.as_str(), e.label.as_str()), ("on", KILLED));
    assert_eq!(
        e.config.as_deref(),
        Some(r#"{"color":"blue"}"#),
        "with its configuration"
    );
    assert_eq!(e.change_number, Some(f.change_number));
}

#[test]
fn keys_outside_the_traffic_allocation_are_not_in_split() {
    let mut f = flag("f");
    f.traffic_allocation = 30;
    let outside = key_outside(&f);
    let e = eval(&World::default(), &f, &outside, json!({}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("off", NOT_IN_SPLIT)
    );
    let inside = key_inside(&f);
    let e = eval(&World::default(), &f, &inside, json!({}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("on", DEFAULT_RULE)
    );
}

#[test]
fn whitelist_rules_come_before_the_traffic_allocation() {
    let mut f = flag("f");
    f.traffic_allocation = 0;
    f.rules = vec![vip_whitelist()];
    let e = eval(&World::default(), &f, "vip", json!({}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("on", WHITELISTED)
    );
    let e = eval(&World::default(), &f, "someone", json!({}));
    assert_eq!(e.label, NOT_IN_SPLIT);
}

#[test]
fn whitelist_rules_after_a_rollout_rule_are_behind_the_allocation() {
    let mut f = flag("f");
    f.traffic_allocation = 0;
    f.rules = vec![
        rule(
            vec![on_attribute(
                "plan",
                C::InList {
                    values: strings(&["x"]),
                },
            )],
            "on",
        ),
        vip_whitelist(),
    ];
    let e = eval(&World::default(), &f, "vip", json!({}));
    assert_eq!(e.label, NOT_IN_SPLIT);
}

#[test]
fn without_a_rollout_rule_the_allocation_never_applies() {
    let mut f = flag("f");
    f.traffic_allocation = 0;
    f.rules = vec![vip_whitelist()];
    f.default_rule = None;
    let e = eval(&World::default(), &f, "someone", json!({}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("off", DEFAULT_RULE)
    );
}

#[test]
fn the_first_matching_rule_wins_and_reports_its_label() {
    let world = World::default().with_segment("employees", &["ada"]);
    let mut f = flag("f");
    f.rules = vec![
        rule(
            vec![on_key(C::InSegment {
                segment: "employees".into(),
            })],
            "off",
        ),
        rule(
            vec![on_attribute(
                "location",
                C::InList {
                    values: strings(&["california"]),
                },
            )],
            "on",
        ),
    ];
    let e = eval(&world, &f, "ada", json!({"location": "california"}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("off", "in segment employees")
    );
    assert_eq!(e.config, None, "off has no configuration");
    let e = eval(&world, &f, "bob", json!({"location": "california"}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("on", r#"user.location in list ["california"]"#)
    );
}

#[test]
fn keys_matching_no_rule_get_the_default_rule() {
    let mut f = flag("f");
    f.rules = vec![rule(
        vec![on_attribute(
            "plan",
            C::InList {
                values: strings(&["x"]),
            },
        )],
        "off",
    )];
    f.default_rule = Some(Serve::Split(vec![
        Partition {
            treatment: "on".into(),
            size: 0,
        },
        Partition {
            treatment: "off".into(),
            size: 100,
        },
    ]));
    let e = eval(&World::default(), &f, "k", json!({}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("off", DEFAULT_RULE)
    );
}

#[test]
fn splits_pick_by_the_bucketing_key_against_cumulative_sizes() {
    let mut f = flag("f");
    f.default_rule = Some(Serve::Split(vec![
        Partition {
            treatment: "on".into(),
            size: 50,
        },
        Partition {
            treatment: "off".into(),
            size: 50,
        },
    ]));
    for i in 0..200 {
        let bucketing = format!("bk-{i}");
        let key = EvaluationKey {
            matching_key: "same",
            bucketing_key: Some(&bucketing),
        };
        let e = evaluate(Some(&f), &key, &Map::new(), &World::default());
        let expected = if bucket(&bucketing, f.seed) <= 50 {
            "on"
        } else {
            "off"
        };
        assert_eq!(e.treatment, expected);
    }
}

#[test]
fn unmet_prerequisites_serve_the_default_treatment() {
    let mut upstream = flag("upstream");
    upstream.default_rule = Some(Serve::Treatment("off".into()));
    let world = World::default().with_flag(upstream);
    let mut f = flag("f");
    f.prerequisites = vec![Prerequisite {
        flag: "upstream".into(),
        treatments: strings(&["on"]),
    }];
    let e = eval(&world, &f, "k", json!({}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("off", PREREQUISITES_NOT_MET)
    );
    f.prerequisites[0].treatments = strings(&["off"]);
    let e = eval(&world, &f, "k", json!({}));
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        ("on", DEFAULT_RULE)
    );
}

#[test]
fn a_killed_flag_does_not_look_at_its_prerequisites() {
    let mut f = flag("f");
    f.killed = true;
    f.prerequisites = vec![Prerequisite {
        flag: "missing".into(),
        treatments: strings(&["on"]),
    }];
    assert_eq!(eval(&World::default(), &f, "k", json!({})).label, KILLED);
}

#[test]
fn a_dependency_cycle_is_an_exception_not_a_stack_overflow() {
    let cyclic = |name: &str, other: &str| {
        let mut f = flag(name);
        f.rules = vec![rule(
            vec![on_key(C::InFlagTreatment {
                flag: other.into(),
                treatments: strings(&["on"]),
            })],
            "on",
        )];
        f
    };
    let world = World::default()
        .with_flag(cyclic("a", "b"))
        .with_flag(cyclic("b", "a"));
    let e = evaluate(
        world.flags.get("a"),
        &EvaluationKey::new("k"),
        &Map::new(),
        &world,
    );
    assert_eq!(
        (e.treatment.as_str(), e.label.as_str()),
        (CONTROL, EXCEPTION)
    );
}
