use serde_json::{json, Value};

use super::*;
use crate::ingest::{codes, ItemRejection};

const TS: i64 = 1_795_314_651_564;

fn limits() -> IngestLimits {
    IngestLimits::new(1_795_320_000_000, 90)
}

fn impressions(body: &[u8], format: NativeFormat) -> Parsed<Impression> {
    parse_native_impressions(body, format, &limits()).unwrap()
}

fn line(value: Value) -> String {
    serde_json::to_string(&value).unwrap()
}

fn imp(key: &str) -> Value {
    json!({"flag": "checkout_v2", "key": key, "treatment": "on", "timestamp": TS})
}

fn codes_at(rejected: &[ItemRejection]) -> Vec<(usize, &'static str)> {
    rejected.iter().map(|r| (r.index, r.code)).collect()
}

#[test]
fn the_content_type_picks_the_format() {
    let cases = [
        (None, NativeFormat::JsonArray),
        (Some("application/json"), NativeFormat::JsonArray),
        (
            Some("application/json; charset=utf-8"),
            NativeFormat::JsonArray,
        ),
        (Some("application/x-ndjson"), NativeFormat::Ndjson),
        (Some("application/ndjson"), NativeFormat::Ndjson),
        (
            Some("Application/JSONL; charset=utf-8"),
            NativeFormat::Ndjson,
        ),
        (Some("text/plain;charset=UTF-8"), NativeFormat::TextJson),
        (Some("application/octet-stream"), NativeFormat::JsonArray),
    ];
    for (ct, format) in cases {
        assert_eq!(NativeFormat::from_content_type(ct), format, "{ct:?}");
    }
}

#[test]
fn a_full_native_impression_keeps_every_field() {
    let body = line(json!([{
        "flag": "checkout_v2", "key": "user-1", "treatment": "on", "timestamp": TS,
        "label": "default rule", "change_number": 1_700_000_000_000_i64, "bucketing_key": "bk",
        "traffic_type": "user", "properties": {"page": "cart"}, "sdk": "ios-1.0",
        "machine_ip": "10.0.0.1", "machine_name": "phone", "future_field": true
    }]));
    let parsed = impressions(body.as_bytes(), NativeFormat::JsonArray);
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    assert_eq!(
        parsed.items,
        vec![Impression {
            flag: "checkout_v2".into(),
            key: "user-1".into(),
            bucketing_key: Some("bk".into()),
            treatment: "on".into(),
            label: Some("default rule".into()),
            change_number: Some(1_700_000_000_000),
            timestamp: TS,
            traffic_type: Some("user".into()),
            properties: Some(r#"{"page":"cart"}"#.into()),
            sdk: Some("ios-1.0".into()),
            machine_ip: Some("10.0.0.1".into()),
            machine_name: Some("phone".into()),
        }]
    );
}

#[test]
fn items_that_are_not_objects_or_have_wrong_fields_are_rejected_alone() {
    let mut wrong_type = imp("u3");
    wrong_type["change_number"] = json!("12");
    let mut missing = imp("u4");
    missing.as_object_mut().unwrap().remove("treatment");
    let mut string_props = imp("u5");
    string_props["properties"] = json!("{\"a\":1}");
    let body = line(json!([
        imp("u0"),
        42,
        wrong_type,
        missing,
        string_props,
        imp("u6")
    ]));
    let parsed = impressions(body.as_bytes(), NativeFormat::JsonArray);
    let keys: Vec<&str> = parsed.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["u0", "u6"]);
    assert_eq!(
        codes_at(&parsed.rejected),
        [
            (1, codes::INVALID_ITEM),
            (2, codes::INVALID_ITEM),
            (3, codes::INVALID_ITEM),
            (4, codes::INVALID_PROPERTIES)
        ]
    );
    assert!(parsed.rejected[0]
        .message
        .contains("a number, not a JSON object"));
    assert!(parsed.rejected[1].message.contains("`change_number`"));
    assert!(parsed.rejected[2]
        .message
        .contains("`treatment` is missing"));
}

