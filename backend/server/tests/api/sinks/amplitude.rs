//! The Amplitude sink against a receiver that holds it to Amplitude's HTTP V2 contract: the
//! API key in the body, at most 2,000 events and under 1 MB per request (413), every event
//! with an `event_type`, a `user_id` or `device_id` of at least 5 characters (unless
//! `options.min_id_length` says less), an integer `time` and an `insert_id`; a 400 names the
//! invalid events in Amplitude's JSON and takes none of the request.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::rows::{dead_letters, impression, padding, post_event, post_native};
use super::*;
use crate::helpers::{error_code, spawn_app};

const API_KEY: &str = "amp-project-key-0001";

/// Answers a request as Amplitude's `/2/httpapi` does.
fn amplitude_answer(request: &Received) -> Reply {
    let error = |status: u16, body: Value| Reply::status(status).with_body(&body.to_string());
    if request.path != "/2/httpapi" {
        return Reply::status(404);
    }
    if request.body.len() >= 1_000_000 {
        return error(413, json!({ "code": 413, "error": "Payload too large" }));
    }
    if request.header("content-type") != Some("application/json") {
        return error(400, json!({ "code": 400, "error": "Invalid content-type" }));
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return error(
            400,
            json!({ "code": 400, "error": "Invalid JSON request body" }),
        );
    };
    match body["api_key"].as_str() {
        None => {
            return error(
                400,
                json!({ "code": 400, "error": "Request missing required field", "missing_field": "api_key" }),
            )
        }
        Some(key) if key != API_KEY => {
            return error(
                400,
                json!({ "code": 400, "error": format!("Invalid API key: {key}") }),
            )
        }
        Some(_) => {}
    }
    let Some(events) = body["events"].as_array() else {
        return error(
            400,
            json!({ "code": 400, "error": "Request missing required field", "missing_field": "events" }),
        );
    };
    if events.len() > 2000 {
        return error(413, json!({ "code": 413, "error": "Payload too large" }));
    }
    let min_id_length = body["options"]["min_id_length"].as_u64().unwrap_or(5) as usize;
    let mut invalid: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut missing: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, event) in events.iter().enumerate() {
        if !event["event_type"].is_string() {
            missing.entry("event_type").or_default().push(i);
        }
        if !event["insert_id"].is_string() {
            missing.entry("insert_id").or_default().push(i);
        }
        if !event["time"].is_i64() {
            invalid.entry("time").or_default().push(i);
        }
        let ids: Vec<(&str, &str)> = ["user_id", "device_id"]
            .into_iter()
            .filter_map(|f| event[f].as_str().map(|v| (f, v)))
            .collect();
        if ids.is_empty() {
            missing.entry("user_id").or_default().push(i);
        }
        for (field, id) in ids {
            if id.chars().count() < min_id_length {
                invalid.entry(field).or_default().push(i);
            }
        }
    }
    if !invalid.is_empty() || !missing.is_empty() {
        return error(
            400,
            json!({
                "code": 400,
                "error": "Invalid field values on some events",
                "events_with_invalid_fields": invalid,
                "events_with_missing_fields": missing,
            }),
        );
    }
    let ingested = json!({
        "code": 200,
        "events_ingested": events.len(),
        "payload_size_bytes": request.body.len(),
        "server_upload_time": imprint_store::now_ms(),
    });
    Reply::status(200).with_body(&ingested.to_string())
}

fn amplitude_receiver() -> Receiver {
    Receiver::with_contract(Arc::new(amplitude_answer))
}

fn amplitude_sink(receiver: &Receiver, extra: Value) -> Value {
    let mut config = json!({ "api_key": API_KEY, "base_url": receiver.url(""), "flush_ms": 50 });
    if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        config.extend(extra.clone());
    }
    json!({ "kind": "amplitude", "name": "amplitude", "config": config })
}

/// The events of the requests Amplitude accepted.
fn ingested(receiver: &Receiver) -> Vec<Value> {
    receiver
        .accepted()
        .iter()
        .flat_map(|r| r.json()["events"].as_array().unwrap().clone())
        .collect()
}

