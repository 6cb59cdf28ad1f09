use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn patch(session: &Session, app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    session
        .client
        .patch(app.url(path))
        .header("X-CSRF-Token", &session.csrf)
        .json(body)
        .send()
        .await
        .unwrap()
}

#[actix_web::test]
async fn the_flags_list_carries_definitions_tracking_and_the_last_24_hours() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    let body = format!(
        r#"[{{"f":"observed","i":[{{"k":"a","t":"on","m":{now}}},{{"k":"b","t":"off","m":{now}}}]}}]"#
    );
    app.sdk_post(
        "/api/testImpressions/bulk",
        &env.server_key,
        &[],
        "application/json",
        body,
    )
    .await;
    let counts = format!(r#"{{"pf":[{{"f":"observed","m":{now},"rc":5}}]}}"#);
    app.sdk_post(
        "/api/testImpressions/count",
        &env.server_key,
        &[],
        "application/json",
        counts,
    )
    .await;
    let admin = app.admin_session().await;
    let flags: Vec<Value> = admin
        .get(&app, "/api/v1/environments/production/flags")
        .await
        .json()
        .await
        .unwrap();
    let observed = flags.iter().find(|f| f["name"] == "observed").unwrap();
    assert_eq!(observed["impressions_24h"], 2);
    assert_eq!(observed["counted_by_sdk_24h"], 5);
    assert_eq!(observed["defined"], false);
    assert_eq!(observed["status"], Value::Null);
    // Without a definition, the treatments are the ones the SDKs reported serving.
    assert_eq!(observed["treatments"], json!(["off", "on"]));
}

#[actix_web::test]
async fn monitoring_gives_hourly_traffic_keys_labels_and_tracking_off_periods() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let now = chrono::Utc::now().timestamp_millis();
    let body = format!(
        r#"[{{"f":"checkout","i":[{{"k":"a","t":"on","m":{now},"r":"default rule"}},{{"k":"a","t":"on","m":{now},"r":"default rule"}},{{"k":"b","t":"off","m":{now}}}]}}]"#
    );
    app.sdk_post(
        "/api/testImpressions/bulk",
        &env.server_key,
        &[],
        "application/json",
        body,
    )
    .await;
    let admin = app.admin_session().await;
    let path = "/api/v1/environments/production/flags/checkout";
    for enabled in [false, true, false] {
        admin
            .client
            .put(app.url(&format!("{path}/tracking")))
            .header("X-CSRF-Token", &admin.csrf)
            .json(&json!({ "enabled": enabled }))
            .send()
            .await
            .unwrap();
    }
    let m: Value = admin
        .get(&app, &format!("{path}/monitoring"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["hours"].as_array().unwrap().len(), 24);
    let last = m["hours"].as_array().unwrap().last().unwrap();
    assert_eq!(last["treatments"], json!({ "on": 2, "off": 1 }));
    assert_eq!(m["unique_keys"], json!({ "on": 1, "off": 1 }));
    assert_eq!(
        m["labels"],
        json!({ "default rule": 2, "not available": 1 })
    );
    let periods = m["tracking_off"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    assert!(periods[0]["to"].is_i64() && periods[1]["to"].is_null());
    let bad = admin
        .get(&app, &format!("{path}/monitoring?from=10&to=5"))
        .await;
    assert_eq!(
        error_code(bad, StatusCode::BAD_REQUEST).await,
        "invalid_range"
    );
}

#[actix_web::test]
async fn admins_change_roles_deactivate_and_reset_passwords_but_keep_an_admin() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let created: Value = admin
        .post(
            &app,
            "/api/v1/users",
            &json!({ "email": "v@example.com", "password": "first password", "role": "viewer" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let viewer = app.session("v@example.com", "first password").await;

    let promoted: Value = patch(
        &admin,
        &app,
        &format!("/api/v1/users/{id}"),
        &json!({ "role": "editor" }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(promoted["role"], "editor");
    let reset = patch(
        &admin,
        &app,
        &format!("/api/v1/users/{id}"),
        &json!({ "password": "second password" }),
    )
    .await;
    assert_eq!(reset.status(), StatusCode::OK);
    let ended = viewer.get(&app, "/api/v1/me").await;
    assert_eq!(
        ended.status(),
        StatusCode::UNAUTHORIZED,
        "a reset ends the user's sessions"
    );
    app.session("v@example.com", "second password").await;
    patch(
        &admin,
        &app,
        &format!("/api/v1/users/{id}"),
        &json!({ "active": false }),
    )
    .await;
    let refused = app
        .login(&app.client(), "v@example.com", "second password")
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let me: Value = admin.get(&app, "/api/v1/me").await.json().await.unwrap();
    let last_admin = patch(
        &admin,
        &app,
        &format!("/api/v1/users/{}", me["id"]),
        &json!({ "role": "viewer" }),
    )
    .await;
    assert_eq!(
        error_code(last_admin, StatusCode::CONFLICT).await,
        "conflict"
    );

    let actions: Vec<Value> = admin
        .get(&app, "/api/v1/audit?action=user.")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = actions
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"user.create")
            && names.contains(&"user.update")
            && names.contains(&"user.password"),
        "{names:?}"
    );
}

#[actix_web::test]
async fn users_change_their_own_password_and_stay_signed_in() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let wrong = admin
        .post(
            &app,
            "/api/v1/me/password",
            &json!({ "current_password": "nope", "new_password": "a brand new password" }),
        )
        .await;
    assert_eq!(
        error_code(wrong, StatusCode::BAD_REQUEST).await,
        "wrong_password"
    );
    let ok = admin
        .post(
            &app,
            "/api/v1/me/password",
            &json!({ "current_password": ADMIN_PASSWORD, "new_password": "a brand new password" }),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::NO_CONTENT);
    assert_eq!(admin.get(&app, "/api/v1/me").await.status(), StatusCode::OK);
    app.session(ADMIN_EMAIL, "a brand new password").await;
}

#[actix_web::test]
async fn the_audit_log_filters_by_action_actor_and_environment() {
    let app = spawn_app().await;
    app.environment("production").await;
    app.environment("staging").await;
    let admin = app.admin_session().await;
    let all: Vec<Value> = admin.get(&app, "/api/v1/audit").await.json().await.unwrap();
    assert!(all.len() >= 2);
    let staging: Vec<Value> = admin
        .get(&app, "/api/v1/audit?environment=staging")
        .await
        .json()
        .await
        .unwrap();
    assert!(staging.iter().all(|a| a["environment"] == "staging"));
    assert_eq!(staging[0]["action"], "environment.create");
    assert_eq!(staging[0]["actor"], ADMIN_EMAIL);
    let nobody: Vec<Value> = admin
        .get(&app, "/api/v1/audit?actor=nobody")
        .await
        .json()
        .await
        .unwrap();
    assert!(nobody.is_empty());
}
