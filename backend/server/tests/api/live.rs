use std::time::Duration;

use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// Reads server-sent events until one named `wanted` arrives (or the time runs out).
async fn next_event(
    stream: &mut (impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
    wanted: &str,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = "message";
            let mut data = "";
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event: ") {
                    event = e;
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data = d;
                }
            }
            if event == wanted {
                return serde_json::from_str(data).unwrap();
            }
        }
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("an event in time");
        buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap().unwrap()));
    }
}

async fn post(app: &TestApp, key: &str, items: Value) {
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            key,
            &[],
            "application/json",
            items.to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}

fn item(flag: &str, key: &str, treatment: &str, plan: &str) -> Value {
    json!({ "flag": flag, "key": key, "treatment": treatment, "timestamp": chrono::Utc::now().timestamp_millis(),
            "properties": { "plan": plan } })
}

/// Opens a tail with a personal token and returns its event stream.
async fn open_tail(
    app: &TestApp,
    query: &str,
) -> impl futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin {
    let admin = app.admin_session().await;
    let created: Value = admin
        .post(app, "/api/v1/tokens", &json!({ "name": "tail" }))
        .await
        .json()
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .get(app.url(&format!(
            "/api/v1/environments/production/impressions/live?{query}"
        )))
        .bearer_auth(created["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    response.bytes_stream()
}

#[actix_web::test]
async fn a_replay_sends_the_newest_matches_however_busy_the_window_was() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    post(
        &app,
        &env.server_key,
        json!([item("checkout", "target", "on", "pro")]),
    )
    .await;
    // More than a replay sends (2,000), all newer than the one the filter wants.
    for batch in 0..3 {
        let items: Vec<Value> = (0..800)
            .map(|i| item("checkout", &format!("k{batch}-{i:03}"), "off", "free"))
            .collect();
        post(&app, &env.server_key, Value::Array(items)).await;
    }

    let mut filtered = open_tail(&app, "key=target&replay=5").await;
    let mut buffer = String::new();
    let replayed = next_event(&mut filtered, &mut buffer, "impression").await;
    assert_eq!(replayed["key"], "target");
    let ready = next_event(&mut filtered, &mut buffer, "ready").await;
    assert_eq!(ready["replayed"], 1);

    let mut everything = open_tail(&app, "replay=5").await;
    let mut buffer = String::new();
    let first = next_event(&mut everything, &mut buffer, "impression").await;
    // 2,401 stored: the replay starts after the target and k0-000..k0-399.
    assert_eq!(first["key"], "k0-400", "the oldest of the newest 2,000");
    let ready = next_event(&mut everything, &mut buffer, "ready").await;
    assert_eq!(ready["replayed"], 2000);
}

#[actix_web::test]
async fn the_live_tail_streams_matching_impressions_after_a_replay() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    post(
        &app,
        &env.server_key,
        json!([item("checkout", "old", "on", "pro")]),
    )
    .await;
    let mut stream = open_tail(&app, "flag=checkout&property.plan=pro&replay=5").await;
    let mut buffer = String::new();
    let replayed = next_event(&mut stream, &mut buffer, "impression").await;
    assert_eq!(replayed["key"], "old");
    assert_eq!(replayed["replayed"], true);
    let ready = next_event(&mut stream, &mut buffer, "ready").await;
    assert_eq!(ready["replayed"], 1);

    post(
        &app,
        &env.server_key,
        json!([
            item("other", "x", "on", "pro"),
            item("checkout", "free-user", "on", "free"),
            item("checkout", "new", "off", "pro")
        ]),
    )
    .await;
    let live = next_event(&mut stream, &mut buffer, "impression").await;
    assert_eq!(live["key"], "new", "only the matching impression");
    assert_eq!(live["treatment"], "off");
    assert_eq!(live["properties"]["plan"], "pro");
    let stats = next_event(&mut stream, &mut buffer, "stats").await;
    assert_eq!(stats["matched"], 1);
    assert_eq!(stats["skipped"], 0);
}

#[actix_web::test]
async fn past_its_rate_the_tail_samples_and_says_so() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    let response = admin
        .get(
            &app,
            "/api/v1/environments/production/impressions/live?max_rate=5",
        )
        .await;
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let items: Vec<Value> = (0..50)
        .map(|i| item("checkout", &format!("k{i}"), "on", "pro"))
        .collect();
    post(&app, &env.server_key, json!(items)).await;
    let stats = next_event(&mut stream, &mut buffer, "stats").await;
    assert_eq!(stats["matched"], 50);
    assert_eq!(stats["sent"], 5);
    assert_eq!(stats["skipped"], 45);
    assert_eq!(stats["sampling"], true);
}

