use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[actix_web::test]
async fn admins_create_users_who_can_then_sign_in_with_their_role() {
    let app = spawn_app().await;
    let viewer = app.user_with_role("viewer").await;
    let me: Value = viewer.get(&app, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["role"], "viewer");
}

#[actix_web::test]
async fn editors_and_viewers_cannot_manage_users() {
    let app = spawn_app().await;
    for role in ["viewer", "editor"] {
        let session = app.user_with_role(role).await;
        let body =
            json!({ "email": "x@example.com", "password": "long enough pw", "role": "admin" });
        let create = session.post(&app, "/api/v1/users", &body).await;
        assert_eq!(error_code(create, StatusCode::FORBIDDEN).await, "forbidden");
        let list = session.get(&app, "/api/v1/users").await;
        assert_eq!(error_code(list, StatusCode::FORBIDDEN).await, "forbidden");
    }
}

#[actix_web::test]
async fn user_creation_validates_email_password_role_and_uniqueness() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let cases = [
        (
            json!({ "email": "not-an-email", "password": "long enough pw", "role": "viewer" }),
            StatusCode::BAD_REQUEST,
            "invalid_email",
        ),
        (
            json!({ "email": "a@example.com", "password": "short", "role": "viewer" }),
            StatusCode::BAD_REQUEST,
            "weak_password",
        ),
        (
            json!({ "email": "a@example.com", "password": "long enough pw", "role": "root" }),
            StatusCode::BAD_REQUEST,
            "invalid_json",
        ),
        (
            json!({ "email": ADMIN_EMAIL, "password": "long enough pw", "role": "viewer" }),
            StatusCode::CONFLICT,
            "conflict",
        ),
    ];
    for (body, status, code) in cases {
        let response = admin.post(&app, "/api/v1/users", &body).await;
        assert_eq!(error_code(response, status).await, code, "{body}");
    }
}
