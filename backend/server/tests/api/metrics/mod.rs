//! Metrics and metric impact: CRUD with validation and roles, and impact figures on data
//! posted through the real ingestion APIs, checked against an independent computation.

mod crud;
mod figures;
mod model;
mod srm_and_tracking;

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

pub const METRICS: &str = "/api/v1/environments/production/metrics";
pub const FLAG: &str = "/api/v1/environments/production/flags/checkout";

pub async fn patch(session: &Session, app: &TestApp, path: &str, body: &Value) -> Response {
    session
        .client
        .patch(app.url(path))
        .header("X-CSRF-Token", &session.csrf)
        .json(body)
        .send()
        .await
        .unwrap()
}

pub async fn put(session: &Session, app: &TestApp, path: &str, body: &Value) -> Response {
    session
        .client
        .put(app.url(path))
        .header("X-CSRF-Token", &session.csrf)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Creates a metric and returns its id.
pub async fn create_metric(app: &TestApp, session: &Session, body: Value) -> i64 {
    let response = session.post(app, METRICS, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    created["id"].as_i64().unwrap()
}

/// Defines `checkout`: `on`/`off`, default `off`, the default rule splitting `on_percent`.
pub async fn define_checkout(app: &TestApp, admin: &Session, on_percent: u8) {
    let definition = json!({
        "name": "checkout", "traffic_type": "user", "default_treatment": "off",
        "treatments": [{ "name": "on" }, { "name": "off" }], "rules": [],
        "default_rule": { "split": [
            { "treatment": "on", "size": on_percent },
            { "treatment": "off", "size": 100 - on_percent }
        ] }
    });
    let response = put(admin, app, &format!("{FLAG}/definition"), &definition).await;
    assert_eq!(response.status(), StatusCode::OK);
}

pub async fn post_all(app: &TestApp, key: &str, path: &str, items: &[Value]) {
    for chunk in items.chunks(500) {
        let response = app
            .sdk_post(path, key, &[], "application/json", json!(chunk).to_string())
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let report: Value = response.json().await.unwrap();
        assert_eq!(report["accepted"], chunk.len(), "{report}");
    }
}

/// `GET …/impact` with this query, expecting success.
pub async fn impact(app: &TestApp, session: &Session, query: &str) -> Value {
    let response = session.get(app, &format!("{FLAG}/impact?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
