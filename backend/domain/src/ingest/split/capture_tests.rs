//! The real bodies the Node and Python SDKs sent (copied from shared/split-wire/captures).

use serde_json::{json, Value};

use super::*;
use crate::ingest::{SdkCount, SeenKey};

/// Close to the captures' clock (they were taken around 1_795_314_650_000).
fn limits() -> IngestLimits {
    IngestLimits::new(1_795_320_000_000, 90)
}

macro_rules! capture {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/split/",
                $name,
                ".json"
            )),
        )
    };
}

const CAPTURES: &[(&str, &str)] = &[
    capture!("node_debug"),
    capture!("py_debug"),
    capture!("node_clientside"),
    capture!("node_debug_nolabels_noip"),
    capture!("py_none"),
    capture!("node_optimized"),
];

/// The POST bodies sent to `path` in a capture, with the metadata from their headers.
fn posts(capture: &str, path: &str) -> Vec<(Value, SdkMetadata)> {
    let requests: Vec<Value> = serde_json::from_str(capture).unwrap();
    requests
        .into_iter()
        .filter(|r| r["method"] == "POST" && r["path"] == path)
        .map(|r| {
            let header = |name: &str| r["headers"][name].as_str().map(str::to_owned);
            let meta = SdkMetadata {
                sdk: header("SplitSDKVersion"),
                machine_ip: header("SplitSDKMachineIP"),
                machine_name: header("SplitSDKMachineName"),
                impressions_mode: header("SplitSDKImpressionsMode"),
            };
            (r["body"].clone(), meta)
        })
        .collect()
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

#[test]
fn every_captured_impression_parses_with_all_its_fields() {
    let mut seen = 0;
    for (name, capture) in CAPTURES {
        for (body, meta) in posts(capture, "/api/testImpressions/bulk") {
            let parsed = parse_split_impressions(&bytes(&body), &meta, &limits()).unwrap();
            assert!(parsed.rejected.is_empty(), "{name}: {:?}", parsed.rejected);
            let wire: Vec<(&Value, &Value)> = body
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|g| g["i"].as_array().unwrap().iter().map(move |i| (&g["f"], i)))
                .collect();
            assert_eq!(parsed.items.len(), wire.len(), "{name}");
            for (imp, (flag, w)) in parsed.items.iter().zip(wire) {
                assert_eq!(imp.flag, flag.as_str().unwrap());
                assert_eq!(imp.key, w["k"].as_str().unwrap());
                assert_eq!(imp.treatment, w["t"].as_str().unwrap());
                assert_eq!(imp.timestamp, w["m"].as_i64().unwrap());
                assert_eq!(imp.change_number, w["c"].as_i64());
                assert_eq!(imp.label.as_deref(), w["r"].as_str());
                assert_eq!(imp.bucketing_key.as_deref(), w["b"].as_str());
                let props = imp.properties.as_deref().map(|p| {
                    assert!(!p.contains(' '), "{name}: not compact: {p}");
                    serde_json::from_str::<Value>(p).unwrap()
                });
                let wire_props = w["properties"]
                    .as_str()
                    .map(|p| serde_json::from_str::<Value>(p).unwrap());
                assert_eq!(props, wire_props, "{name}");
                assert_eq!(imp.traffic_type, None);
                assert_eq!(imp.sdk, meta.sdk);
                assert_eq!(imp.machine_ip, meta.machine_ip);
                assert_eq!(imp.machine_name, meta.machine_name);
                seen += 1;
            }
        }
    }
    assert!(seen >= 40, "only {seen} impressions in the captures");
}

#[test]
fn a_captured_node_debug_body_gives_the_expected_impressions() {
    let (body, meta) = posts(CAPTURES[0].1, "/api/testImpressions/bulk").remove(0);
    let parsed = parse_split_impressions(&bytes(&body), &meta, &limits()).unwrap();
    assert_eq!(parsed.items.len(), 13);
    let user6 = &parsed.items[8];
    assert_eq!(user6.key, "user-6");
    assert_eq!(user6.bucketing_key.as_deref(), Some("bk-6"));
    assert_eq!(user6.label.as_deref(), Some("default rule"));
    assert_eq!(user6.change_number, Some(1_700_000_000_000));
    assert_eq!(user6.sdk.as_deref(), Some("nodejs-11.11.2"));
    assert_eq!(user6.machine_ip.as_deref(), Some("192.0.2.2"));
    let user5: Value =
        serde_json::from_str(parsed.items[6].properties.as_deref().unwrap()).unwrap();
    assert_eq!(user5, json!({"page": "cart", "items": 3, "beta": true}));
    assert_eq!(parsed.items[12].flag, "partial_flag");
    assert_eq!(parsed.items[12].label.as_deref(), Some("not in split"));
}

