use super::*;
use MatcherCondition as C;

const SERVED: &str = include_str!("../../../tests/fixtures/split/served_responses.json");
const SERVED_MINIMAL: &str =
    include_str!("../../../tests/fixtures/split/served_responses_minimal.json");
const SDK_EVALUATIONS: &str = include_str!("../../../tests/fixtures/split/sdk_evaluations.json");

/// Every flag definition the SDKs were served in the captures, and those of the parity test.
fn served_definitions() -> Vec<Value> {
    let mut definitions = Vec::new();
    for text in [SERVED, SERVED_MINIMAL] {
        let responses: Map<String, Value> = serde_json::from_str(text).unwrap();
        for (request, response) in responses {
            if request.contains("/splitChanges") {
                definitions.extend(response["ff"]["d"].as_array().unwrap().iter().cloned());
            }
        }
    }
    let parity: Value = serde_json::from_str(SDK_EVALUATIONS).unwrap();
    definitions.extend(parity["flags"].as_array().unwrap().iter().cloned());
    definitions
}

/// What an SDK reads from a definition, with the SDKs' defaults filled in, so two
/// definitions compare equal exactly when the SDKs would treat them the same.
fn meaning(flag: &Value) -> Value {
    let or = |value: &Value, default: Value| {
        if value.is_null() {
            default
        } else {
            value.clone()
        }
    };
    let configurations: Map<String, Value> = flag["configurations"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        serde_json::from_str(v.as_str().unwrap()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let conditions: Vec<Value> = flag["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let matchers: Vec<Value> = c["matcherGroup"]["matchers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    let data: Map<String, Value> = m
                        .as_object()
                        .unwrap()
                        .iter()
                        .filter(|(k, v)| k.ends_with("MatcherData") && !v.is_null())
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    json!({
                        "type": m["matcherType"], "negate": m["negate"],
                        "attribute": m["keySelector"]["attribute"], "data": data,
                    })
                })
                .collect();
            json!({
                "type": or(&c["conditionType"], json!("WHITELIST")), "label": c["label"],
                "combiner": c["matcherGroup"]["combiner"], "matchers": matchers,
                "partitions": c["partitions"],
            })
        })
        .collect();
    json!({
        "name": flag["name"], "trafficTypeName": flag["trafficTypeName"],
        "trafficAllocation": or(&flag["trafficAllocation"], json!(100)),
        "trafficAllocationSeed": or(&flag["trafficAllocationSeed"], json!(0)),
        "seed": flag["seed"], "status": flag["status"], "killed": flag["killed"],
        "defaultTreatment": flag["defaultTreatment"], "changeNumber": flag["changeNumber"],
        "algo": or(&flag["algo"], json!(2)), "configurations": configurations,
        "sets": or(&flag["sets"], json!([])), "conditions": conditions,
        "prerequisites": or(&flag["prerequisites"], json!([])),
        "impressionsDisabled": impressions_disabled_of(flag),
    })
}

#[test]
fn every_served_definition_imports_and_exports_with_the_same_meaning() {
    let definitions = served_definitions();
    assert!(
        definitions.len() >= 6 + 17,
        "fixtures hold {}",
        definitions.len()
    );
    for served in definitions {
        let imported = from_split_json(&served).unwrap_or_else(|e| panic!("{served}: {e:?}"));
        let exported = to_split_json(&imported, impressions_disabled_of(&served));
        assert_eq!(meaning(&exported), meaning(&served), "{}", served["name"]);
    }
}

