//! The Segment sink against a receiver that holds it to Segment's HTTP Tracking API: Basic
//! auth with the write key, JSON, at most 500 KB per batch and 32 KB per event (400 above),
//! and 200 for everything else, including messages Segment then drops without a word (no
//! `messageId`, no `userId` or `anonymousId`, a `track` without `event`): so the tests check
//! that no message sent would be dropped.

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::rows::{dead_letters, impression, padding, post_event, post_native};
use super::*;
use crate::helpers::{error_code, spawn_app};

const WRITE_KEY: &str = "seg-write-key-42";
const MAX_BATCH: usize = 500 * 1024;
const MAX_EVENT: usize = 32 * 1024;

fn segment_answer(request: &Received) -> Reply {
    let too_large = || Reply::status(400).with_body(r#"{"error":"payload too large"}"#);
    if request.path != "/v1/batch" {
        return Reply::status(404);
    }
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{WRITE_KEY}:"))
    );
    if request.header("authorization") != Some(expected.as_str()) {
        return Reply::status(401).with_body(r#"{"error":"unauthorized: invalid write key"}"#);
    }
    if request.header("content-type") != Some("application/json") {
        return Reply::status(400)
            .with_body(r#"{"error":"content-type must be application/json"}"#);
    }
    if request.body.len() > MAX_BATCH {
        return too_large();
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return Reply::status(400).with_body(r#"{"error":"invalid JSON"}"#);
    };
    let Some(batch) = body["batch"].as_array() else {
        return Reply::status(400).with_body(r#"{"error":"batch is required"}"#);
    };
    if batch.iter().any(|m| m.to_string().len() > MAX_EVENT) {
        return too_large();
    }
    Reply::status(200).with_body(r#"{"success":true}"#)
}

/// Whether Segment would keep this message rather than drop it after answering 200.
fn kept(message: &Value) -> bool {
    let id = |f: &str| message[f].as_str().is_some_and(|v| !v.is_empty());
    message["type"] == "track"
        && id("messageId")
        && (id("userId") || id("anonymousId"))
        && message["event"].as_str().is_some_and(|e| !e.is_empty())
        && message["timestamp"]
            .as_str()
            .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
}

fn segment_receiver() -> Receiver {
    Receiver::with_contract(Arc::new(segment_answer))
}

fn segment_sink(receiver: &Receiver, extra: Value) -> Value {
    let mut config =
        json!({ "write_key": WRITE_KEY, "base_url": receiver.url(""), "flush_ms": 50 });
    if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        config.extend(extra.clone());
    }
    json!({ "kind": "segment", "name": "segment", "config": config })
}

/// The messages of the batches Segment accepted, each checked to be one it keeps.
fn ingested(receiver: &Receiver) -> Vec<Value> {
    let messages: Vec<Value> = receiver
        .accepted()
        .iter()
        .flat_map(|r| r.json()["batch"].as_array().unwrap().clone())
        .collect();
    for message in &messages {
        assert!(kept(message), "Segment would drop {message}");
    }
    messages
}

fn message_ids(request: &Received) -> Vec<String> {
    request.json()["batch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["messageId"].as_str().unwrap().to_owned())
        .collect()
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[actix_web::test]
async fn impressions_reach_segment_as_get_treatment_tracks_with_stable_message_ids() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = segment_receiver();
    receiver.script([Reply::status(502)]);
    let created = create_sink(&app, &admin, segment_sink(&receiver, json!({}))).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["secrets_set"], json!(["write_key"]));
    assert!(!sink(&app, &admin, id).await.to_string().contains(WRITE_KEY));

    post_impressions(&app, &env, "checkout", &keys("user", 3)).await;
    wait_for_sink(&app, &admin, id, "3 deliveries", |s| s["delivered"] == 3).await;
    let requests = receiver.requests();
    assert_eq!(requests[0].status, 502);
    assert_eq!(message_ids(&requests[0]), message_ids(&requests[1]));

    let messages = ingested(&receiver);
    assert_eq!(messages.len(), 3);
    let ids: HashSet<&str> = messages
        .iter()
        .map(|m| m["messageId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "message ids are unique per impression");
    let exported = app.exported(ENV, "").await;
    for message in &messages {
        let key = message["userId"].as_str().unwrap();
        let row = exported.iter().find(|r| r["key"] == key).unwrap();
        assert!(message["messageId"].as_str().unwrap().starts_with("imp-"));
        assert_eq!(message["event"], "get_treatment");
        assert!(message.get("anonymousId").is_none());
        assert_eq!(
            message["timestamp"],
            iso(row["timestamp"].as_i64().unwrap())
        );
        assert_eq!(message["context"]["library"]["name"], "imprint");
        assert!(message["context"]["library"]["version"].is_string());
        assert_eq!(
            message["properties"],
            json!({ "flag": "checkout", "treatment": "on", "environment": ENV,
                    "label": "default rule", "change_number": 42 })
        );
    }
}

#[actix_web::test]
async fn experiment_viewed_follows_segments_spec_and_traffic_types_choose_the_id() {
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = segment_receiver();
    let mut body = segment_sink(
        &receiver,
        json!({ "event": "Experiment Viewed", "id_field": { "anonymous": "anonymousId" } }),
    );
    body["events"] = json!(true);
    let id = create_sink(&app, &admin, body).await["id"]
        .as_i64()
        .unwrap();
    post_native(
        &app,
        &env,
        &[
            impression("new_ui", "user-1", "user", json!({ "page": "home" })),
            impression("new_ui", "cookie-1", "anonymous", json!({})),
        ],
    )
    .await;
    post_event(
        &app,
        &env,
        json!({ "eventTypeId": "signup", "trafficTypeName": "anonymous", "key": "cookie-1",
                "value": 1.0, "timestamp": imprint_store::now_ms(), "properties": { "via": "ad" } }),
    )
    .await;
    wait_for_sink(&app, &admin, id, "3 deliveries", |s| s["delivered"] == 3).await;

    let messages = ingested(&receiver);
    let user = messages.iter().find(|m| m["userId"] == "user-1").unwrap();
    assert_eq!(user["event"], "Experiment Viewed");
    assert_eq!(
        user["properties"],
        json!({ "experiment_id": "new_ui", "experiment_name": "new_ui", "variation_name": "on",
                "environment": ENV, "label": "in segment beta", "change_number": 7, "page": "home" })
    );
    let anonymous = messages
        .iter()
        .find(|m| m["anonymousId"] == "cookie-1" && m["event"] == "Experiment Viewed")
        .unwrap();
    assert!(anonymous.get("userId").is_none());
    let signup = messages.iter().find(|m| m["event"] == "signup").unwrap();
    assert_eq!(signup["anonymousId"], "cookie-1");
    assert!(signup["messageId"].as_str().unwrap().starts_with("evt-"));
    assert_eq!(
        signup["properties"],
        json!({ "via": "ad", "value": 1.0, "environment": ENV })
    );
}

#[actix_web::test]
async fn an_event_over_32_kb_is_set_aside_alone_and_the_rest_delivered() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = segment_receiver();
    let id = create_sink(&app, &admin, segment_sink(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    // Properties within ingestion's 32 KB, the whole message over Segment's.
    post_native(
        &app,
        &env,
        &[
            impression("f", "small-1", "user", json!({})),
            impression("f", "huge-1", "user", padding(MAX_EVENT - 100)),
            impression("f", "small-2", "user", json!({})),
        ],
    )
    .await;
    wait_for_sink(&app, &admin, id, "2 delivered and 1 set aside", |s| {
        s["delivered"] == 2 && s["dead_lettered"] == 1
    })
    .await;
    assert!(receiver.requests().iter().all(|r| r.status == 200));
    let mut delivered: Vec<&str> = Vec::new();
    let messages = ingested(&receiver);
    delivered.extend(messages.iter().map(|m| m["userId"].as_str().unwrap()));
    delivered.sort();
    assert_eq!(delivered, ["small-1", "small-2"]);
    let letters = dead_letters(&app, &admin, id).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["rows"], 1);
    assert!(letters[0]["error"]
        .as_str()
        .unwrap()
        .contains("32768 bytes per event"));
}

#[actix_web::test]
async fn batches_over_500_kb_are_split_until_they_fit() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = segment_receiver();
    // Segment's 400 for an oversized payload splits a batch as the sink's own check does.
    receiver.script([Reply::status(400).with_body(r#"{"error":"payload too large"}"#)]);
    let id = create_sink(
        &app,
        &admin,
        segment_sink(&receiver, json!({ "flush_ms": 1000 })),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "small", &keys("small", 4)).await;
    wait_for_sink(&app, &admin, id, "4 deliveries", |s| s["delivered"] == 4).await;
    let sizes: Vec<(u16, usize)> = receiver
        .requests()
        .iter()
        .map(|r| (r.status, r.json()["batch"].as_array().unwrap().len()))
        .collect();
    assert_eq!(sizes, [(400, 4), (200, 2), (200, 2)]);

    // 30 events of 25 KB are 750 KB.
    let big: Vec<Value> = (0..30)
        .map(|i| impression("big", &format!("big-{i}"), "user", padding(25_000)))
        .collect();
    post_native(&app, &env, &big).await;
    wait_for_sink(&app, &admin, id, "34 deliveries", |s| s["delivered"] == 34).await;
    let later = &receiver.requests()[3..];
    assert!(later.len() >= 2);
    assert!(later
        .iter()
        .all(|r| r.status == 200 && r.body.len() <= MAX_BATCH));
    let delivered: HashSet<String> = ingested(&receiver)
        .iter()
        .filter(|m| m["properties"]["flag"] == "big")
        .map(|m| m["messageId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(delivered.len(), 30);
    assert_eq!(sink(&app, &admin, id).await["dead_lettered"], 0);
}

#[actix_web::test]
async fn a_wrong_write_key_pauses_the_sink() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = segment_receiver();
    let id = create_sink(
        &app,
        &admin,
        segment_sink(&receiver, json!({ "write_key": "not-the-key" })),
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
    assert_eq!(tested["status"], 401);

    post_impressions(&app, &env, "checkout", &keys("user", 2)).await;
    let paused = wait_for_sink(&app, &admin, id, "paused", |s| s["status"] == "paused").await;
    assert!(
        paused["paused_reason"]
            .as_str()
            .unwrap()
            .contains("HTTP 401"),
        "{paused}"
    );
    assert_eq!(paused["lag_rows"], 2);
}

#[actix_web::test]
async fn bad_segment_settings_get_clear_errors() {
    let app = spawn_app().await;
    app.environment(ENV).await;
    let admin = app.admin_session().await;
    let path = format!("/api/v1/environments/{ENV}/sinks");
    let config = |extra: Value| {
        let mut config = json!({ "write_key": WRITE_KEY });
        config
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "kind": "segment", "name": "s", "config": config })
    };
    let cases = [
        json!({ "kind": "segment", "name": "s", "config": {} }),
        config(json!({ "write_key": "" })),
        config(json!({ "base_url": "segment.io" })),
        config(json!({ "event": "" })),
        config(json!({ "id_field": { "user": "user_id" } })),
        config(json!({ "max_batch": 0 })),
        config(json!({ "flush_ms": 0 })),
        config(json!({ "api_key": "x" })),
    ];
    for body in cases {
        let response = admin.post(&app, &path, &body).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            "invalid_sink_config",
            "{body}"
        );
    }
}
