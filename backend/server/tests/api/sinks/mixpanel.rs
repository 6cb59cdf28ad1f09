//! The Mixpanel sink against a receiver that holds it to the Import API's contract: Basic
//! auth with a service account (the receiver does not see the query, so `strict=1` and
//! `project_id` are checked by the unit tests of the URL), at most 2,000 events and
//! 10 MB per request (413), every event with a name, `time`, `distinct_id` (not a placeholder
//! such as `anonymous` or `null`) and a `$insert_id` of at most 36 letters, digits and dashes.
//! A 400 names the refused events in `failed_records` and imports all the others.

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::rows::{dead_letters, impression, post_event, post_native};
use super::*;
use crate::helpers::error_code;

const USERNAME: &str = "imprint.sink.mp-service-account";
const SECRET: &str = "mp-service-secret-1";
const PROJECT: &str = "31337";
const PLACEHOLDERS: [&str; 6] = ["anonymous", "anon", "nil", "none", "null", "undefined"];

fn mixpanel_answer(request: &Received) -> Reply {
    let json = |status: u16, body: Value| Reply::status(status).with_body(&body.to_string());
    if request.path != "/import" {
        return Reply::status(404);
    }
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{SECRET}"))
    );
    if request.header("authorization") != Some(expected.as_str()) {
        return json(
            401,
            json!({ "code": 401, "error": "Invalid credentials", "status": 0 }),
        );
    }
    if request.body.len() > 10 * 1024 * 1024 {
        return json(
            413,
            json!({ "code": 413, "error": "request body too large", "status": 0 }),
        );
    }
    let Ok(Value::Array(events)) = serde_json::from_slice::<Value>(&request.body) else {
        return json(
            400,
            json!({ "code": 400, "error": "invalid JSON array", "status": 0 }),
        );
    };
    if events.len() > 2000 {
        return json(
            413,
            json!({ "code": 413, "error": "too many events", "status": 0 }),
        );
    }
    let mut failed = Vec::new();
    for (index, event) in events.iter().enumerate() {
        let properties = &event["properties"];
        let insert_id = properties["$insert_id"].as_str().unwrap_or("");
        let distinct_id = properties["distinct_id"].as_str();
        let problem = if event["event"].as_str().is_none_or(|e| e.is_empty()) {
            Some("event")
        } else if !properties["time"].is_i64() {
            Some("properties.time")
        } else if distinct_id.is_none_or(|d| PLACEHOLDERS.contains(&d.to_lowercase().as_str())) {
            Some("properties.distinct_id")
        } else if insert_id.is_empty()
            || insert_id.len() > 36
            || !insert_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            Some("properties.$insert_id")
        } else {
            None
        };
        if let Some(field) = problem {
            failed.push(
                json!({ "index": index, "insert_id": insert_id, "field": field,
                                "message": format!("'{field}' is invalid") }),
            );
        }
    }
    let imported = events.len() - failed.len();
    if failed.is_empty() {
        json(
            200,
            json!({ "code": 200, "num_records_imported": imported, "status": 1 }),
        )
    } else {
        json(
            400,
            json!({ "code": 400, "error": "some data points in the request failed validation",
                    "status": "Bad Request", "num_records_imported": imported,
                    "failed_records": failed }),
        )
    }
}

/// The events Mixpanel imported: all of a 200, all but the failed records of a 400.
fn imported(receiver: &Receiver) -> Vec<Value> {
    let mut events = Vec::new();
    for request in receiver.requests() {
        let sent = request.json().as_array().unwrap().clone();
        // The contract is deterministic: asking it again gives the answer that was sent.
        let answer: Value =
            serde_json::from_str(&mixpanel_answer(&request).body).unwrap_or_default();
        let failed: HashSet<u64> = answer["failed_records"]
            .as_array()
            .map(|f| f.iter().map(|r| r["index"].as_u64().unwrap()).collect())
            .unwrap_or_default();
        if request.status == 200 || (request.status == 400 && !failed.is_empty()) {
            events.extend(
                sent.into_iter()
                    .enumerate()
                    .filter(|(i, _)| !failed.contains(&(*i as u64)))
                    .map(|(_, e)| e),
            );
        }
    }
    events
}

fn mixpanel_sink(receiver: &Receiver, extra: Value) -> Value {
    let mut config = json!({ "username": USERNAME, "secret": SECRET, "project_id": PROJECT,
                             "base_url": receiver.url(""), "flush_ms": 50 });
    if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        config.extend(extra.clone());
    }
    json!({ "kind": "mixpanel", "name": "mixpanel", "config": config })
}

