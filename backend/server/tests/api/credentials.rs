//! Sessions and API tokens end when they should: on a password change or reset, at a token's
//! expiry, after a session's idle timeout, and their dead rows are deleted.

use reqwest::{Client, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::helpers::*;

async fn new_token(app: &TestApp, session: &Session, body: Value) -> String {
    let response = session.post(app, "/api/v1/tokens", &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    created["token"].as_str().unwrap().to_owned()
}

async fn me_with_token(app: &TestApp, token: &str) -> StatusCode {
    Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn sql(app: &TestApp, statement: &str) {
    app.db.conn.execute_unprepared(statement).await.unwrap();
}

#[actix_web::test]
async fn changing_ones_password_ends_other_sessions_and_revokes_api_tokens() {
    let app = spawn_app().await;
    let here = app.admin_session().await;
    let elsewhere = app.admin_session().await;
    let token = new_token(&app, &here, json!({ "name": "ci" })).await;
    assert_eq!(me_with_token(&app, &token).await, StatusCode::OK);

    let changed = here
        .post(
            &app,
            "/api/v1/me/password",
            &json!({ "current_password": ADMIN_PASSWORD, "new_password": "a brand new password" }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);

    assert_eq!(here.get(&app, "/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        elsewhere.get(&app, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me_with_token(&app, &token).await, StatusCode::UNAUTHORIZED);
    let listed: Value = here.get(&app, "/api/v1/tokens").await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}

#[actix_web::test]
async fn an_admin_resetting_a_password_ends_the_users_sessions_and_tokens() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let email = "reset-me@example.com";
    let created: Value = admin
        .post(
            &app,
            "/api/v1/users",
            &json!({ "email": email, "password": "a long enough password", "role": "editor" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let editor = app.session(email, "a long enough password").await;
    let token = new_token(&app, &editor, json!({ "name": "laptop" })).await;

    let reset = admin
        .client
        .patch(app.url(&format!("/api/v1/users/{}", created["id"])))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "password": "another long password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(
        editor.get(&app, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me_with_token(&app, &token).await, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn tokens_carry_an_expiry_and_are_refused_past_it() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let response = admin
        .post(
            &app,
            "/api/v1/tokens",
            &json!({ "name": "week", "expires_in_days": 7 }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let expires_at = chrono::DateTime::parse_from_rfc3339(created["expires_at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    let in_a_week = chrono::Utc::now().timestamp_millis() + 7 * 24 * 3600 * 1000;
    assert!((expires_at - in_a_week).abs() < 3600 * 1000, "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    assert_eq!(me_with_token(&app, &token).await, StatusCode::OK);

    let listed: Value = admin
        .get(&app, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["expires_at"], created["expires_at"]);

    let in_a_month = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let dated = new_token(
        &app,
        &admin,
        json!({ "name": "dated", "expires_at": in_a_month }),
    )
    .await;
    assert_eq!(me_with_token(&app, &dated).await, StatusCode::OK);

    // Time passes: the week is over.
    sql(
        &app,
        "UPDATE api_tokens SET expires_at = 1 WHERE name = 'week'",
    )
    .await;
    assert_eq!(me_with_token(&app, &token).await, StatusCode::UNAUTHORIZED);
    let listed: Value = admin
        .get(&app, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
}

#[actix_web::test]
async fn bad_token_expiries_are_refused_with_invalid_expiry() {
    let app = spawn_app_with(|s| s.accounts.token_max_days = 30).await;
    let admin = app.admin_session().await;
    for body in [
        json!({ "name": "x", "expires_in_days": 0 }),
        json!({ "name": "x", "expires_in_days": 31 }),
        json!({ "name": "x", "expires_at": "2001-01-01T00:00:00Z" }),
        json!({ "name": "x", "expires_at": "next tuesday" }),
        json!({ "name": "x", "expires_in_days": 1, "expires_at": "2030-01-01T00:00:00Z" }),
        json!({ "name": "x", "expires_at": "2999-01-01T00:00:00Z" }),
    ] {
        let response = admin.post(&app, "/api/v1/tokens", &body).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            "invalid_expiry",
            "{body}"
        );
    }
}

#[actix_web::test]
async fn an_idle_session_ends_before_its_lifetime() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    assert_eq!(admin.get(&app, "/api/v1/me").await.status(), StatusCode::OK);
    // The idle deadline passes while the lifetime has days left.
    sql(&app, "UPDATE sessions SET idle_expires_at = 1").await;
    let response = admin.get(&app, "/api/v1/me").await;
    assert_eq!(
        error_code(response, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
}

#[actix_web::test]
async fn expired_idle_and_revoked_credentials_are_deleted_and_live_ones_kept() {
    let app = spawn_app().await;
    let live = app.admin_session().await;
    let idle = app.admin_session().await;
    let kept = new_token(&app, &live, json!({ "name": "kept" })).await;
    new_token(
        &app,
        &live,
        json!({ "name": "expired", "expires_in_days": 1 }),
    )
    .await;
    new_token(&app, &live, json!({ "name": "revoked" })).await;
    let listed: Value = live.get(&app, "/api/v1/tokens").await.json().await.unwrap();
    let revoked_id = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "revoked")
        .unwrap()["id"]
        .clone();
    let revoked = live
        .delete(&app, &format!("/api/v1/tokens/{revoked_id}"))
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    sql(
        &app,
        "UPDATE api_tokens SET expires_at = 1 WHERE name = 'expired'",
    )
    .await;
    sql(
        &app,
        "UPDATE sessions SET idle_expires_at = 1 WHERE id = (SELECT MAX(id) FROM sessions)",
    )
    .await;

    let (sessions, tokens) = app
        .db
        .delete_expired_sessions_and_tokens(chrono::Utc::now().timestamp_millis())
        .await
        .unwrap();
    assert_eq!((sessions, tokens), (1, 2));
    assert_eq!(live.get(&app, "/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        idle.get(&app, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(me_with_token(&app, &kept).await, StatusCode::OK);
}
