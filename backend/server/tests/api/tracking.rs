//! The tracking toggle decides by the impression's own time: SDKs flush minutes after they
//! evaluate, so an impression in flight across a toggle follows the toggle at evaluation.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{
    fresh_database, spawn_app, spawn_app_with, Session, TestApp, TestEnvironment,
};

const FLAG_PATH: &str = "/api/v1/environments/production/flags/toggled";

async fn post_impressions(app: &TestApp, env: &TestEnvironment, items: &[(&str, i64)]) -> Value {
    let impressions: Vec<Value> = items
        .iter()
        .map(|(key, at)| json!({ "k": key, "t": "on", "m": at, "r": "default rule" }))
        .collect();
    let response = app
        .sdk_post(
            "/api/testImpressions/bulk",
            &env.server_key,
            &[],
            "application/json",
            json!([{ "f": "toggled", "i": impressions }]).to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn set_tracking(app: &TestApp, admin: &Session, enabled: bool) {
    let response = admin
        .client
        .put(app.url(&format!("{FLAG_PATH}/tracking")))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "enabled": enabled }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// The toggle's off periods as the server recorded them: `(from, to)` in ms.
async fn off_periods(app: &TestApp, admin: &Session) -> Vec<(i64, Option<i64>)> {
    let monitoring: Value = admin
        .get(app, &format!("{FLAG_PATH}/monitoring"))
        .await
        .json()
        .await
        .unwrap();
    monitoring["tracking_off"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["from"].as_i64().unwrap(), p["to"].as_i64()))
        .collect()
}

/// Waits until the clock has moved past `at`, so the next toggle gets a later time.
async fn wait_until_after(at: i64) {
    while chrono::Utc::now().timestamp_millis() <= at {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
}

async fn stored_keys(app: &TestApp) -> Vec<String> {
    let mut keys: Vec<String> = app
        .exported("production", "&flag=toggled")
        .await
        .iter()
        .map(|row| row["key"].as_str().unwrap().to_owned())
        .collect();
    keys.sort();
    keys
}

#[actix_web::test]
async fn an_impression_evaluated_while_tracking_was_on_is_kept_when_posted_after_it_went_off() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    post_impressions(&app, &env, &[("seed", now - 60_000)]).await;
    let admin = app.admin_session().await;
    set_tracking(&app, &admin, false).await;
    let [(off_at, None)] = off_periods(&app, &admin).await[..] else {
        panic!("one open off period");
    };

    let report = post_impressions(
        &app,
        &env,
        &[
            ("evaluated_before_off", off_at - 1),
            ("evaluated_while_off", off_at),
        ],
    )
    .await;

    assert_eq!(report["accepted"], 1, "{report}");
    assert_eq!(report["dropped_tracking_off"], 1, "{report}");
    assert_eq!(stored_keys(&app).await, ["evaluated_before_off", "seed"]);
}

#[actix_web::test]
async fn an_impression_evaluated_while_tracking_was_off_is_dropped_when_posted_after_it_came_back_on(
) {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    post_impressions(&app, &env, &[("seed", now - 60_000)]).await;
    let admin = app.admin_session().await;
    set_tracking(&app, &admin, false).await;
    let [(off_at, None)] = off_periods(&app, &admin).await[..] else {
        panic!("one open off period");
    };
    wait_until_after(off_at).await;
    set_tracking(&app, &admin, true).await;
    let [(from, Some(on_at))] = off_periods(&app, &admin).await[..] else {
        panic!("one closed off period");
    };
    assert_eq!(from, off_at);

    let report = post_impressions(
        &app,
        &env,
        &[
            ("evaluated_before_off", off_at - 1),
            ("evaluated_while_off", off_at),
            ("evaluated_just_before_on", on_at - 1),
            ("evaluated_after_on", on_at),
        ],
    )
    .await;

    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(report["dropped_tracking_off"], 2, "{report}");
    assert_eq!(
        stored_keys(&app).await,
        ["evaluated_after_on", "evaluated_before_off", "seed"]
    );
    let usage = app.usage("production").await;
    assert_eq!(usage["impressions_dropped_tracking_off"], 2);
}

#[actix_web::test]
async fn the_toggle_history_survives_a_restart_of_the_flags_snapshot() {
    // The history is loaded from the database at start: a second server on the same
    // database decides the same way.
    let (url, _data_dir) = fresh_database().await;
    let app = spawn_on(&url).await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    post_impressions(&app, &env, &[("seed", now - 60_000)]).await;
    let admin = app.admin_session().await;
    set_tracking(&app, &admin, false).await;
    let [(off_at, None)] = off_periods(&app, &admin).await[..] else {
        panic!("one open off period");
    };

    let restarted = spawn_on(&url).await;
    let report = post_impressions(
        &restarted,
        &env,
        &[
            ("evaluated_before_off", off_at - 1),
            ("evaluated_while_off", off_at),
        ],
    )
    .await;

    assert_eq!(report["accepted"], 1, "{report}");
    assert_eq!(report["dropped_tracking_off"], 1, "{report}");
}

/// A server on an existing database (a second one sees what the first stored).
async fn spawn_on(url: &str) -> TestApp {
    spawn_app_with(|settings| settings.database_url = url.to_owned()).await
}
