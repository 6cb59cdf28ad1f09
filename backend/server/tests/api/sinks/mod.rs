//! Sinks against real receivers listening on local ports.

mod amplitude;
mod crash;
mod file;
mod mixpanel;
pub mod receiver;
mod reliability;
mod rows;
mod s3;
mod segment;
mod webhook;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Session, TestApp, TestEnvironment};
pub use receiver::{Received, Receiver, Reply};

pub const ENV: &str = "production";

/// A server whose sinks retry within milliseconds, so failure scenarios run quickly.
pub async fn spawn_quick_app() -> TestApp {
    spawn_app_with(|s| {
        s.sinks.sink_retry_base_ms = 20;
        s.sinks.sink_retry_max_ms = 200;
    })
    .await
}

pub async fn create_sink(app: &TestApp, admin: &Session, body: Value) -> Value {
    let response = admin
        .post(app, &format!("/api/v1/environments/{ENV}/sinks"), &body)
        .await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// A webhook sink to `receiver` that flushes within 50 ms.
pub fn webhook(receiver: &Receiver, extra: Value) -> Value {
    let mut config = json!({ "url": receiver.url("/hook"), "flush_ms": 50 });
    if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        config.extend(extra.clone());
    }
    json!({ "kind": "webhook", "name": "hook", "config": config })
}

pub async fn sink(app: &TestApp, admin: &Session, id: i64) -> Value {
    admin
        .get(app, &format!("/api/v1/environments/{ENV}/sinks/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// Polls the sink until `done` holds, or panics with its last state.
pub async fn wait_for_sink(
    app: &TestApp,
    admin: &Session,
    id: i64,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let mut last = Value::Null;
    for _ in 0..600 {
        last = sink(app, admin, id).await;
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the sink never got {what}: {last}");
}

/// Posts impressions of `flag` for these keys through Split's bulk endpoint.
pub async fn post_impressions(app: &TestApp, env: &TestEnvironment, flag: &str, keys: &[String]) {
    let now = imprint_store::now_ms();
    let impressions: Vec<Value> = keys
        .iter()
        .map(|key| json!({ "k": key, "t": "on", "m": now, "r": "default rule", "c": 42 }))
        .collect();
    let response = app
        .sdk_post(
            "/api/testImpressions/bulk",
            &env.server_key,
            &[("SplitSDKVersion", "nodejs-11.11.2")],
            "application/json",
            json!([{ "f": flag, "i": impressions }]).to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

pub fn keys(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i}")).collect()
}

/// The impression keys in Split-format webhook bodies the receiver accepted.
pub fn delivered_keys(requests: &[Received]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .flat_map(|r| {
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["key"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}
