use serde_json::{json, Value};

use super::*;
use crate::ingest::ItemRejection;

const NOW: i64 = 1_795_320_000_000;
const TS: i64 = 1_795_314_651_564;

fn limits() -> IngestLimits {
    IngestLimits::new(NOW, 90)
}

fn parse(body: Value) -> AmplitudeExposures {
    parse_amplitude_exposures(body.to_string().as_bytes(), &limits()).unwrap()
}

fn exposure(user: &str) -> Value {
    json!({
        "event_type": "$impression", "user_id": user, "time": TS,
        "event_properties": {"flag_key": "checkout", "variant": "on", "experiment_key": "exp-1", "page": "/cart"}
    })
}

fn codes_at(rejected: &[ItemRejection]) -> Vec<(usize, &'static str)> {
    rejected.iter().map(|r| (r.index, r.code)).collect()
}

#[test]
fn an_impression_event_becomes_an_impression_with_the_transformed_properties() {
    let got = parse(exposure("user-1"));
    assert!(got.single);
    assert!(got.parsed.rejected.is_empty(), "{:?}", got.parsed.rejected);
    let imp = &got.parsed.items[0];
    assert_eq!(imp.flag, "checkout");
    assert_eq!(imp.treatment, "on");
    assert_eq!(imp.key, "user-1");
    assert_eq!(imp.timestamp, TS);
    assert_eq!(imp.sdk.as_deref(), Some(AMPLITUDE_SDK));
    let properties: Value = serde_json::from_str(imp.properties.as_deref().unwrap()).unwrap();
    assert_eq!(
        properties,
        json!({
            "[Experiment] Flag Key": "checkout", "[Experiment] Variant": "on",
            "[Experiment] Experiment Key": "exp-1", "page": "/cart"
        })
    );
}

#[test]
fn the_device_id_is_the_key_without_a_user_id_and_the_upload_time_without_a_time() {
    let got = parse(json!({
        "event_type": "$exposure", "device_id": "device-9", "library": "amplitude-ts/2.1.0",
        "event_properties": {"flag_key": "checkout", "variant": "off"}
    }));
    let imp = &got.parsed.items[0];
    assert_eq!(imp.key, "device-9");
    assert_eq!(imp.timestamp, NOW);
    assert_eq!(imp.sdk.as_deref(), Some("amplitude-ts/2.1.0"));
}

#[test]
fn arrays_and_the_batch_envelope_hold_several_events_and_the_key() {
    let got = parse(json!([exposure("a"), exposure("b")]));
    assert!(!got.single);
    assert_eq!(got.parsed.items.len(), 2);
    let batch = json!({"api_key": "sdk-key", "events": [exposure("a"), exposure("b")]});
    assert_eq!(
        amplitude_api_key(batch.to_string().as_bytes()).as_deref(),
        Some("sdk-key")
    );
    let got = parse(batch);
    assert_eq!(got.parsed.items.len(), 2);
    assert!(!got.single);
}

#[test]
fn events_that_are_not_exposures_or_lack_what_an_impression_needs_are_rejected_alone() {
    let got = parse(json!({"events": [
        exposure("a"),
        {"event_type": "Button Clicked", "user_id": "a", "event_properties": {}},
        {"event_type": "$impression", "event_properties": {"flag_key": "f", "variant": "on"}},
        {"event_type": "$impression", "user_id": "a", "event_properties": {"variant": "on"}},
        {"event_type": "$impression", "user_id": "a", "event_properties": {"flag_key": "f", "variant": 3}},
        {"event_type": "$impression", "user_id": "a", "event_properties": "flag"},
        {"event_type": "$impression", "user_id": "a", "time": NOW + 2 * 3_600_000,
         "event_properties": {"flag_key": "f", "variant": "on"}},
        {"user_id": "a"},
    ]}));
    assert_eq!(got.parsed.items.len(), 1);
    assert_eq!(
        codes_at(&got.parsed.rejected),
        [
            (1, codes::UNSUPPORTED_EVENT_TYPE),
            (2, codes::MISSING_FIELD),
            (3, codes::MISSING_FIELD),
            (4, codes::INVALID_ITEM),
            (5, codes::INVALID_PROPERTIES),
            (6, codes::TIMESTAMP_IN_FUTURE),
            (7, codes::INVALID_ITEM),
        ]
    );
}

#[test]
fn bodies_that_hold_no_events_are_body_errors() {
    for body in [&b"nope"[..], b"42", b"\"x\"", b"{\"events\": 3}"] {
        let err = parse_amplitude_exposures(body, &limits()).unwrap_err();
        assert_eq!(err.code, codes::INVALID_JSON, "{body:?}");
    }
    let empty = parse_amplitude_exposures(b"  ", &limits()).unwrap();
    assert!(empty.parsed.items.is_empty());
}
