//! Property tests of the ingestion parsers: whatever the body, they never panic, and every
//! item of a readable body is either accepted or rejected with a known code. Accepted items
//! hold no character the databases refuse.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use imprint_domain::ingest::text::forbidden_in_name;
use imprint_domain::ingest::{
    codes, parse_native_events, parse_native_impressions, parse_split_counts, parse_split_events,
    parse_split_impressions, parse_split_keys_client, parse_split_keys_server, IngestLimits,
    NativeFormat, Parsed, SdkMetadata,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const NOW: i64 = 1_795_320_000_000;

fn limits() -> IngestLimits {
    IngestLimits::new(NOW, 90)
}

const KNOWN_CODES: &[&str] = &[
    codes::INVALID_JSON,
    codes::INVALID_ITEM,
    codes::MISSING_FIELD,
    codes::TOO_LONG,
    codes::INVALID_PROPERTIES,
    codes::PROPERTIES_TOO_LARGE,
    codes::INVALID_TIMESTAMP,
    codes::TIMESTAMP_IN_FUTURE,
    codes::EXPIRED,
    codes::INVALID_CHARACTER,
    codes::INVALID_COUNT,
];

/// Strings with a fair share of what hostile clients send: NUL, controls, bidi overrides,
/// long runs, non-ASCII.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}",
        "\\PC{0,12}",
        Just("\u{0}".to_owned()),
        Just("a\u{202E}b".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("x".repeat(300)),
        Just(String::new()),
    ]
}

fn nasty_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(NOW)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(i64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(u64::MAX)),
        Just(json!(1e300)),
        Just(json!(0.5)),
        any::<i64>().prop_map(|n| json!(n)),
    ]
}