#[actix_web::test]
async fn an_empty_tail_explains_itself_and_tracking_off_impressions_never_appear() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    post(
        &app,
        &env.server_key,
        json!([item("silent", "a", "on", "pro")]),
    )
    .await;
    let admin = app.admin_session().await;
    admin
        .client
        .put(app.url("/api/v1/environments/production/flags/silent/tracking"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    let response = admin
        .get(
            &app,
            "/api/v1/environments/production/impressions/live?flag=silent",
        )
        .await;
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let diagnostic = next_event(&mut stream, &mut buffer, "diagnostic").await;
    let reasons = diagnostic["reasons"].to_string();
    assert!(reasons.contains("tracking is off for silent"), "{reasons}");
    post(
        &app,
        &env.server_key,
        json!([item("silent", "b", "on", "pro")]),
    )
    .await;
    // The next thing on the stream is not that impression: only heartbeats or diagnostics.
    let next = tokio::time::timeout(
        Duration::from_millis(1500),
        next_event(&mut stream, &mut buffer, "impression"),
    )
    .await;
    assert!(
        next.is_err(),
        "an impression of a flag with tracking off was streamed"
    );
}

#[actix_web::test]
async fn the_live_tail_needs_a_signed_in_user() {
    let app = spawn_app().await;
    app.environment("production").await;
    let response = reqwest::get(app.url("/api/v1/environments/production/impressions/live"))
        .await
        .unwrap();
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
}

#[actix_web::test]
async fn events_have_their_own_live_stream() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    let response = admin
        .get(
            &app,
            "/api/v1/environments/production/events/live?event_type=purchase",
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    next_event(&mut stream, &mut buffer, "ready").await;
    let now = chrono::Utc::now().timestamp_millis();
    let events = json!([
        { "event_type": "click", "key": "u1", "timestamp": now },
        { "event_type": "purchase", "key": "u2", "timestamp": now, "value": 42.5, "properties": { "sku": "A1" } }
    ]);
    app.sdk_post(
        "/api/v1/events",
        &env.server_key,
        &[],
        "application/json",
        events.to_string(),
    )
    .await;
    let event = next_event(&mut stream, &mut buffer, "event").await;
    assert_eq!(event["key"], "u2");
    assert_eq!(event["value"], 42.5);
    assert_eq!(event["properties"]["sku"], "A1");

    // A later tail replays the stored match first, and nothing else.
    let replaying = admin
        .get(
            &app,
            "/api/v1/environments/production/events/live?event_type=purchase&replay=5",
        )
        .await;
    let mut stream = replaying.bytes_stream();
    let mut buffer = String::new();
    let replayed = next_event(&mut stream, &mut buffer, "event").await;
    assert_eq!(replayed["key"], "u2");
    assert_eq!(replayed["replayed"], true);
    let ready = next_event(&mut stream, &mut buffer, "ready").await;
    assert_eq!(ready["replayed"], 1);
}

#[actix_web::test]
async fn live_events_and_exported_rows_name_their_environment() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    app.environment("staging").await;
    post(
        &app,
        &env.server_key,
        json!([item("checkout", "stored", "on", "pro")]),
    )
    .await;
    let events = json!([{ "event_type": "buy", "key": "stored", "timestamp": chrono::Utc::now().timestamp_millis() }]);
    let response = app
        .sdk_post(
            "/api/v1/events",
            &env.server_key,
            &[],
            "application/json",
            events.to_string(),
        )
        .await;
    assert!(response.status().is_success());

    let mut tail = open_tail(&app, "replay=1").await;
    let mut buffer = String::new();
    let replayed = next_event(&mut tail, &mut buffer, "impression").await;
    assert_eq!(replayed["environment"], "production");
    next_event(&mut tail, &mut buffer, "ready").await;
    post(
        &app,
        &env.server_key,
        json!([item("checkout", "live", "on", "pro")]),
    )
    .await;
    let live = next_event(&mut tail, &mut buffer, "impression").await;
    assert_eq!(
        (&live["key"], &live["environment"]),
        (&json!("live"), &json!("production"))
    );

    let exported = app.exported("production", "").await;
    assert!(!exported.is_empty());
    assert!(
        exported
            .iter()
            .all(|row| row["environment"] == "production"),
        "{exported:?}"
    );
    let admin = app.admin_session().await;
    let csv = admin
        .get(
            &app,
            "/api/v1/environments/production/events/export?format=csv",
        )
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",environment"), "{csv}");
    assert!(lines.next().unwrap().ends_with(",production"), "{csv}");
}