#[test]
fn native_validation_gives_the_same_codes_as_split() {
    let long = "x".repeat(251);
    let with = |field: &str, value: Value| {
        let mut item = imp("u");
        item[field] = value;
        item
    };
    let cases = [
        (with("flag", json!("")), codes::MISSING_FIELD),
        (with("key", json!(long)), codes::TOO_LONG),
        (with("sdk", json!(long)), codes::TOO_LONG),
        (with("traffic_type", json!(long)), codes::TOO_LONG),
        (with("timestamp", json!(-1)), codes::INVALID_TIMESTAMP),
        (
            with("timestamp", json!(TS + 10 * 3_600_000)),
            codes::TIMESTAMP_IN_FUTURE,
        ),
        (
            with("timestamp", json!(1_000_000_000_000_i64)),
            codes::EXPIRED,
        ),
        (with("properties", json!([1, 2])), codes::INVALID_PROPERTIES),
    ];
    for (item, code) in cases {
        let parsed = impressions(line(json!([item])).as_bytes(), NativeFormat::JsonArray);
        assert_eq!(codes_at(&parsed.rejected), [(0, code)], "{item}");
    }
}

#[test]
fn ndjson_rejects_a_bad_line_and_counts_only_non_blank_lines() {
    let body = format!(
        "{}\n\n{{not json\r\n{}\r\n   \n[1]\n{}",
        line(imp("u0")),
        line(imp("u2")),
        line(imp("u4"))
    );
    let parsed = impressions(body.as_bytes(), NativeFormat::Ndjson);
    let keys: Vec<&str> = parsed.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["u0", "u2", "u4"]);
    assert_eq!(
        codes_at(&parsed.rejected),
        [(1, codes::INVALID_JSON), (3, codes::INVALID_ITEM)]
    );
}

#[test]
fn text_plain_holds_an_array_a_single_object_or_ndjson() {
    let array = line(json!([imp("a"), imp("b")]));
    assert_eq!(
        impressions(array.as_bytes(), NativeFormat::TextJson)
            .items
            .len(),
        2
    );
    let single = line(imp("a"));
    let parsed = impressions(single.as_bytes(), NativeFormat::TextJson);
    assert_eq!(parsed.items[0].key, "a");
    let ndjson = format!("{}\n{}\nnope\n", line(imp("a")), line(imp("b")));
    let parsed = impressions(ndjson.as_bytes(), NativeFormat::TextJson);
    assert_eq!(parsed.items.len(), 2);
    assert_eq!(codes_at(&parsed.rejected), [(2, codes::INVALID_JSON)]);
}

#[test]
fn text_plain_that_is_not_json_is_a_body_error() {
    for body in [&b"hello"[..], b"42", b"\"str\"", b"[1,"] {
        let err = parse_native_impressions(body, NativeFormat::TextJson, &limits()).unwrap_err();
        assert_eq!(err.code, codes::INVALID_JSON, "{body:?}");
    }
}

#[test]
fn a_json_body_that_is_not_json_is_a_body_error() {
    for body in [&b"garbage"[..], b"42", b"[1,"] {
        let err = parse_native_impressions(body, NativeFormat::JsonArray, &limits()).unwrap_err();
        assert_eq!(err.code, codes::INVALID_JSON);
    }
    let err = parse_native_events(b"nope", NativeFormat::JsonArray, &limits()).unwrap_err();
    assert!(err.message.contains("not valid JSON"), "{}", err.message);
}

