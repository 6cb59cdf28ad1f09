use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[actix_web::test]
async fn a_personal_token_is_shown_once_stored_hashed_and_acts_with_its_owners_role() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let response = admin
        .post(&app, "/api/v1/tokens", &json!({ "name": "ci" }))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("imp_pat_"));

    let stored = app.db.list_tokens(1).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].token_hash, token, "only a hash is stored");
    assert!(!stored[0].token_hash.contains(token));

    let plain = reqwest::Client::new();
    let me: Value = plain
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");
    // Token-authenticated writes need no CSRF token: no browser sends them on its own.
    let users = plain
        .post(app.url("/api/v1/users"))
        .bearer_auth(token)
        .json(&json!({ "email": "e@example.com", "password": "long enough pw", "role": "editor" }))
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), StatusCode::CREATED);

    let listed: Value = admin
        .get(&app, "/api/v1/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "ci");
    assert!(
        listed[0].get("token").is_none(),
        "the list never shows the secret"
    );
}

#[actix_web::test]
async fn a_revoked_or_unknown_token_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let created: Value = admin
        .post(&app, "/api/v1/tokens", &json!({ "name": "old" }))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let token = created["token"].as_str().unwrap();
    let revoke = admin.delete(&app, &format!("/api/v1/tokens/{id}")).await;
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);

    let plain = reqwest::Client::new();
    for bearer in [token, "imp_pat_made_up", "sdk-key-not-a-token"] {
        let response = plain
            .get(app.url("/api/v1/me"))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(response, StatusCode::UNAUTHORIZED).await,
            "unauthorized"
        );
    }
}

#[actix_web::test]
async fn a_token_needs_a_name() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let response = admin
        .post(&app, "/api/v1/tokens", &json!({ "name": "  " }))
        .await;
    assert_eq!(
        error_code(response, StatusCode::BAD_REQUEST).await,
        "invalid_name"
    );
}