#[actix_web::test]
async fn impressions_reach_mixpanel_as_experiment_exposures_and_refused_ones_are_set_aside() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::with_contract(Arc::new(mixpanel_answer));
    let mut body = mixpanel_sink(&receiver, json!({}));
    body["events"] = json!(true);
    let created = create_sink(&app, &admin, body).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["secrets_set"], json!(["secret"]));
    assert!(!sink(&app, &admin, id).await.to_string().contains(SECRET));

    // "anonymous" is one of the placeholder ids Mixpanel refuses.
    post_native(
        &app,
        &env,
        &[
            impression("checkout", "user-1", "user", json!({ "plan": "pro" })),
            impression("checkout", "anonymous", "user", json!({})),
            impression("checkout", "user-2", "user", json!({})),
        ],
    )
    .await;
    post_event(
        &app,
        &env,
        json!({ "eventTypeId": "purchase", "trafficTypeName": "user", "key": "user-1",
                "value": 9.5, "timestamp": imprint_store::now_ms(), "properties": { "sku": "A1" } }),
    )
    .await;
    let status = wait_for_sink(&app, &admin, id, "3 imported and 1 set aside", |s| {
        s["delivered"] == 3 && s["dead_lettered"] == 1
    })
    .await;
    assert_eq!(status["status"], "active");
    // A strict 400 imports the valid events: nothing is sent twice.
    let insert_ids: Vec<String> = receiver
        .requests()
        .iter()
        .flat_map(|r| r.json().as_array().unwrap().clone())
        .map(|e| e["properties"]["$insert_id"].as_str().unwrap().to_owned())
        .collect();
    let unique: HashSet<&String> = insert_ids.iter().collect();
    assert_eq!(unique.len(), insert_ids.len(), "{insert_ids:?}");

    let events = imported(&receiver);
    assert_eq!(events.len(), 3);
    let exported = app.exported(ENV, "").await;
    let user = events
        .iter()
        .find(|e| e["properties"]["distinct_id"] == "user-1" && e["event"] == "$experiment_started")
        .unwrap();
    let row = exported.iter().find(|r| r["key"] == "user-1").unwrap();
    let properties = &user["properties"];
    assert_eq!(properties["Experiment name"], "checkout");
    assert_eq!(properties["Variant name"], "on");
    assert_eq!(properties["label"], "in segment beta");
    assert_eq!(properties["change_number"], 7);
    assert_eq!(properties["environment"], ENV);
    assert_eq!(properties["plan"], "pro");
    assert_eq!(properties["time"], row["timestamp"]);
    assert!(properties["$insert_id"]
        .as_str()
        .unwrap()
        .starts_with("imp-"));
    let purchase = events.iter().find(|e| e["event"] == "purchase").unwrap();
    assert_eq!(purchase["properties"]["value"], 9.5);
    assert_eq!(purchase["properties"]["sku"], "A1");
    assert!(purchase["properties"]["$insert_id"]
        .as_str()
        .unwrap()
        .starts_with("evt-"));

    let letters = dead_letters(&app, &admin, id).await;
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["rows"], 1);
    assert!(letters[0]["error"]
        .as_str()
        .unwrap()
        .contains("properties.distinct_id"));
}

#[actix_web::test]
async fn wrong_credentials_pause_the_sink_and_bad_settings_get_clear_errors() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::with_contract(Arc::new(mixpanel_answer));
    let body = mixpanel_sink(
        &receiver,
        json!({ "event": "get_treatment", "secret": "wrong" }),
    );
    let id = create_sink(&app, &admin, body).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "checkout", &keys("user", 2)).await;
    let paused = wait_for_sink(&app, &admin, id, "paused", |s| s["status"] == "paused").await;
    assert!(
        paused["paused_reason"]
            .as_str()
            .unwrap()
            .contains("HTTP 401"),
        "{paused}"
    );
    let sent = &receiver.requests()[0].json()[0];
    assert_eq!(sent["event"], "get_treatment");
    assert_eq!(sent["properties"]["flag"], "checkout");
    assert_eq!(sent["properties"]["treatment"], "on");

    let path = format!("/api/v1/environments/{ENV}/sinks");
    for config in [
        json!({}),
        json!({ "secret": "" }),
        json!({ "secret": "s", "username": "u" }),
        json!({ "secret": "s", "project_id": "1" }),
        json!({ "secret": "s", "region": "mars" }),
        json!({ "secret": "s", "max_batch": 2001 }),
        json!({ "secret": "s", "token": "t" }),
    ] {
        let body = json!({ "kind": "mixpanel", "name": "m", "config": config });
        let response = admin.post(&app, &path, &body).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            "invalid_sink_config",
            "{config}"
        );
    }
}
