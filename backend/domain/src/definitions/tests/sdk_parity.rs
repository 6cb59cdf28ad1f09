//! The evaluator against answers recorded from the real Node SDK core for 1500 evaluations
//! over flags using every matcher kind (see `sdk_evaluations.json` and the generator next to
//! it).

use super::*;

const SDK_EVALUATIONS: &str = include_str!("../../../tests/fixtures/split/sdk_evaluations.json");

#[test]
fn evaluations_equal_the_node_sdk_for_every_recorded_case() {
    let fixture: Value = serde_json::from_str(SDK_EVALUATIONS).unwrap();
    let mut world = World::default();
    for flag in fixture["flags"].as_array().unwrap() {
        let definition = from_split_json(flag).unwrap();
        world.flags.insert(definition.name.clone(), definition);
    }
    for (name, keys) in fixture["segments"].as_object().unwrap() {
        let keys: Vec<String> = serde_json::from_value(keys.clone()).unwrap();
        world.segments.insert(name.clone(), keys);
    }
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1500);
    let mut mismatches = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let key = EvaluationKey {
            matching_key: case["key"].as_str().unwrap(),
            bucketing_key: case["bucketingKey"].as_str(),
        };
        let flag = world.flags.get(case["flag"].as_str().unwrap());
        let attributes = attrs(case["attributes"].clone());
        let got = evaluate(flag, &key, &attributes, &world);
        let expected = &case["expected"];
        let config_matches = match expected["config"].as_str() {
            Some(text) => {
                got.config
                    .as_deref()
                    .map(serde_json::from_str::<Value>)
                    .and_then(Result::ok)
                    == serde_json::from_str::<Value>(text).ok()
            }
            None => got.config.is_none(),
        };
        if got.treatment != expected["treatment"]
            || got.label != expected["label"]
            || !config_matches
        {
            mismatches.push(format!("case {index} {case}: got {got:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn evaluations_report_the_change_number_of_found_flags_only() {
    let fixture: Value = serde_json::from_str(SDK_EVALUATIONS).unwrap();
    let definition = from_split_json(&fixture["flags"][0]).unwrap();
    let world = World::default();
    let found = eval(&world, &definition, "user-1", json!({}));
    assert_eq!(found.change_number, Some(definition.change_number));
    let missing = evaluate(None, &EvaluationKey::new("user-1"), &Map::new(), &world);
    assert_eq!(missing.change_number, None);
}
