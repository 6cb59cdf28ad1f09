use serde_json::{json, Value};

use super::*;
use crate::ingest::{codes, ItemRejection, SdkCount, SeenKey};

/// Close to the clock of the SDK captures this file's timestamps imitate.
fn limits() -> IngestLimits {
    IngestLimits::new(1_795_320_000_000, 90)
}

const TS: i64 = 1_795_314_651_564;

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

fn impressions(body: Value) -> Parsed<Impression> {
    parse_split_impressions(&bytes(&body), &SdkMetadata::default(), &limits()).unwrap()
}

fn only_rejection(body: Value) -> ItemRejection {
    let parsed = impressions(body);
    assert!(parsed.items.is_empty(), "{:?}", parsed.items);
    assert_eq!(parsed.rejected.len(), 1, "{:?}", parsed.rejected);
    parsed.rejected[0].clone()
}

fn one(item: Value) -> Value {
    json!([{"f": "checkout_v2", "i": [item]}])
}

#[test]
fn unknown_fields_and_explicit_nulls_are_accepted() {
    let parsed = impressions(json!([{"f": "a", "x": 1, "i": [
        {"k": "u", "t": "on", "m": TS, "et": 3, "b": null, "pt": null, "c": null, "r": null,
         "properties": null, "newThing": {"deep": [1]}}
    ]}]));
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let imp = &parsed.items[0];
    assert_eq!((imp.bucketing_key.clone(), imp.label.clone()), (None, None));
    assert_eq!((imp.change_number, imp.properties.clone()), (None, None));
}

#[test]
fn a_bad_impression_is_rejected_at_its_flattened_index_and_the_others_are_kept() {
    let parsed = impressions(json!([
        {"f": "a", "i": [{"k": "u1", "t": "on", "m": TS}, {"k": "u2", "t": "on", "m": TS}]},
        {"f": "b", "i": [{"k": "u3", "t": "on", "m": TS}, {"k": 5, "t": "on", "m": TS},
                         {"k": "u5", "t": "off", "m": TS}]},
    ]));
    let keys: Vec<&str> = parsed.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["u1", "u2", "u3", "u5"]);
    assert_eq!(parsed.items[3].flag, "b");
    assert_eq!(parsed.rejected.len(), 1);
    let rejection = &parsed.rejected[0];
    assert_eq!((rejection.index, rejection.code), (3, codes::INVALID_ITEM));
    assert!(rejection.message.contains("`k`"), "{}", rejection.message);
}

#[test]
fn an_item_that_is_not_an_object_or_lacks_a_field_is_an_invalid_item() {
    let rejection = only_rejection(one(json!("user-1")));
    assert_eq!(rejection.code, codes::INVALID_ITEM);
    assert!(rejection.message.contains("not a JSON object"));
    let rejection = only_rejection(one(json!({"k": "u", "t": "on"})));
    assert_eq!(rejection.code, codes::INVALID_ITEM);
    assert!(
        rejection.message.contains("`m` is missing"),
        "{}",
        rejection.message
    );
    let rejection = only_rejection(one(json!({"k": "u", "t": "on", "m": 1.5})));
    assert!(
        rejection.message.contains("`m` must be a whole number"),
        "{}",
        rejection.message
    );
}

#[test]
fn each_rejection_code_is_given_for_its_problem() {
    let long = "x".repeat(251);
    let cases = [
        (
            json!({"k": "", "t": "on", "m": TS}),
            codes::MISSING_FIELD,
            "`k`",
        ),
        (
            json!({"k": "u", "t": "", "m": TS}),
            codes::MISSING_FIELD,
            "`t`",
        ),
        (
            json!({"k": long, "t": "on", "m": TS}),
            codes::TOO_LONG,
            "250 bytes",
        ),
        (
            json!({"k": "u", "t": "on", "m": TS, "r": long}),
            codes::TOO_LONG,
            "`r`",
        ),
        (
            json!({"k": "u", "t": "on", "m": TS, "b": long}),
            codes::TOO_LONG,
            "`b`",
        ),
        (
            json!({"k": "u", "t": "on", "m": 0}),
            codes::INVALID_TIMESTAMP,
            "`m`",
        ),
        (
            json!({"k": "u", "t": "on", "m": -5}),
            codes::INVALID_TIMESTAMP,
            "`m`",
        ),
        (
            json!({"k": "u", "t": "on", "m": 1_795_330_000_000_i64}),
            codes::TIMESTAMP_IN_FUTURE,
            "3600000 ms",
        ),
        (
            json!({"k": "u", "t": "on", "m": 1_700_000_000_000_i64}),
            codes::EXPIRED,
            "`m`",
        ),
        (
            json!({"k": "u", "t": "on", "m": TS, "properties": "[1]"}),
            codes::INVALID_PROPERTIES,
            "an array",
        ),
        (
            json!({"k": "u", "t": "on", "m": TS, "properties": "{oops"}),
            codes::INVALID_PROPERTIES,
            "valid JSON",
        ),
        (
            json!({"k": "u", "t": "on", "m": TS, "properties": 7}),
            codes::INVALID_PROPERTIES,
            "a number",
        ),
        (
            json!({"k": "u", "t": "on", "m": TS, "properties": format!("{{\"a\":\"{}\"}}", "y".repeat(33_000))}),
            codes::PROPERTIES_TOO_LARGE,
            "32768 bytes",
        ),
    ];
    for (item, code, needle) in cases {
        let rejection = only_rejection(one(item.clone()));
        assert_eq!(rejection.code, code, "{item}");
        assert!(
            rejection.message.contains(needle),
            "{item}: {}",
            rejection.message
        );
    }
}

