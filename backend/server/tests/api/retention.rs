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

/// Rows of `table` matching `filter`, straight from the database.
pub(crate) async fn count_rows(app: &TestApp, table: &str, filter: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.db.conn.get_database_backend();
    let row = app
        .db
        .conn
        .query_one(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {filter}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

pub(crate) async fn set_retention_days(app: &TestApp, admin: &Session, days: i32) {
    let response = admin
        .client
        .patch(app.url("/api/v1/environments/production"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "retention_days": days }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

pub(crate) async fn purge(app: &TestApp, admin: &Session) -> Value {
    let response = admin
        .post(
            app,
            "/api/v1/environments/production/retention/run",
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[actix_web::test]
async fn a_purge_removes_rows_older_than_retention_by_their_own_time_though_received_today() {
    let app = spawn_app_with(|s| s.retention_chunk_rows = 3).await;
    let env = app.environment("production").await;
    let day = 86_400_000i64;
    let now = chrono::Utc::now().timestamp_millis();
    // Received just now, evaluated 20 days ago (the environment still kept 10 years).
    let mut items: Vec<Value> = (0..8)
        .map(|i| {
            json!({ "flag": format!("f{}", i % 2), "key": format!("old{i}"), "treatment": "on",
                    "timestamp": now - 20 * day })
        })
        .collect();
    items.push(json!({ "flag": "f0", "key": "recent", "treatment": "on", "timestamp": now - day }));
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
    let events = json!([
        { "event_type": "buy", "key": "old", "timestamp": now - 20 * day },
        { "event_type": "buy", "key": "recent", "timestamp": now - day }
    ]);
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

    let admin = app.admin_session().await;
    set_retention_days(&app, &admin, 10).await;
    let run = purge(&app, &admin).await;

    assert_eq!(run["impressions_deleted"], 8, "{run}");
    assert_eq!(run["events_deleted"], 1, "{run}");
    let kept: Vec<String> = app
        .exported("production", "")
        .await
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kept, ["recent"]);
    assert_eq!(count_rows(&app, "events", "1 = 1").await, 1);
}

#[actix_web::test]
async fn a_purge_removes_old_telemetry_old_monthly_keys_future_counts_and_expired_sessions() {
    let app = spawn_app_with(|s| s.counts_retention_days = 1).await;
    let env = app.environment("production").await;
    let day = 86_400_000i64;
    let hour = 3_600_000i64;
    let now = chrono::Utc::now().timestamp_millis();
    // 40 days back is always a month before the counts cutoff (a day back).
    let items = json!([
        { "flag": "f", "key": "last_months_key", "treatment": "on", "timestamp": now - 40 * day },
        { "flag": "f", "key": "this_months_key", "treatment": "on", "timestamp": now }
    ]);
    app.sdk_post(
        "/api/v1/impressions",
        &env.server_key,
        &[],
        "application/json",
        items.to_string(),
    )
    .await;
    for _ in 0..2 {
        let response = app
            .sdk_post(
                "/api/v1/metrics/usage",
                &env.server_key,
                &[],
                "application/json",
                r#"{"t":["x"]}"#,
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // One telemetry post is 20 days old (the environment keeps 10 days).
    let aged = format!(
        "UPDATE sdk_telemetry SET received_at = received_at - {} WHERE id = (SELECT MIN(id) FROM sdk_telemetry)",
        20 * day
    );
    sea_orm::ConnectionTrait::execute_unprepared(&app.db.conn, &aged)
        .await
        .unwrap();
    // Hourly counts an SDK reported for hours far ahead, and one for the next hour.
    let this_hour = now - now.rem_euclid(hour);
    for (at, count) in [(this_hour + 30 * day, 5), (this_hour + hour, 7)] {
        let sql = format!(
            "INSERT INTO impression_counts (environment_id, flag_id, hour, treatment_id, count) \
             SELECT environment_id, id, {at}, 0, {count} FROM flags WHERE name = 'f'"
        );
        sea_orm::ConnectionTrait::execute_unprepared(&app.db.conn, &sql)
            .await
            .unwrap();
    }
    let admin = app.admin_session().await;
    let expired_session = app.admin_session().await;
    let expire = "UPDATE sessions SET expires_at = 1 WHERE id = (SELECT MAX(id) FROM sessions)";
    sea_orm::ConnectionTrait::execute_unprepared(&app.db.conn, expire)
        .await
        .unwrap();
    let sessions_before = count_rows(&app, "sessions", "1 = 1").await;
    set_retention_days(&app, &admin, 10).await;

    purge(&app, &admin).await;

    assert_eq!(count_rows(&app, "sdk_telemetry", "1 = 1").await, 1);
    let keys = count_rows(&app, "unique_keys", "1 = 1").await;
    assert_eq!(keys, 1, "only this month's key stays");
    assert_eq!(
        count_rows(&app, "unique_keys", "key = 'this_months_key'").await,
        1
    );
    assert_eq!(
        count_rows(
            &app,
            "impression_counts",
            &format!("hour > {}", this_hour + day)
        )
        .await,
        0,
        "counts for hours more than a day ahead are gone"
    );
    assert_eq!(
        count_rows(
            &app,
            "impression_counts",
            &format!("hour = {}", this_hour + hour)
        )
        .await,
        1,
        "the next hour's count stays"
    );
    assert_eq!(
        count_rows(&app, "sessions", "1 = 1").await,
        sessions_before - 1
    );
    let refused = expired_session
        .get(&app, "/api/v1/environments/production/retention")
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let allowed = admin
        .get(&app, "/api/v1/environments/production/retention")
        .await;
    assert_eq!(allowed.status(), StatusCode::OK);
}