#[test]
fn captured_impressions_without_labels_have_no_label() {
    let (body, meta) = posts(CAPTURES[3].1, "/api/testImpressions/bulk").remove(0);
    let parsed = parse_split_impressions(&bytes(&body), &meta, &limits()).unwrap();
    assert_eq!(parsed.items.len(), 13);
    assert!(parsed.items.iter().all(|i| i.label.is_none()));
    assert!(parsed.items.iter().all(|i| i.machine_ip.is_none()));
}

#[test]
fn every_captured_count_key_and_event_body_parses() {
    let (mut counts, mut server, mut client, mut events) = (0, 0, 0, 0);
    for (name, capture) in CAPTURES {
        for (body, _) in posts(capture, "/api/testImpressions/count") {
            let parsed = parse_split_counts(&bytes(&body), &limits()).unwrap();
            assert!(parsed.rejected.is_empty(), "{name}: {:?}", parsed.rejected);
            assert_eq!(
                parsed.items.len(),
                body["pf"].as_array().unwrap().len(),
                "{name}"
            );
            counts += parsed.items.len();
        }
        for (body, _) in posts(capture, "/api/v1/keys/ss") {
            server += parse_split_keys_server(&bytes(&body), &limits())
                .unwrap()
                .items
                .len();
        }
        for (body, _) in posts(capture, "/api/v1/keys/cs") {
            client += parse_split_keys_client(&bytes(&body), &limits())
                .unwrap()
                .items
                .len();
        }
        for (body, meta) in posts(capture, "/api/events/bulk") {
            let parsed = parse_split_events(&bytes(&body), &meta, &limits()).unwrap();
            assert!(parsed.rejected.is_empty(), "{name}: {:?}", parsed.rejected);
            assert_eq!(parsed.items.len(), body.as_array().unwrap().len(), "{name}");
            events += parsed.items.len();
        }
    }
    assert!(counts >= 8 && server >= 10 && client >= 1 && events >= 6);
}

#[test]
fn captured_counts_keys_and_events_keep_their_values() {
    let py_none = CAPTURES[4].1;
    let (body, _) = posts(py_none, "/api/testImpressions/count").remove(0);
    let counts = parse_split_counts(&bytes(&body), &limits()).unwrap().items;
    assert_eq!(
        counts[0],
        SdkCount {
            flag: "checkout_v2".into(),
            hour: 1_795_312_800_000,
            count: 11
        }
    );
    let (body, _) = posts(py_none, "/api/v1/keys/ss").remove(0);
    let keys = parse_split_keys_server(&bytes(&body), &limits())
        .unwrap()
        .items;
    assert_eq!(keys.len(), 12);
    assert_eq!(
        keys[0],
        SeenKey {
            flag: "checkout_v2".into(),
            key: "user-1".into()
        }
    );

    let clientside = CAPTURES[2].1;
    let (body, _) = posts(clientside, "/api/v1/keys/cs").remove(0);
    let keys = parse_split_keys_client(&bytes(&body), &limits())
        .unwrap()
        .items;
    assert_eq!(
        keys,
        vec![SeenKey {
            flag: "silent_flag".into(),
            key: "user-1".into()
        }]
    );
    let (body, meta) = posts(clientside, "/api/events/bulk").remove(0);
    let event = parse_split_events(&bytes(&body), &meta, &limits())
        .unwrap()
        .items
        .remove(0);
    assert_eq!((event.value, event.properties), (Some(1.0), None));
    assert_eq!(event.sdk.as_deref(), Some("javascript-11.11.2"));

    let (body, meta) = posts(CAPTURES[1].1, "/api/events/bulk").remove(0);
    let event = parse_split_events(&bytes(&body), &meta, &limits())
        .unwrap()
        .items
        .remove(0);
    assert_eq!(event.event_type, "purchase");
    assert_eq!(event.traffic_type.as_deref(), Some("user"));
    assert_eq!(event.value, Some(42.5));
    assert_eq!(event.properties.as_deref(), Some(r#"{"sku":"A1"}"#));
}

#[test]
fn captured_bulk_bodies_take_the_single_pass_path_and_borrow_their_strings() {
    for (name, capture) in CAPTURES {
        for (body, _) in posts(capture, "/api/testImpressions/bulk") {
            let body = bytes(&body);
            let groups: Vec<WireGroup<'_>> = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{name}: the hot path refused the body: {e}"));
            for group in groups {
                assert!(matches!(group.f, Cow::Borrowed(_)), "{name}");
                assert!(
                    group.i.iter().all(|i| matches!(i.k, Cow::Borrowed(_))),
                    "{name}"
                );
            }
        }
    }
}
