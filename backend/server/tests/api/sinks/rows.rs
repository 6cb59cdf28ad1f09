//! Rows for the analytics and file sink tests: impressions with traffic types and properties
//! through the native endpoint, `track()` events, and reading a sink's dead letters.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::ENV;
use crate::helpers::{Session, TestApp, TestEnvironment};

/// One impression of the native API, evaluated a second ago.
pub fn impression(flag: &str, key: &str, traffic_type: &str, properties: Value) -> Value {
    json!({
        "flag": flag, "key": key, "treatment": "on", "label": "in segment beta",
        "change_number": 7, "traffic_type": traffic_type, "properties": properties,
        "timestamp": imprint_store::now_ms() - 1000,
    })
}

/// Posts impressions through the native endpoint; every one must be accepted.
pub async fn post_native(app: &TestApp, env: &TestEnvironment, impressions: &[Value]) {
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            Value::from(impressions.to_vec()).to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], impressions.len(), "{report}");
}

/// Posts one `track()` event through Split's events endpoint.
pub async fn post_event(app: &TestApp, env: &TestEnvironment, event: Value) {
    let response = app
        .sdk_post(
            "/api/events/bulk",
            &env.server_key,
            &[],
            "application/json",
            json!([event]).to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

pub async fn dead_letters(app: &TestApp, admin: &Session, id: i64) -> Vec<Value> {
    let path = format!("/api/v1/environments/{ENV}/sinks/{id}/dead-letters");
    let letters: Value = admin.get(app, &path).await.json().await.unwrap();
    letters.as_array().unwrap().clone()
}

/// A property of about `bytes` bytes, to reach a receiver's size limits.
pub fn padding(bytes: usize) -> Value {
    json!({ "padding": "x".repeat(bytes) })
}
