//! Exports: streamed in every format with every criterion, and export jobs from creation to
//! download, across a restart and past their expiry.

mod count;
mod formulas;
mod jobs;
mod limits;
mod streaming;

use std::io::Read;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

pub const COLUMNS: [&str; 15] = [
    "flag",
    "key",
    "bucketing_key",
    "treatment",
    "label",
    "change_number",
    "timestamp",
    "received_at",
    "sdk",
    "machine_ip",
    "machine_name",
    "traffic_type",
    "properties",
    "impressions_mode",
    "environment",
];

pub fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Twelve impressions of two flags: `checkout` (keys u0..u7, on for even keys) and `search`
/// (keys s0..s3), with labels, SDKs and properties that the criteria can tell apart.
pub fn sample_impressions(t: i64) -> Value {
    let mut items = Vec::new();
    for i in 0..8 {
        items.push(json!({
            "flag": "checkout", "key": format!("u{i}"), "treatment": if i % 2 == 0 { "on" } else { "off" },
            "timestamp": t - 60_000 + i, "label": if i < 4 { "in segment beta" } else { "default rule" },
            "change_number": 100 + i, "sdk": if i < 6 { "nodejs-11.11.2" } else { "python-10.7.0" },
            "machine_ip": "10.0.0.1", "machine_name": "web-1", "traffic_type": "user",
            "properties": { "plan": if i < 3 { "pro" } else { "free" }, "seats": i },
        }));
    }
    for i in 0..4 {
        items.push(json!({ "flag": "search", "key": format!("s{i}"), "treatment": "v2", "timestamp": t - 30_000 + i }));
    }
    Value::Array(items)
}

pub async fn ingest(app: &TestApp, key: &str, path: &str, items: &Value) {
    let response = app
        .sdk_post(path, key, &[], "application/json", items.to_string())
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["rejected"], json!([]), "{report}");
}

/// An app with its own export folder, and an environment holding the sample impressions.
pub async fn app_with_samples(ttl_days: u32) -> (TestApp, tempfile::TempDir) {
    let exports = tempfile::tempdir().unwrap();
    let dir = exports.path().to_owned();
    let app = spawn_app_with(move |s| {
        s.export_dir = dir;
        s.export_ttl_days = ttl_days;
    })
    .await;
    let env = app.environment("production").await;
    ingest(
        &app,
        &env.server_key,
        "/api/v1/impressions",
        &sample_impressions(now()),
    )
    .await;
    (app, exports)
}

pub async fn get_bytes(app: &TestApp, session: &Session, path: &str) -> (String, Vec<u8>) {
    let response = session.get(app, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.bytes().await.unwrap().to_vec())
}

pub fn ndjson(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn keys(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["key"].as_str().unwrap()).collect()
}

pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    // Job files are multi-member gzip streams; a streamed export is one member.
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .unwrap();
    plain
}

pub const EXPORT: &str = "/api/v1/environments/production/impressions/export";