#[test]
fn an_import_keeps_the_served_labels_and_finds_the_default_rule() {
    let responses: Value = serde_json::from_str(SERVED).unwrap();
    let checkout = &responses["GET /api/splitChanges?s=1.3&since=-1&rbSince=-1"]["ff"]["d"][0];
    let flag = from_split_json(checkout).unwrap();
    let labels: Vec<String> = (0..flag.rules.len()).map(|i| flag.label_of(i)).collect();
    assert_eq!(
        labels,
        vec![
            "whitelisted",
            "in segment beta_users",
            "plan in list [premium]"
        ]
    );
    assert_eq!(flag.rules[0].kind, RuleKind::Whitelist);
    assert_eq!(flag.segments(), vec!["beta_users"]);
    assert_eq!(
        flag.default_rule,
        Some(Serve::Split(vec![
            Partition {
                treatment: "on".into(),
                size: 50
            },
            Partition {
                treatment: "off".into(),
                size: 50
            },
        ]))
    );
    assert_eq!(
        flag.treatment("off").unwrap().config,
        Some(json!({"color": "grey"}))
    );
    assert_eq!(flag.sets, vec!["checkout"]);
}

/// A definition using every part of the model.
fn rich_flag() -> FlagDefinition {
    let mut f = flag("rich");
    f.description = "Everything at once".into();
    f.treatments.push(Treatment {
        name: "unused".into(),
        config: None,
    });
    f.sets = strings(&["web"]);
    f.traffic_allocation = 80;
    f.prerequisites = vec![Prerequisite {
        flag: "upstream".into(),
        treatments: strings(&["on"]),
    }];
    let conditions = vec![
        C::AllKeys,
        C::InList {
            values: strings(&["a"]),
        },
        C::EqualTo {
            value: 3.into(),
            data_type: NumericType::Number,
        },
        C::GreaterThanOrEqualTo {
            value: 1_700_000_000_000_i64.into(),
            data_type: NumericType::Datetime,
        },
        C::LessThanOrEqualTo {
            value: serde_json::Number::from_f64(2.5).unwrap(),
            data_type: NumericType::Number,
        },
        C::Between {
            start: 1.into(),
            end: 9.into(),
            data_type: NumericType::Datetime,
        },
        C::EqualToSet {
            values: strings(&["a"]),
        },
        C::ContainsAnyOfSet {
            values: strings(&["a"]),
        },
        C::ContainsAllOfSet {
            values: strings(&["a"]),
        },
        C::PartOfSet {
            values: strings(&["a"]),
        },
        C::StartsWith {
            values: strings(&["a"]),
        },
        C::EndsWith {
            values: strings(&["a"]),
        },
        C::ContainsString {
            values: strings(&["a"]),
        },
        C::MatchesRegex {
            pattern: "^a$".into(),
        },
        C::EqualToBoolean { value: true },
        C::EqualToSemver {
            version: "1.0.0".into(),
        },
        C::GreaterThanOrEqualToSemver {
            version: "1.0.0".into(),
        },
        C::LessThanOrEqualToSemver {
            version: "1.0.0".into(),
        },
        C::BetweenSemver {
            start: "1.0.0".into(),
            end: "2.0.0".into(),
        },
        C::InListSemver {
            versions: strings(&["1.0.0"]),
        },
    ];
    f.rules = conditions
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            rule(
                vec![if i % 2 == 0 {
                    on_attribute("a", c)
                } else {
                    not(on_attribute("b", c))
                }],
                "off",
            )
        })
        .collect();
    f.rules.push(Rule {
        kind: RuleKind::Whitelist,
        matchers: vec![on_key(C::InSegment {
            segment: "qa".into(),
        })],
        serve: Serve::Split(vec![
            Partition {
                treatment: "on".into(),
                size: 30,
            },
            Partition {
                treatment: "off".into(),
                size: 70,
            },
        ]),
        label: Some("QA team".into()),
    });
    f.rules.push(rule(
        vec![on_key(C::InFlagTreatment {
            flag: "upstream".into(),
            treatments: strings(&["on", "off"]),
        })],
        "on",
    ));
    f
}