/// Any JSON value a few levels deep, strings and numbers drawn from the nasty ones.
fn nasty_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        nasty_number(),
        nasty_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(nasty_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An object with the given fields, each present or not, nasty or not.
fn item(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop::collection::vec(prop::option::of(nasty_value()), fields.len()).prop_map(move |values| {
        let mut object = serde_json::Map::new();
        for (name, value) in fields.iter().zip(values) {
            if let Some(value) = value {
                object.insert((*name).to_owned(), value);
            }
        }
        Value::Object(object)
    })
}

fn check<T>(parsed: &Parsed<T>, sent: usize, strings: impl Fn(&T) -> Vec<&str>) {
    assert_eq!(parsed.items.len() + parsed.rejected.total(), sent);
    assert_eq!(parsed.items.len(), parsed.indices.len());
    for rejection in parsed.rejected.iter() {
        assert!(KNOWN_CODES.contains(&rejection.code), "{}", rejection.code);
        assert!(!rejection.message.is_empty());
    }
    for item in &parsed.items {
        for s in strings(item) {
            assert!(forbidden_in_name(s).is_none(), "{s:?} was accepted");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_bytes_get_an_answer(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let meta = SdkMetadata::default();
        let _ = parse_split_impressions(&body, &meta, &limits());
        let _ = parse_split_events(&body, &meta, &limits());
        let _ = parse_split_counts(&body, &limits());
        let _ = parse_split_keys_server(&body, &limits());
        let _ = parse_split_keys_client(&body, &limits());
        for format in [NativeFormat::JsonArray, NativeFormat::Ndjson, NativeFormat::TextJson] {
            let _ = parse_native_impressions(&body, format, &limits());
            let _ = parse_native_events(&body, format, &limits());
        }
    }

    #[test]
    fn native_impressions_are_each_accepted_or_rejected(
        items in prop::collection::vec(item(&[
            "flag", "key", "treatment", "timestamp", "label", "change_number",
            "bucketing_key", "traffic_type", "properties", "sdk", "machine_ip", "machine_name",
        ]), 0..8)
    ) {
        let body = serde_json::to_vec(&items).unwrap();
        for format in [NativeFormat::JsonArray, NativeFormat::TextJson] {
            let parsed = parse_native_impressions(&body, format, &limits()).unwrap();
            check(&parsed, items.len(), |i| {
                [Some(i.flag.as_str()), Some(&i.key), Some(&i.treatment), i.label.as_deref(),
                 i.bucketing_key.as_deref(), i.traffic_type.as_deref(), i.sdk.as_deref()]
                    .into_iter().flatten().collect()
            });
        }
        let lines: Vec<String> = items.iter().map(Value::to_string).collect();
        let ndjson = lines.join("\n");
        let parsed = parse_native_impressions(ndjson.as_bytes(), NativeFormat::Ndjson, &limits()).unwrap();
        check(&parsed, items.len(), |i| vec![i.key.as_str()]);
    }

    #[test]
    fn native_events_are_each_accepted_or_rejected(
        items in prop::collection::vec(item(&[
            "event_type", "key", "timestamp", "traffic_type", "value", "properties", "sdk",
        ]), 0..8)
    ) {
        let body = serde_json::to_vec(&items).unwrap();
        let parsed = parse_native_events(&body, NativeFormat::JsonArray, &limits()).unwrap();
        check(&parsed, items.len(), |e| {
            [Some(e.event_type.as_str()), Some(&e.key), e.traffic_type.as_deref()]
                .into_iter().flatten().collect()
        });
    }

    #[test]
    fn split_impressions_are_each_accepted_or_rejected(
        groups in prop::collection::vec(
            (nasty_value(), prop::collection::vec(item(&["k", "t", "m", "c", "r", "b", "properties"]), 0..5)),
            0..4,
        )
    ) {
        let sent: usize = groups.iter().map(|(_, i)| i.len()).sum();
        let body: Vec<Value> = groups.iter().map(|(f, i)| json!({ "f": f, "i": i })).collect();
        let parsed = parse_split_impressions(
            &serde_json::to_vec(&body).unwrap(), &SdkMetadata::default(), &limits());
        // A group whose shape is wrong (its `i` is fine here) is a body error only.
        if let Ok(parsed) = parsed {
            check(&parsed, sent, |i| {
                [Some(i.flag.as_str()), Some(&i.key), Some(&i.treatment), i.label.as_deref(),
                 i.bucketing_key.as_deref()].into_iter().flatten().collect()
            });
        }
    }

    #[test]
    fn split_events_counts_and_keys_always_answer(
        events in prop::collection::vec(item(&[
            "eventTypeId", "trafficTypeName", "value", "timestamp", "key", "properties",
        ]), 0..6),
        counts in prop::collection::vec(item(&["f", "m", "rc"]), 0..6),
        keys in prop::collection::vec((nasty_string(), prop::collection::vec(nasty_string(), 0..4)), 0..4),
    ) {
        let body = serde_json::to_vec(&events).unwrap();
        let parsed = parse_split_events(&body, &SdkMetadata::default(), &limits()).unwrap();
        check(&parsed, events.len(), |e| vec![e.event_type.as_str(), &e.key]);

        let body = serde_json::to_vec(&json!({ "pf": counts })).unwrap();
        if let Ok(parsed) = parse_split_counts(&body, &limits()) {
            for count in &parsed.items {
                assert!(count.count > 0 && count.count <= limits().max_sdk_count);
            }
            check(&parsed, parsed.items.len() + parsed.rejected.total(), |c| vec![c.flag.as_str()]);
        }

        let sent: usize = keys.iter().map(|(_, ks)| ks.len()).sum();
        let server: Vec<Value> = keys.iter().map(|(f, ks)| json!({ "f": f, "ks": ks })).collect();
        let parsed = parse_split_keys_server(
            &serde_json::to_vec(&json!({ "keys": server })).unwrap(), &limits()).unwrap();
        check(&parsed, sent, |k| vec![k.flag.as_str(), &k.key]);
        let client: Vec<Value> = keys.iter().map(|(k, fs)| json!({ "k": k, "fs": fs })).collect();
        let parsed = parse_split_keys_client(
            &serde_json::to_vec(&json!({ "keys": client })).unwrap(), &limits()).unwrap();
        check(&parsed, sent, |k| vec![k.flag.as_str(), &k.key]);
    }
}
