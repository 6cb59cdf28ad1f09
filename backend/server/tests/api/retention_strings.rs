//! Retention also purges the dictionary strings (treatments, labels, SDK and machine names,
//! event types) that only expired rows used, and the writer, which remembered their ids,
//! stores them correctly when they come back.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::retention::{count_rows, purge, set_retention_days};

const DAY: i64 = 86_400_000;

async fn post(app: &TestApp, key: &str, path: &str, items: Value) {
    let response = app
        .sdk_post(path, key, &[], "application/json", items.to_string())
        .await;
    assert!(response.status().is_success(), "{}", response.status());
}

fn impression(key: &str, prefix: &str, now: i64) -> Value {
    json!({ "flag": "f", "key": key, "treatment": format!("{prefix}-treatment"),
            "label": format!("{prefix}-label"), "sdk": format!("{prefix}-sdk-1.0"),
            "machine_name": format!("{prefix}-host"), "timestamp": now })
}

async fn execute(app: &TestApp, sql: &str) {
    sea_orm::ConnectionTrait::execute_unprepared(&app.db.conn, sql)
        .await
        .unwrap();
}

#[actix_web::test]
async fn a_purge_deletes_the_strings_only_expired_rows_used_and_they_come_back_intact() {
    let app = spawn_app_with(|s| {
        s.retention_chunk_rows = 3;
        s.counts_retention_days = 1;
    })
    .await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    // The expired ones first: the newest string is never purged.
    post(
        &app,
        &env.server_key,
        "/api/v1/impressions",
        json!([impression("old", "purged", now)]),
    )
    .await;
    let event = json!([{ "event_type": "purged-event", "key": "old", "timestamp": now }]);
    post(&app, &env.server_key, "/api/v1/events", event).await;
    post(
        &app,
        &env.server_key,
        "/api/v1/impressions",
        json!([impression("kept", "kept", now)]),
    )
    .await;
    // Age the first ones (and their hourly count) by 40 days.
    for sql in [
        format!("UPDATE impressions SET received_at = received_at - {0}, ts = ts - {0} WHERE key = 'old'", 40 * DAY),
        format!("UPDATE events SET received_at = received_at - {0}, ts = ts - {0}", 40 * DAY),
        format!(
            "UPDATE impression_counts SET hour = hour - {} WHERE treatment_id = \
             (SELECT id FROM strings WHERE value = 'purged-treatment')",
            40 * DAY
        ),
    ] {
        execute(&app, &sql).await;
    }
    let admin = app.admin_session().await;
    set_retention_days(&app, &admin, 30).await;

    let run = purge(&app, &admin).await;

    assert_eq!(run["impressions_deleted"], 1, "{run}");
    assert_eq!(
        run["strings_deleted"], 5,
        "treatment, label, SDK, host, event type: {run}"
    );
    assert_eq!(
        count_rows(&app, "strings", "value LIKE 'purged-%'").await,
        0
    );
    assert_eq!(count_rows(&app, "strings", "value LIKE 'kept-%'").await, 4);
    let shown: Value = admin
        .get(&app, "/api/v1/environments/production/retention")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(shown["last_run"]["strings_deleted"], 5);

    // The same strings again: the writer must not use the ids it remembered for them.
    post(
        &app,
        &env.server_key,
        "/api/v1/impressions",
        json!([impression("again", "purged", now)]),
    )
    .await;
    let event = json!([{ "event_type": "purged-event", "key": "again", "timestamp": now }]);
    post(&app, &env.server_key, "/api/v1/events", event).await;
    let exported = app.exported("production", "").await;
    let again = exported.iter().find(|r| r["key"] == "again").unwrap();
    assert_eq!(again["treatment"], "purged-treatment", "{again}");
    assert_eq!(again["label"], "purged-label");
    assert_eq!(again["sdk"], "purged-sdk-1.0");
    assert_eq!(again["machine_name"], "purged-host");
    let kept = exported.iter().find(|r| r["key"] == "kept").unwrap();
    assert_eq!(kept["treatment"], "kept-treatment", "{kept}");
    let events = admin
        .get(
            &app,
            "/api/v1/environments/production/events/export?format=ndjson",
        )
        .await;
    assert_eq!(events.status(), StatusCode::OK);
    let events = events.text().await.unwrap();
    let event: Value = serde_json::from_str(events.lines().next().unwrap()).unwrap();
    assert_eq!(
        (&event["key"], &event["event_type"]),
        (&json!("again"), &json!("purged-event"))
    );
}

#[actix_web::test]
async fn a_purge_gives_back_the_room_of_strings_no_row_uses_any_more() {
    let app = spawn_app_with(|s| {
        s.max_distinct_strings_per_environment = 2;
        s.counts_retention_days = 1;
    })
    .await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    let treatment =
        |key: &str, t: &str| json!([{ "flag": "f", "key": key, "treatment": t, "timestamp": now }]);
    let accepted = |report: Value| report["accepted"].as_i64().unwrap();
    let post_report = |items: Value| {
        let app = &app;
        let key = env.server_key.clone();
        async move {
            app.sdk_post(
                "/api/v1/impressions",
                &key,
                &[],
                "application/json",
                items.to_string(),
            )
            .await
            .json::<Value>()
            .await
            .unwrap()
        }
    };
    assert_eq!(accepted(post_report(treatment("u1", "a")).await), 1);
    assert_eq!(accepted(post_report(treatment("u2", "b")).await), 1);
    let refused = post_report(treatment("u3", "c")).await;
    assert_eq!(
        refused["rejected_counts"],
        json!({ "too_many_distinct_strings": 1 }),
        "{refused}"
    );

    // Every row that used "a" expires.
    for sql in [
        format!("UPDATE impressions SET received_at = received_at - {0}, ts = ts - {0} WHERE key = 'u1'", 40 * DAY),
        format!(
            "UPDATE impression_counts SET hour = hour - {} WHERE treatment_id = \
             (SELECT id FROM strings WHERE value = 'a')",
            40 * DAY
        ),
    ] {
        execute(&app, &sql).await;
    }
    let admin = app.admin_session().await;
    set_retention_days(&app, &admin, 30).await;
    let run = purge(&app, &admin).await;
    assert_eq!(run["strings_deleted"], 1, "{run}");

    assert_eq!(
        accepted(post_report(treatment("u3", "c")).await),
        1,
        "room again"
    );
    let refused = post_report(treatment("u4", "d")).await;
    assert_eq!(
        refused["rejected_counts"],
        json!({ "too_many_distinct_strings": 1 }),
        "{refused}"
    );
}