fn insert_ids(request: &Received) -> Vec<String> {
    request.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["insert_id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn impressions_reach_amplitude_as_experiment_exposures_with_stable_insert_ids() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = amplitude_receiver();
    receiver.script([Reply::status(503).with_body("upstream unavailable")]);
    let created = create_sink(&app, &admin, amplitude_sink(&receiver, json!({}))).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["secrets_set"], json!(["api_key"]));
    let shown = sink(&app, &admin, id).await;
    assert!(!shown.to_string().contains(API_KEY), "{shown}");

    post_impressions(&app, &env, "checkout", &keys("user", 3)).await;
    wait_for_sink(&app, &admin, id, "3 deliveries", |s| s["delivered"] == 3).await;
    let requests = receiver.requests();
    assert_eq!(requests[0].status, 503);
    // The retry carries the same insert ids, which Amplitude deduplicates on.
    assert_eq!(insert_ids(&requests[0]), insert_ids(&requests[1]));
    assert_eq!(requests[0].json()["api_key"], API_KEY);

    let events = ingested(&receiver);
    assert_eq!(events.len(), 3);
    let ids: HashSet<String> = events
        .iter()
        .map(|e| e["insert_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3, "insert ids are unique per impression");
    let exported = app.exported(ENV, "").await;
    for event in &events {
        let insert_id = event["insert_id"].as_str().unwrap();
        let parts: Vec<&str> = insert_id.split('-').collect();
        assert!(parts.len() == 3 && parts[0] == "imp", "{insert_id}");
        assert!(parts[1].parse::<i64>().is_ok() && parts[2].parse::<i64>().is_ok());
        let key = event["user_id"].as_str().unwrap();
        let row = exported.iter().find(|r| r["key"] == key).unwrap();
        assert_eq!(event["event_type"], "[Experiment] Impression");
        assert!(event.get("device_id").is_none());
        assert_eq!(event["time"], row["timestamp"]);
        let properties = &event["event_properties"];
        assert_eq!(properties["[Experiment] Flag Key"], "checkout");
        assert_eq!(properties["[Experiment] Variant"], "on");
        assert_eq!(properties["label"], "default rule");
        assert_eq!(properties["change_number"], 42);
        assert_eq!(properties["environment"], ENV);
        assert_eq!(
            event["user_properties"],
            json!({ "$set": { "[Experiment] checkout": "on" } })
        );
    }
    let mut keys_sent: Vec<&str> = events
        .iter()
        .map(|e| e["user_id"].as_str().unwrap())
        .collect();
    keys_sent.sort();
    assert_eq!(keys_sent, keys("user", 3));
}

#[actix_web::test]
async fn the_split_preset_maps_traffic_types_to_device_ids_and_carries_events() {
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = amplitude_receiver();
    let mut body = amplitude_sink(
        &receiver,
        json!({ "preset": "split", "event_type": "flag_evaluated",
                "id_field": { "account": "device_id", "user": "user_id" } }),
    );
    body["events"] = json!(true);
    let id = create_sink(&app, &admin, body).await["id"]
        .as_i64()
        .unwrap();

    post_native(
        &app,
        &env,
        &[
            impression(
                "pricing",
                "user-0001",
                "user",
                json!({ "plan": "pro", "flag": "spoofed" }),
            ),
            impression("pricing", "account-0001", "account", json!({})),
            impression("pricing", "visitor-0001", "visitor", json!({})),
        ],
    )
    .await;
    post_event(
        &app,
        &env,
        json!({ "eventTypeId": "purchase", "trafficTypeName": "account", "key": "account-0001",
                "value": 12.5, "timestamp": imprint_store::now_ms(), "properties": { "sku": "A1" } }),
    )
    .await;
    wait_for_sink(&app, &admin, id, "4 deliveries", |s| s["delivered"] == 4).await;

    let events = ingested(&receiver);
    let by_id = |field: &str, key: &str| {
        events
            .iter()
            .find(|e| e[field] == key)
            .unwrap_or_else(|| panic!("no event with {field} {key}: {events:?}"))
            .clone()
    };
    let user = by_id("user_id", "user-0001");
    assert_eq!(user["event_type"], "flag_evaluated");
    assert!(user.get("user_properties").is_none());
    assert_eq!(
        user["event_properties"],
        json!({ "environment": ENV, "flag": "pricing", "treatment": "on",
                "label": "in segment beta", "change_number": 7, "plan": "pro" })
    );
    let account = by_id("device_id", "account-0001");
    assert_eq!(account["event_type"], "flag_evaluated");
    assert!(account.get("user_id").is_none());
    // Traffic types the mapping does not name go as user ids.
    by_id("user_id", "visitor-0001");

    let purchase = events
        .iter()
        .find(|e| e["event_type"] == "purchase")
        .unwrap();
    assert_eq!(purchase["device_id"], "account-0001");
    assert!(purchase["insert_id"].as_str().unwrap().starts_with("evt-"));
    assert_eq!(
        purchase["event_properties"],
        json!({ "sku": "A1", "value": 12.5, "environment": ENV })
    );
}

#[actix_web::test]
async fn only_the_events_amplitude_names_become_dead_letters_and_the_rest_is_resent() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = amplitude_receiver();
    let id = create_sink(&app, &admin, amplitude_sink(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    // Amplitude refuses ids under 5 characters: "ab" and "cd" are invalid user ids.
    let sent: Vec<String> = ["user-0", "ab", "user-1", "cd", "user-2"]
        .map(String::from)
        .to_vec();
    post_impressions(&app, &env, "checkout", &sent).await;
    let status = wait_for_sink(&app, &admin, id, "3 delivered and 2 set aside", |s| {
        s["delivered"] == 3 && s["dead_lettered"] == 2
    })
    .await;
    assert_eq!(status["status"], "active", "{status}");

    let requests = receiver.requests();
    let refused = requests.iter().find(|r| r.status == 400).unwrap();
    assert_eq!(refused.json()["events"].as_array().unwrap().len(), 5);
    let mut delivered: Vec<String> = ingested(&receiver)
        .iter()
        .map(|e| e["user_id"].as_str().unwrap().to_owned())
        .collect();
    delivered.sort();
    assert_eq!(delivered, keys("user", 3));

    let letters = dead_letters(&app, &admin, id).await;
    assert_eq!(letters.len(), 2, "{letters:?}");
    for letter in &letters {
        assert_eq!(letter["rows"], 1);
        assert_eq!(letter["first_id"], letter["last_id"]);
        let error = letter["error"].as_str().unwrap();
        assert!(
            error.contains("HTTP 400") && error.contains("events_with_invalid_fields"),
            "{error}"
        );
    }
    // The dead letters are the two short keys: retrying them fails again at Amplitude.
    let retried: Value = admin
        .post(
            &app,
            &format!("/api/v1/environments/{ENV}/sinks/{id}/dead-letters/retry"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retried["delivered"], 0, "{retried}");
    assert_eq!(retried["still_failing"], 2, "{retried}");
}

#[actix_web::test]
async fn a_throttled_user_waits_as_long_as_amplitude_asks() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    // Throttles every request for one second after the first, as Amplitude throttles a user
    // who sends too fast, and says how long to wait.
    let throttled_until: Arc<Mutex<Option<Instant>>> = Arc::default();
    let receiver = Receiver::with_contract(Arc::new(move |request: &Received| {
        let mut until = throttled_until.lock().unwrap();
        let now = Instant::now();
        match *until {
            None => *until = Some(now + Duration::from_secs(1)),
            Some(t) if now >= t => return amplitude_answer(request),
            Some(_) => {}
        }
        let body = json!({ "code": 429, "error": "Too many requests for some devices and users",
                           "eps_threshold": 30, "throttled_users": { "user-0": 31 },
                           "throttled_events": [0] });
        Reply::status(429)
            .with_header("Retry-After", "1")
            .with_body(&body.to_string())
    }));
    let id = create_sink(&app, &admin, amplitude_sink(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "checkout", &keys("user", 2)).await;
    wait_for_sink(&app, &admin, id, "2 deliveries", |s| s["delivered"] == 2).await;

    let requests = receiver.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200], "the retry came before Retry-After");
    assert!(requests[1].at.duration_since(requests[0].at) >= Duration::from_millis(990));
    assert_eq!(insert_ids(&requests[0]), insert_ids(&requests[1]));
    let status = sink(&app, &admin, id).await;
    assert_eq!(status["dead_lettered"], 0);
    assert!(status["failed"].as_i64().unwrap() >= 1);
}

#[actix_web::test]
async fn batches_over_amplitudes_limits_are_split_until_they_fit() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = amplitude_receiver();
    // The receiver's own 413 splits a batch as well as the sink's size check does.
    receiver.script([Reply::status(413).with_body(r#"{"code":413,"error":"Payload too large"}"#)]);
    let id = create_sink(
        &app,
        &admin,
        amplitude_sink(&receiver, json!({ "flush_ms": 1000 })),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "small", &keys("small", 4)).await;
    wait_for_sink(&app, &admin, id, "4 deliveries", |s| s["delivered"] == 4).await;
    let sizes: Vec<(u16, usize)> = receiver
        .requests()
        .iter()
        .map(|r| (r.status, r.json()["events"].as_array().unwrap().len()))
        .collect();
    assert_eq!(sizes, [(413, 4), (200, 2), (200, 2)]);

    // 40 impressions of about 30 KB each are 1.2 MB: over Amplitude's 1 MB per request.
    let big: Vec<Value> = (0..40)
        .map(|i| impression("big", &format!("big-user-{i}"), "user", padding(30_000)))
        .collect();
    post_native(&app, &env, &big).await;
    wait_for_sink(&app, &admin, id, "44 deliveries", |s| s["delivered"] == 44).await;
    let later = &receiver.requests()[3..];
    assert!(later.len() >= 2, "{} requests", later.len());
    assert!(later
        .iter()
        .all(|r| r.status == 200 && r.body.len() < 1_000_000));
    let mut delivered: Vec<String> = ingested(&receiver)
        .iter()
        .filter(|e| e["event_properties"]["[Experiment] Flag Key"] == "big")
        .map(|e| e["insert_id"].as_str().unwrap().to_owned())
        .collect();
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), 40);
    assert_eq!(sink(&app, &admin, id).await["dead_lettered"], 0);
}

#[actix_web::test]
async fn a_wrong_api_key_pauses_the_sink_instead_of_discarding_impressions() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = amplitude_receiver();
    let id = create_sink(
        &app,
        &admin,
        amplitude_sink(&receiver, json!({ "api_key": "someone-elses-key" })),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let test = format!("/api/v1/environments/{ENV}/sinks/{id}/test");
    let tested: Value = admin
        .post(&app, &test, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tested["ok"], false, "{tested}");
    assert_eq!(tested["status"], 400);
    assert!(tested["answer"]
        .as_str()
        .unwrap()
        .contains("Invalid API key"));

    post_impressions(&app, &env, "checkout", &keys("user", 2)).await;
    let paused = wait_for_sink(&app, &admin, id, "paused", |s| s["status"] == "paused").await;
    let reason = paused["paused_reason"].as_str().unwrap();
    assert!(reason.contains("Invalid API key"), "{reason}");
    assert_eq!(paused["dead_lettered"], 0);
    assert_eq!(paused["lag_rows"], 2);
}

#[actix_web::test]
async fn bad_amplitude_settings_get_clear_errors() {
    let app = spawn_app().await;
    app.environment(ENV).await;
    let admin = app.admin_session().await;
    let path = format!("/api/v1/environments/{ENV}/sinks");
    let config = |extra: Value| {
        let mut config = json!({ "api_key": API_KEY });
        config
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "kind": "amplitude", "name": "a", "config": config })
    };
    let cases = [
        json!({ "kind": "amplitude", "name": "a", "config": {} }),
        config(json!({ "api_key": " " })),
        config(json!({ "region": "mars" })),
        config(json!({ "base_url": "ftp://example.com" })),
        config(json!({ "preset": "optimizely" })),
        config(json!({ "event_type": "renamed" })),
        config(json!({ "id_field": { "user": "email" } })),
        config(json!({ "max_batch": 2001 })),
        config(json!({ "min_id_length": 0 })),
        config(json!({ "secret": "x" })),
    ];
    for body in cases {
        let response = admin.post(&app, &path, &body).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            "invalid_sink_config",
            "{body}"
        );
    }
    // Not enabled: nothing may leave for the real Amplitude.
    let mut body = config(json!({ "region": "eu", "preset": "split" }));
    body["enabled"] = json!(false);
    let eu = admin.post(&app, &path, &body).await;
    assert_eq!(eu.status(), StatusCode::CREATED);
    let eu: Value = eu.json().await.unwrap();
    assert_eq!(eu["config"], json!({ "region": "eu", "preset": "split" }));
}
