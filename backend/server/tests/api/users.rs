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

async fn patch_user(app: &TestApp, admin: &Session, id: &Value, body: &Value) -> StatusCode {
    admin
        .client
        .patch(app.url(&format!("/api/v1/users/{id}")))
        .header("X-CSRF-Token", &admin.csrf)
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[actix_web::test]
async fn concurrent_demotions_and_deactivations_never_remove_the_last_admin() {
    let app = spawn_app().await;
    let password = "a long enough password";
    let mut survivor = app.admin_session().await;
    let changes = [
        json!({ "role": "viewer" }),
        json!({ "active": false }),
        json!({ "role": "editor" }),
        json!({ "active": false }),
        json!({ "role": "viewer", "active": false }),
        json!({ "role": "viewer" }),
    ];
    for (round, change) in changes.iter().enumerate() {
        // Two active admins: the survivor of the last round and a new one. The survivor
        // removes both at once; at most one of the two changes may pass.
        let email = format!("admin{round}@example.com");
        let created: Value = survivor
            .post(
                &app,
                "/api/v1/users",
                &json!({ "email": email, "password": password, "role": "admin" }),
            )
            .await
            .json()
            .await
            .unwrap();
        let me: Value = survivor.get(&app, "/api/v1/me").await.json().await.unwrap();
        assert_eq!(app.db.count_active_admins().await.unwrap(), 2);
        let (on_self, on_new) = futures::join!(
            patch_user(&app, &survivor, &me["id"], change),
            patch_user(&app, &survivor, &created["id"], change),
        );
        let passed = [on_self, on_new]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count();
        assert_eq!(passed, 1, "round {round}: {on_self} and {on_new}");
        for status in [on_self, on_new] {
            assert!(
                [
                    StatusCode::OK,
                    StatusCode::CONFLICT,
                    StatusCode::FORBIDDEN,
                    StatusCode::UNAUTHORIZED
                ]
                .contains(&status),
                "round {round}: {status}"
            );
        }
        assert_eq!(app.db.count_active_admins().await.unwrap(), 1);
        if on_self == StatusCode::OK {
            survivor = app.session(&email, password).await;
        }
    }
}

#[actix_web::test]
async fn the_audit_log_shows_account_emails_and_roles_to_admins_only() {
    let app = spawn_app().await;
    app.environment("production").await;
    let viewer = app.user_with_role("viewer").await;
    let editor = app.user_with_role("editor").await;
    let admin = app.admin_session().await;

    let seen_by_admin: Vec<Value> = admin
        .get(&app, "/api/v1/audit?action=user.")
        .await
        .json()
        .await
        .unwrap();
    assert!(seen_by_admin
        .iter()
        .any(|e| e["target"].as_str().unwrap().starts_with("viewer-")
            && e["new_value"]["role"] == "viewer"));

    for session in [&viewer, &editor] {
        let entries: Vec<Value> = session
            .get(&app, "/api/v1/audit")
            .await
            .json()
            .await
            .unwrap();
        let accounts: Vec<&Value> = entries
            .iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with("user."))
            .collect();
        assert_eq!(accounts.len(), seen_by_admin.len());
        for entry in accounts {
            assert!(!entry["target"].as_str().unwrap().contains('@'), "{entry}");
            assert!(
                entry["old_value"].is_null() && entry["new_value"].is_null(),
                "{entry}"
            );
        }
        // Other entries stay whole.
        let environment = entries
            .iter()
            .find(|e| e["action"] == "environment.create")
            .unwrap();
        assert_eq!(environment["target"], "production");
    }
}
