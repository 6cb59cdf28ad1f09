use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[actix_web::test]
async fn a_native_batch_stores_valid_items_and_reports_each_rejected_one() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let t = now();
    let batch = json!([
        { "flag": "checkout", "key": "u1", "treatment": "on", "timestamp": t, "label": "in segment beta",
          "change_number": 7, "bucketing_key": "b1", "traffic_type": "user",
          "properties": { "plan": "pro", "seats": 3 }, "sdk": "ios-3.2.0", "machine_ip": "10.0.0.1",
          "machine_name": "web-1", "some_future_field": true },
        { "flag": "checkout", "key": "u2", "treatment": "off" },
        { "flag": "checkout", "key": "u3", "treatment": "off", "timestamp": t + 86_400_000 },
        { "flag": "checkout", "key": "x".repeat(300), "treatment": "off", "timestamp": t },
        { "flag": "checkout", "key": "u4", "treatment": "off", "timestamp": 1_000 },
        { "flag": "checkout", "key": "u5", "treatment": "off", "timestamp": t, "properties": "not an object" },
    ]);
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            batch.to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 1);
    assert_eq!(report["dropped_tracking_off"], 0);
    let codes: Vec<(u64, &str)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            (1, "invalid_item"),
            (2, "timestamp_in_future"),
            (3, "too_long"),
            (4, "expired"),
            (5, "invalid_properties")
        ]
    );

    let stored = app.exported("production", "").await;
    assert_eq!(stored.len(), 1);
    let row = &stored[0];
    assert_eq!(row["label"], "in segment beta");
    assert_eq!(row["change_number"], 7);
    assert_eq!(row["bucketing_key"], "b1");
    assert_eq!(row["traffic_type"], "user");
    assert_eq!(row["properties"], json!({ "plan": "pro", "seats": 3 }));
    assert_eq!(row["sdk"], "ios-3.2.0");
    assert_eq!(row["machine_ip"], "10.0.0.1");
    assert_eq!(row["machine_name"], "web-1");
}

#[actix_web::test]
async fn ndjson_and_beacon_text_bodies_are_accepted() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let t = now();
    let line =
        |k: &str| json!({ "flag": "f", "key": k, "treatment": "on", "timestamp": t }).to_string();
    let ndjson = format!("{}\n{{broken\n{}\n", line("a"), line("b"));
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.client_key,
            &[],
            "application/x-ndjson",
            ndjson,
        )
        .await;
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 2);
    assert_eq!(report["rejected"][0]["index"], 1);

    let beacon = format!("[{}]", line("c"));
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.client_key,
            &[],
            "text/plain;charset=UTF-8",
            beacon,
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(app.exported("production", "&flag=f").await.len(), 3);
}

#[actix_web::test]
async fn native_events_are_stored() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let events = json!([{ "event_type": "purchase", "key": "u1", "timestamp": now(), "value": 9.5,
                          "traffic_type": "user", "properties": { "sku": "A1" } }]);
    let response = app
        .sdk_post(
            "/api/v1/events",
            &env.server_key,
            &[],
            "application/json",
            events.to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(app.usage("production").await["events_stored"], 1);
}

#[actix_web::test]
async fn bad_ingestion_requests_get_clear_json_errors() {
    let app = spawn_app_with(|s| s.max_body_bytes = 2048).await;
    let env = app.environment("production").await;
    let path = "/api/testImpressions/bulk";

    let no_key = reqwest::Client::new()
        .post(app.url(path))
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(no_key, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
    let unknown = app
        .sdk_post(path, "imp_srv_unknown", &[], "application/json", "[]")
        .await;
    assert_eq!(
        error_code(unknown, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
    let bad_json = app
        .sdk_post(path, &env.server_key, &[], "application/json", "[{")
        .await;
    assert_eq!(
        error_code(bad_json, StatusCode::BAD_REQUEST).await,
        "invalid_json"
    );
    let wrong_shape = app
        .sdk_post(path, &env.server_key, &[], "application/json", "{}")
        .await;
    assert_eq!(
        error_code(wrong_shape, StatusCode::BAD_REQUEST).await,
        "invalid_json"
    );
    let big = format!("[{}]", "1,".repeat(2000) + "1");
    let too_big = app
        .sdk_post(path, &env.server_key, &[], "application/json", big)
        .await;
    assert_eq!(
        error_code(too_big, StatusCode::PAYLOAD_TOO_LARGE).await,
        "payload_too_large"
    );
    let empty = app
        .sdk_post(path, &env.server_key, &[], "application/json", "[]")
        .await;
    assert_eq!(empty.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_full_write_queue_answers_503_with_retry_after_and_stores_nothing() {
    let app = spawn_app_with(|s| s.writer_max_pending_rows = 1).await;
    let env = app.environment("production").await;
    let t = now();
    let body =
        format!(r#"[{{"f":"f","i":[{{"k":"a","t":"on","m":{t}}},{{"k":"b","t":"on","m":{t}}}]}}]"#);
    let response = app
        .sdk_post(
            "/api/testImpressions/bulk",
            &env.server_key,
            &[],
            "application/json",
            body,
        )
        .await;
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        error_code(response, StatusCode::SERVICE_UNAVAILABLE).await,
        "unavailable"
    );
    assert!(app.exported("production", "").await.is_empty());
}