#[test]
fn a_group_with_an_empty_or_missing_flag_rejects_each_of_its_impressions() {
    let item = json!({"k": "u", "t": "on", "m": TS});
    let parsed = impressions(json!([{"f": "", "i": [item, item]}, {"f": "ok", "i": [item]}]));
    assert_eq!(parsed.items.len(), 1);
    assert_eq!(parsed.rejected.len(), 2);
    assert!(parsed
        .rejected
        .iter()
        .all(|r| r.code == codes::MISSING_FIELD));
    let parsed = impressions(json!([{"i": [item]}, {"f": 3, "i": [item]}]));
    let found: Vec<(usize, &str)> = parsed.rejected.iter().map(|r| (r.index, r.code)).collect();
    assert_eq!(found, [(0, codes::INVALID_ITEM), (1, codes::INVALID_ITEM)]);
}

#[test]
fn properties_are_stored_compact_and_an_empty_object_as_none() {
    let base = json!({"k": "u", "t": "on", "m": TS});
    let with = |p: Value| {
        let mut item = base.clone();
        item["properties"] = p;
        impressions(one(item)).items.remove(0).properties
    };
    assert_eq!(with(json!("{ \"a\" : 1 }")).as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(with(json!({"a": 1})).as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(with(json!("{}")), None);
    assert_eq!(with(json!("null")), None);
}

#[test]
fn a_body_that_is_not_an_array_of_groups_is_a_body_error() {
    let meta = SdkMetadata::default();
    for body in [
        &b"{\"f\":\"a\",\"i\":[]}"[..],
        b"not json",
        b"[{\"f\":\"a\"",
        b"null",
        b"[1]",
        b"[{\"f\":\"a\",\"i\":{}}]",
    ] {
        let err = parse_split_impressions(body, &meta, &limits()).unwrap_err();
        assert_eq!(err.code, codes::INVALID_JSON);
        assert!(!err.message.is_empty());
    }
    let err = parse_split_impressions(b"{}", &meta, &limits()).unwrap_err();
    assert!(
        err.message.contains("not a single object"),
        "{}",
        err.message
    );
}

#[test]
fn an_empty_body_or_array_is_an_empty_batch() {
    let meta = SdkMetadata::default();
    for body in [&b""[..], b"  \n", b"[]", b"\xEF\xBB\xBF[]"] {
        let parsed = parse_split_impressions(body, &meta, &limits()).unwrap();
        assert_eq!(parsed, Parsed::default());
        assert_eq!(
            parse_split_events(body, &meta, &limits()).unwrap(),
            Parsed::default()
        );
    }
    assert_eq!(
        parse_split_counts(b"", &limits()).unwrap(),
        Parsed::default()
    );
    assert_eq!(
        parse_split_counts(b"{}", &limits()).unwrap(),
        Parsed::default()
    );
    assert_eq!(
        parse_split_keys_server(b"", &limits()).unwrap(),
        Parsed::default()
    );
    assert_eq!(
        parse_split_keys_client(b"{\"keys\":[]}", &limits()).unwrap(),
        Parsed::default()
    );
}

#[test]
fn counts_of_zero_are_dropped_and_bad_counts_rejected() {
    let m = 1_795_312_800_000_i64;
    let body = json!({"pf": [
        {"f": "a", "m": m, "rc": 2},
        {"f": "b", "m": m, "rc": 0},
        {"f": "c", "m": m, "rc": -4},
        {"f": "", "m": m, "rc": 3},
        {"f": "d", "m": m, "rc": i64::MAX},
        {"f": "e", "m": 1, "rc": 1},
        {"f": "f", "m": m + 400 * 24 * 3_600_000_i64, "rc": 1},
        {"f": "g\u{0}", "m": m, "rc": 1},
    ]});
    let parsed = parse_split_counts(body.to_string().as_bytes(), &limits()).unwrap();
    assert_eq!(
        parsed.items,
        vec![SdkCount {
            flag: "a".into(),
            hour: m,
            count: 2
        }]
    );
    let found: Vec<(usize, &str)> = parsed.rejected.iter().map(|r| (r.index, r.code)).collect();
    assert_eq!(
        found,
        [
            (2, codes::INVALID_COUNT),
            (3, codes::MISSING_FIELD),
            (4, codes::INVALID_COUNT),
            (5, codes::EXPIRED),
            (6, codes::TIMESTAMP_IN_FUTURE),
            (7, codes::INVALID_CHARACTER),
        ]
    );
}

#[test]
fn counts_and_keys_of_the_wrong_shape_are_body_errors() {
    assert_eq!(
        parse_split_counts(b"[]", &limits()).unwrap_err().code,
        codes::INVALID_JSON
    );
    assert_eq!(
        parse_split_counts(br#"{"pf":[{"f":"a","m":1}]}"#, &limits())
            .unwrap_err()
            .code,
        codes::INVALID_JSON
    );
    assert_eq!(
        parse_split_keys_server(br#"{"keys":[{"k":"u","fs":["a"]}]}"#, &limits())
            .unwrap_err()
            .code,
        codes::INVALID_JSON
    );
    assert_eq!(
        parse_split_keys_client(b"{", &limits()).unwrap_err().code,
        codes::INVALID_JSON
    );
}

#[test]
fn empty_or_unprintable_keys_and_flags_are_rejected_one_by_one() {
    let parsed = parse_split_keys_server(
        br#"{"keys":[{"f":"a","ks":["","u1"]},{"f":"","ks":["u2"]},{"f":"b\u202e","ks":["u3"]}]}"#,
        &limits(),
    )
    .unwrap();
    assert_eq!(
        parsed.items,
        vec![SeenKey {
            flag: "a".into(),
            key: "u1".into()
        }]
    );
    let found: Vec<(usize, &str)> = parsed.rejected.iter().map(|r| (r.index, r.code)).collect();
    assert_eq!(
        found,
        [
            (0, codes::MISSING_FIELD),
            (2, codes::MISSING_FIELD),
            (3, codes::INVALID_CHARACTER)
        ]
    );
    let parsed = parse_split_keys_client(
        br#"{"keys":[{"k":"u","fs":["a",""]},{"k":"","fs":["b"]}]}"#,
        &limits(),
    )
    .unwrap();
    assert_eq!(
        parsed.items,
        vec![SeenKey {
            flag: "a".into(),
            key: "u".into()
        }]
    );
    assert_eq!(parsed.rejected.total(), 2);
}

#[test]
fn a_bad_event_is_rejected_and_the_others_are_kept() {
    let body = json!([
        {"eventTypeId": "buy", "trafficTypeName": "user", "timestamp": TS, "key": "u1", "et": 1},
        {"eventTypeId": "buy", "timestamp": TS, "key": "u2"},
        {"eventTypeId": "", "trafficTypeName": "user", "timestamp": TS, "key": "u3"},
        {"eventTypeId": "buy", "trafficTypeName": "user", "timestamp": TS, "key": "u4", "properties": [1]},
        {"eventTypeId": "buy", "trafficTypeName": "user", "timestamp": TS, "key": "u5", "value": "1"},
        {"eventTypeId": "buy", "trafficTypeName": "user", "timestamp": TS, "key": "u6", "value": null},
    ]);
    let parsed = parse_split_events(&bytes(&body), &SdkMetadata::default(), &limits()).unwrap();
    let keys: Vec<&str> = parsed.items.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["u1", "u6"]);
    let found: Vec<(usize, &str)> = parsed.rejected.iter().map(|r| (r.index, r.code)).collect();
    assert_eq!(
        found,
        [
            (1, codes::INVALID_ITEM),
            (2, codes::MISSING_FIELD),
            (3, codes::INVALID_PROPERTIES),
            (4, codes::INVALID_ITEM)
        ]
    );
    assert!(parsed.rejected[0].message.contains("`trafficTypeName`"));
    assert!(parsed.rejected[3]
        .message
        .contains("`value` must be a number"));
}

#[test]
fn an_events_body_that_is_an_object_is_a_body_error() {
    let err = parse_split_events(
        br#"{"eventTypeId":"buy"}"#,
        &SdkMetadata::default(),
        &limits(),
    )
    .unwrap_err();
    assert_eq!(err.code, codes::INVALID_JSON);
    assert!(
        err.message.contains("JSON array of events"),
        "{}",
        err.message
    );
}
