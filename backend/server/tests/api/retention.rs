use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[actix_web::test]
async fn a_manual_purge_deletes_what_is_past_retention_and_is_reported() {
    let app = spawn_app_with(|s| s.retention_chunk_rows = 7).await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    let items: Vec<Value> = (0..40)
        .map(
            |i| json!({ "flag": "f", "key": format!("k{i}"), "treatment": "on", "timestamp": now }),
        )
        .collect();
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            json!(items).to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let events = json!([{ "event_type": "buy", "key": "k1", "timestamp": now }]);
    app.sdk_post(
        "/api/v1/events",
        &env.server_key,
        &[],
        "application/json",
        events.to_string(),
    )
    .await;

    // Age what was stored by 40 days, then shorten retention to 30 days.
    let day = 86_400_000i64;
    for table in ["impressions", "events"] {
        let sql = format!(
            "UPDATE {table} SET received_at = received_at - {}, ts = ts - {}",
            40 * day,
            40 * day
        );
        sea_orm::ConnectionTrait::execute_unprepared(&app.db.conn, &sql)
            .await
            .unwrap();
    }
    let admin = app.admin_session().await;
    admin
        .client
        .patch(app.url("/api/v1/environments/production"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "retention_days": 30 }))
        .send()
        .await
        .unwrap();

    let viewer = app.user_with_role("viewer").await;
    let denied = viewer
        .post(
            &app,
            "/api/v1/environments/production/retention/run",
            &json!({}),
        )
        .await;
    assert_eq!(error_code(denied, StatusCode::FORBIDDEN).await, "forbidden");

    let run: Value = admin
        .post(
            &app,
            "/api/v1/environments/production/retention/run",
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(run["impressions_deleted"], 40, "in chunks of 7");
    assert_eq!(run["events_deleted"], 1);
    assert_eq!(run["reason"], "manual");
    assert!(app.exported("production", "").await.is_empty());

    let shown: Value = admin
        .get(&app, "/api/v1/environments/production/retention")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["retention_days"], 30);
    assert_eq!(shown["last_run"]["impressions_deleted"], 40);
    // Hourly counts outlive raw impressions (13 months by default).
    let flags: Vec<Value> = admin
        .get(&app, "/api/v1/environments/production/flags")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(flags[0]["impressions_24h"], 40);
}

#[actix_web::test]
async fn impressions_already_older_than_retention_are_rejected_as_expired() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    admin
        .client
        .patch(app.url("/api/v1/environments/production"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "retention_days": 1 }))
        .send()
        .await
        .unwrap();
    let old = chrono::Utc::now().timestamp_millis() - 2 * 86_400_000;
    let items = json!([{ "flag": "f", "key": "k", "treatment": "on", "timestamp": old }]);
    let report: Value = app
        .sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            items.to_string(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["accepted"], 0);
    assert_eq!(report["rejected"][0]["code"], "expired");
}
