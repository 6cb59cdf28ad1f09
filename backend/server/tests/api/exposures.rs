//! Amplitude-style exposures (`POST /api/v1/exposures`) and the example payload of Split's
//! impressions page on the native impressions API.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn exposure(user: &str, variant: &str) -> Value {
    json!({
        "event_type": "$impression", "user_id": user,
        "event_properties": {"flag_key": "new_checkout", "variant": variant, "experiment_key": "exp-7"}
    })
}

async fn post(app: &TestApp, key: &str, body: &Value) -> reqwest::Response {
    app.sdk_post(
        "/api/v1/exposures",
        key,
        &[],
        "application/json",
        body.to_string(),
    )
    .await
}

#[actix_web::test]
async fn an_amplitude_impression_is_stored_as_an_impression_with_amplitudes_transformation() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let response = post(&app, &env.client_key, &exposure("user-1", "treatment")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 1, "{report}");

    let stored = app.exported("production", "").await;
    assert_eq!(stored.len(), 1);
    let row = &stored[0];
    assert_eq!(row["flag"], "new_checkout");
    assert_eq!(row["treatment"], "treatment");
    assert_eq!(row["key"], "user-1");
    assert_eq!(row["sdk"], "amplitude");
    assert_eq!(
        row["properties"],
        json!({
            "[Experiment] Flag Key": "new_checkout", "[Experiment] Variant": "treatment",
            "[Experiment] Experiment Key": "exp-7"
        })
    );
}

#[actix_web::test]
async fn a_batch_with_its_api_key_stores_the_exposures_and_reports_the_other_events() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let mut by_device = exposure("", "control");
    by_device["device_id"] = json!("device-9");
    let batch = json!({"api_key": env.server_key, "events": [
        exposure("user-1", "treatment"),
        by_device,
        {"event_type": "Checkout", "user_id": "user-1"},
    ]});
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/exposures"))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(report["rejected"][0]["index"], 2);
    assert_eq!(report["rejected"][0]["code"], "unsupported_event_type");
    let keys: Vec<Value> = app
        .exported("production", "")
        .await
        .iter()
        .map(|r| r["key"].clone())
        .collect();
    assert_eq!(keys, [json!("user-1"), json!("device-9")]);
}

#[actix_web::test]
async fn a_single_refused_exposure_is_a_400_and_no_key_is_a_401() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let missing_variant = json!({
        "event_type": "$impression", "user_id": "u", "event_properties": {"flag_key": "f"}
    });
    let response = post(&app, &env.server_key, &missing_variant).await;
    assert_eq!(
        error_code(response, StatusCode::BAD_REQUEST).await,
        "missing_field"
    );
    let response = post(&app, &env.server_key, &json!({"event_type": "Clicked"})).await;
    assert_eq!(
        error_code(response, StatusCode::BAD_REQUEST).await,
        "unsupported_event_type"
    );
    let response = post(&app, &env.server_key, &json!({"user_id": "u"})).await;
    assert_eq!(
        error_code(response, StatusCode::BAD_REQUEST).await,
        "invalid_item"
    );
    let response = app
        .sdk_post(
            "/api/v1/exposures",
            &env.server_key,
            &[],
            "application/json",
            "{nope",
        )
        .await;
    assert_eq!(
        error_code(response, StatusCode::BAD_REQUEST).await,
        "invalid_json"
    );
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/exposures"))
        .json(&exposure("u", "on"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
    assert!(app.exported("production", "").await.is_empty());
}

#[actix_web::test]
async fn exposures_of_a_flag_with_tracking_off_are_dropped_and_counted() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let response = post(&app, &env.server_key, &exposure("user-1", "on")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let admin = app.admin_session().await;
    let toggled = admin
        .client
        .put(app.url("/api/v1/environments/production/flags/new_checkout/tracking"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(toggled.status(), StatusCode::OK);

    let response = post(&app, &env.server_key, &exposure("user-2", "on")).await;
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 0, "{report}");
    assert_eq!(report["dropped_tracking_off"], 1, "{report}");
    assert_eq!(app.exported("production", "").await.len(), 1);
    assert_eq!(
        app.usage("production").await["impressions_dropped_tracking_off"],
        1
    );
}

#[actix_web::test]
async fn the_example_payload_of_splits_impressions_page_is_accepted_by_the_impressions_api() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let t = chrono::Utc::now().timestamp_millis();
    let example = |environment: &str, key: &str| {
        json!({
            "environmentId": environment, "feature": "new_ui", "treatment": "on", "key": key,
            "timestamp": t, "properties": {"planType": "premium", "appVersion": "2.3.1", "region": "us-west"}
        })
    };
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            example("production", "user_12345").to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 1, "{report}");

    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            json!([example("staging", "user_2")]).to_string(),
        )
        .await;
    let report: Value = response.json().await.unwrap();
    assert_eq!(
        report["rejected"][0]["code"], "wrong_environment",
        "{report}"
    );

    let stored = app.exported("production", "").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["flag"], "new_ui");
    assert_eq!(stored[0]["key"], "user_12345");
    assert_eq!(stored[0]["timestamp"], t);
    assert_eq!(stored[0]["properties"]["planType"], "premium");
}