#[test]
fn a_json_body_may_be_a_single_impression_but_not_a_single_event() {
    let object = line(imp("a"));
    let parsed = impressions(object.as_bytes(), NativeFormat::JsonArray);
    assert_eq!(parsed.items.len(), 1);
    let parsed = impressions(b"{\"items\": []}", NativeFormat::JsonArray);
    assert_eq!(codes_at(&parsed.rejected), [(0, codes::INVALID_ITEM)]);
    let event = json!({"event_type": "buy", "key": "a", "timestamp": TS}).to_string();
    let err =
        parse_native_events(event.as_bytes(), NativeFormat::JsonArray, &limits()).unwrap_err();
    assert_eq!(err.code, codes::INVALID_JSON);
}

#[test]
fn the_example_payload_of_the_impressions_page_is_an_impression() {
    let body = json!({
        "environmentId": "prod", "feature": "new_ui", "treatment": "on", "key": "user_12345",
        "timestamp": TS, "properties": {"planType": "premium", "region": "us-west"}
    })
    .to_string();
    let parsed = parse_native_impressions_in(
        body.as_bytes(),
        NativeFormat::JsonArray,
        &limits(),
        &["prod", "7"],
    )
    .unwrap();
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    let imp = &parsed.items[0];
    assert_eq!(
        (imp.flag.as_str(), imp.treatment.as_str()),
        ("new_ui", "on")
    );
    assert_eq!(imp.key, "user_12345");
    assert_eq!(imp.timestamp, TS);
    assert_eq!(
        imp.properties.as_deref(),
        Some(r#"{"planType":"premium","region":"us-west"}"#)
    );
}

#[test]
fn an_environment_id_naming_another_environment_rejects_the_item() {
    let items = json!([
        {"environmentId": "staging", "feature": "f", "treatment": "on", "key": "a", "timestamp": TS},
        {"environmentId": "7", "feature": "f", "treatment": "on", "key": "b", "timestamp": TS},
        {"treatment": "on", "key": "c", "timestamp": TS}
    ])
    .to_string();
    let parsed = parse_native_impressions_in(
        items.as_bytes(),
        NativeFormat::JsonArray,
        &limits(),
        &["prod", "7"],
    )
    .unwrap();
    assert_eq!(parsed.items.len(), 1);
    assert_eq!(
        codes_at(&parsed.rejected),
        [(0, codes::WRONG_ENVIRONMENT), (2, codes::INVALID_ITEM)]
    );
}

#[test]
fn empty_bodies_are_empty_batches_in_every_format() {
    for format in [
        NativeFormat::JsonArray,
        NativeFormat::Ndjson,
        NativeFormat::TextJson,
    ] {
        for body in [&b""[..], b"\n \n", b"[]"] {
            if body == b"[]" && format == NativeFormat::Ndjson {
                continue;
            }
            assert_eq!(
                impressions(body, format),
                Parsed::default(),
                "{format:?} {body:?}"
            );
        }
    }
}

#[test]
fn native_events_keep_their_fields_and_reject_bad_ones() {
    let body = format!(
        "{}\n{}\n{}",
        line(
            json!({"event_type": "purchase", "key": "u1", "timestamp": TS, "traffic_type": "user",
                    "value": 42.5, "properties": {"sku": "A1"}, "sdk": "web-2", "x": 1})
        ),
        line(json!({"event_type": "purchase", "key": "u2", "timestamp": "yesterday"})),
        line(json!({"event_type": "", "key": "u3", "timestamp": TS})),
    );
    let parsed = parse_native_events(body.as_bytes(), NativeFormat::Ndjson, &limits()).unwrap();
    assert_eq!(
        parsed.items,
        vec![Event {
            event_type: "purchase".into(),
            key: "u1".into(),
            traffic_type: Some("user".into()),
            value: Some(42.5),
            timestamp: TS,
            properties: Some(r#"{"sku":"A1"}"#.into()),
            sdk: Some("web-2".into()),
            machine_ip: None,
            machine_name: None,
        }]
    );
    assert_eq!(
        codes_at(&parsed.rejected),
        [(1, codes::INVALID_ITEM), (2, codes::MISSING_FIELD)]
    );
    assert!(parsed.rejected[0].message.contains("`timestamp`"));
}
