//! The Events page's API: event types seen, with volume and properties.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

const HOUR: i64 = 3_600_000;

async fn post_events(app: &TestApp, key: &str, events: Value) {
    let response = app
        .sdk_post(
            "/api/v1/events",
            key,
            &[],
            "application/json",
            events.to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["rejected"], json!([]), "{report}");
}

#[actix_web::test]
async fn event_types_are_listed_with_volume_keys_and_property_kinds() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    // Two hours ago and one hour ago, inside a three-hour window: hourly buckets.
    let now = chrono::Utc::now().timestamp_millis();
    let (early, late) = (now - 2 * HOUR, now - HOUR);
    post_events(
        &app,
        &env.server_key,
        json!([
            { "event_type": "purchase", "key": "u1", "timestamp": early, "value": 9.5,
              "properties": { "plan": "pro", "seats": 3 } },
            { "event_type": "purchase", "key": "u1", "timestamp": late, "value": 4.0,
              "properties": { "plan": null, "coupon": true } },
            { "event_type": "purchase", "key": "u2", "timestamp": late },
            { "event_type": "signup", "key": "u3", "timestamp": late },
        ]),
    )
    .await;
    let viewer = app.user_with_role("viewer").await;
    let from = now - 3 * HOUR;
    let response = viewer
        .get(
            &app,
            &format!("/api/v1/environments/production/event-types?from={from}&to={now}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["bucket_ms"], HOUR);
    assert_eq!(body["truncated"], false);
    assert!(body["from"].as_i64().unwrap() <= from);
    let types = body["event_types"].as_array().unwrap();
    let names: Vec<&str> = types
        .iter()
        .map(|t| t["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["purchase", "signup"], "busiest first");

    let purchase = &types[0];
    assert_eq!(purchase["events"], 3);
    assert_eq!(purchase["distinct_keys"], 2);
    assert_eq!(purchase["first_seen"], early);
    assert_eq!(purchase["last_seen"], late);
    let volume: Vec<u64> = purchase["volume"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let bucket_of = |t: i64| ((t - body["from"].as_i64().unwrap()) / HOUR) as usize;
    assert_eq!(volume.iter().sum::<u64>(), 3);
    assert_eq!(volume[bucket_of(early)], 1);
    assert_eq!(volume[bucket_of(late)], 2);
    assert_eq!(
        purchase["sampled_rows"], 2,
        "events without properties are not sampled"
    );
    assert_eq!(
        purchase["properties"],
        json!([
            { "name": "coupon", "kinds": ["boolean"], "seen_in": 1 },
            { "name": "plan", "kinds": ["null", "string"], "seen_in": 2 },
            { "name": "seats", "kinds": ["number"], "seen_in": 1 },
        ])
    );
    assert_eq!(types[1]["events"], 1);
    assert_eq!(types[1]["properties"], json!([]));
}

#[actix_web::test]
async fn event_types_outside_the_window_or_of_other_environments_are_not_listed() {
    let app = spawn_app().await;
    let production = app.environment("production").await;
    let staging = app.environment("staging").await;
    let now = chrono::Utc::now().timestamp_millis();
    post_events(
        &app,
        &production.server_key,
        json!([{ "event_type": "old", "key": "u1", "timestamp": now - 10 * 24 * HOUR }]),
    )
    .await;
    post_events(
        &app,
        &staging.server_key,
        json!([{ "event_type": "elsewhere", "key": "u1", "timestamp": now }]),
    )
    .await;
    let admin = app.admin_session().await;
    // The default window is the last week, in daily buckets.
    let body: Value = admin
        .get(&app, "/api/v1/environments/production/event-types")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["event_types"], json!([]));
    assert_eq!(body["bucket_ms"], 24 * HOUR);
}

#[actix_web::test]
async fn bad_windows_and_unknown_environments_are_refused() {
    let app = spawn_app().await;
    app.environment("production").await;
    let admin = app.admin_session().await;
    let path = "/api/v1/environments/production/event-types";
    let backwards = admin.get(&app, &format!("{path}?from=2000&to=1000")).await;
    assert_eq!(
        error_code(backwards, StatusCode::BAD_REQUEST).await,
        "invalid_range"
    );
    let not_a_number = admin.get(&app, &format!("{path}?from=yesterday")).await;
    assert_eq!(not_a_number.status(), StatusCode::BAD_REQUEST);
    let unknown = admin
        .get(&app, "/api/v1/environments/nowhere/event-types")
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let signed_out = app.client().get(app.url(path)).send().await.unwrap();
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
}