#[test]
fn an_export_imports_back_to_the_same_definition_with_labels_materialised() {
    let f = rich_flag();
    let exported = to_split_json(&f, true);
    assert_eq!(
        from_split_json(&exported).unwrap(),
        f.with_materialised_labels()
    );
    assert!(impressions_disabled_of(&exported));
    let mut bare = flag("bare");
    bare.default_rule = None;
    bare.rules = vec![rule(vec![on_key(C::AllKeys)], "on")];
    assert_eq!(
        from_split_json(&to_split_json(&bare, false)).unwrap(),
        bare.with_materialised_labels()
    );
}

#[test]
fn an_export_has_every_field_the_sdks_require() {
    let exported = to_split_json(&rich_flag(), false);
    for field in [
        "name",
        "seed",
        "killed",
        "defaultTreatment",
        "trafficTypeName",
        "status",
        "changeNumber",
        "conditions",
    ] {
        assert!(!exported[field].is_null(), "{field}");
    }
    assert_eq!(exported["algo"], 2);
    assert_eq!(exported["trafficAllocationSeed"], 1_314_412_357);
    assert_eq!(exported["impressionsDisabled"], false);
    assert_eq!(
        exported["configurations"],
        json!({"on": "{\"color\":\"blue\"}"})
    );
    assert_eq!(
        exported["prerequisites"],
        json!([{"n": "upstream", "ts": ["on"]}])
    );
    let conditions = exported["conditions"].as_array().unwrap();
    for condition in conditions {
        assert!(condition["label"].is_string());
        for matcher in condition["matcherGroup"]["matchers"].as_array().unwrap() {
            assert!(matcher["negate"].is_boolean());
        }
    }
    let last = conditions.last().unwrap();
    assert_eq!(last["label"], DEFAULT_RULE);
    assert_eq!(last["conditionType"], "ROLLOUT");
    assert_eq!(
        last["matcherGroup"]["matchers"][0]["matcherType"],
        "ALL_KEYS"
    );
}

#[test]
fn an_unknown_matcher_type_is_an_import_error_naming_it() {
    let responses: Value = serde_json::from_str(SERVED_MINIMAL).unwrap();
    let mut served =
        responses["GET /api/splitChanges?s=1.3&since=-1 (minimal flags)"]["ff"]["d"][0].clone();
    served["conditions"][0]["matcherGroup"]["matchers"][0]["matcherType"] =
        json!("IN_LARGE_SEGMENT");
    let errors = from_split_json(&served).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].field,
        "conditions[0].matcherGroup.matchers[0].matcherType"
    );
    assert!(
        errors[0].message.contains("IN_LARGE_SEGMENT"),
        "{}",
        errors[0].message
    );
}

#[test]
fn imports_refuse_what_the_sdks_would_not_evaluate_the_same() {
    let responses: Value = serde_json::from_str(SERVED_MINIMAL).unwrap();
    let base = &responses["GET /api/splitChanges?s=1.3&since=-1 (minimal flags)"]["ff"]["d"][0];
    let mut bad = base.clone();
    bad["conditions"][0]["partitions"][0]["size"] = json!(40);
    bad["algo"] = json!(1);
    bad["status"] = json!("PAUSED");
    let fields: Vec<String> = from_split_json(&bad)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, vec!["status", "algo", "conditions[0].partitions"]);
}

#[test]
fn the_rest_json_shape_is_snake_case_with_tagged_matchers() {
    let mut f = flag("checkout_v2");
    f.rules = vec![rule(
        vec![on_attribute(
            "plan",
            C::InList {
                values: strings(&["premium"]),
            },
        )],
        "on",
    )];
    let value = serde_json::to_value(&f).unwrap();
    assert_eq!(
        value["rules"][0],
        json!({
            "kind": "rollout",
            "matchers": [{"negate": false, "attribute": "plan", "condition": {"type": "in_list", "values": ["premium"]}}],
            "serve": {"treatment": "on"},
            "label": null,
        })
    );
    assert_eq!(value["default_rule"], json!({"treatment": "on"}));
    assert_eq!(value["status"], "active");
    let back: FlagDefinition = serde_json::from_value(value).unwrap();
    assert_eq!(back, f);
}
