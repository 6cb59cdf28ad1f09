use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[actix_web::test]
async fn admins_create_environments_with_a_server_and_a_client_key_shown_once() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let response = admin
        .post(
            &app,
            "/api/v1/environments",
            &json!({ "name": "production" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "production");
    assert_eq!(body["retention_days"], 90);
    let kinds: Vec<&str> = body["sdk_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["server", "client"]);
    let key = body["sdk_keys"][0]["key"].as_str().unwrap();

    let listed: Value = admin
        .get(&app, "/api/v1/environments/production")
        .await
        .json()
        .await
        .unwrap();
    let listed_keys = listed["sdk_keys"].as_array().unwrap();
    assert_eq!(listed_keys.len(), 2);
    assert!(
        listed_keys.iter().all(|k| k.get("key").is_none()),
        "lists never show secrets"
    );
    assert!(key.ends_with(listed_keys[0]["hint"].as_str().unwrap()));
    assert!(!listed.to_string().contains(key));
}

#[actix_web::test]
async fn only_admins_manage_environments_and_input_is_validated() {
    let app = spawn_app().await;
    let editor = app.user_with_role("editor").await;
    let denied = editor
        .post(&app, "/api/v1/environments", &json!({ "name": "x" }))
        .await;
    assert_eq!(error_code(denied, StatusCode::FORBIDDEN).await, "forbidden");

    let admin = app.admin_session().await;
    let cases = [
        (
            json!({ "name": "has space" }),
            StatusCode::BAD_REQUEST,
            "invalid_name",
        ),
        (
            json!({ "name": "ok", "retention_days": 0 }),
            StatusCode::BAD_REQUEST,
            "invalid_retention",
        ),
        (
            json!({ "name": "ok", "retention_days": 3651 }),
            StatusCode::BAD_REQUEST,
            "invalid_retention",
        ),
    ];
    for (body, status, code) in cases {
        let response = admin.post(&app, "/api/v1/environments", &body).await;
        assert_eq!(error_code(response, status).await, code, "{body}");
    }
    app.environment("staging").await;
    let duplicate = admin
        .post(&app, "/api/v1/environments", &json!({ "name": "staging" }))
        .await;
    assert_eq!(
        error_code(duplicate, StatusCode::CONFLICT).await,
        "conflict"
    );
}

#[actix_web::test]
async fn retention_and_names_can_be_changed_and_the_change_is_audited() {
    let app = spawn_app().await;
    app.environment("staging").await;
    let admin = app.admin_session().await;
    let response = admin
        .client
        .patch(app.url("/api/v1/environments/staging"))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "retention_days": 30 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["retention_days"], 30);
    let audit = app.db.recent_audit(10).await.unwrap();
    let entry = audit
        .iter()
        .find(|a| a.action == "environment.update")
        .unwrap();
    assert_eq!(entry.actor, ADMIN_EMAIL);
    assert!(entry.old_value.as_deref().unwrap().contains("3650"));
    assert!(entry.new_value.as_deref().unwrap().contains("30"));
}

#[actix_web::test]
async fn a_revoked_key_no_longer_ingests_and_a_new_key_does() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    let listed: Value = admin
        .get(&app, "/api/v1/environments/production")
        .await
        .json()
        .await
        .unwrap();
    let server_key_id = listed["sdk_keys"][0]["id"].as_i64().unwrap();
    let revoked = admin
        .delete(
            &app,
            &format!("/api/v1/environments/production/keys/{server_key_id}"),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);

    let body = r#"[{"f":"flag","i":[{"k":"u1","t":"on","m":1795314651564}]}]"#;
    let refused = app
        .sdk_post(
            "/api/testImpressions/bulk",
            &env.server_key,
            &[],
            "application/json",
            body,
        )
        .await;
    assert_eq!(
        error_code(refused, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );

    let created = admin
        .post(
            &app,
            "/api/v1/environments/production/keys",
            &json!({ "kind": "server" }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let key: Value = created.json().await.unwrap();
    let accepted = app
        .sdk_post(
            "/api/testImpressions/bulk",
            key["key"].as_str().unwrap(),
            &[],
            "application/json",
            body,
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
}

/// Makes every later read of the environments table fail once a key is revoked (and the
/// revocation committed with it), so the snapshot reload after the revocation fails.
async fn break_environments_on_revocation(app: &TestApp) {
    let statements: &[&str] = match std::env::var("IMPRINT_TEST_DB").as_deref() {
        Ok("postgres") => &[
            "CREATE FUNCTION break_environments() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN EXECUTE 'ALTER TABLE environments RENAME COLUMN retention_days TO gone'; \
             RETURN NEW; END $$",
            "CREATE TRIGGER break_environments AFTER UPDATE OF revoked_at ON sdk_keys \
             FOR EACH ROW EXECUTE FUNCTION break_environments()",
        ],
        // SQLite keeps text in an integer column, which no longer reads as a number.
        _ => &[
            "CREATE TRIGGER break_environments AFTER UPDATE OF revoked_at ON sdk_keys \
                BEGIN UPDATE environments SET retention_days = 'gone'; END",
        ],
    };
    for sql in statements {
        sea_orm::ConnectionTrait::execute_unprepared(&app.db.conn, sql)
            .await
            .unwrap();
    }
}

#[actix_web::test]
async fn a_revoked_key_is_refused_even_when_the_snapshot_reload_after_it_fails() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    let listed: Value = admin
        .get(&app, "/api/v1/environments/production")
        .await
        .json()
        .await
        .unwrap();
    let server_key_id = listed["sdk_keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "server")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    break_environments_on_revocation(&app).await;

    let revoked = admin
        .delete(
            &app,
            &format!("/api/v1/environments/production/keys/{server_key_id}"),
        )
        .await;
    assert_eq!(
        revoked.status(),
        StatusCode::NO_CONTENT,
        "the revocation committed"
    );

    let body = r#"[{"f":"flag","i":[{"k":"u1","t":"on","m":1795314651564}]}]"#;
    let refused = app
        .sdk_post(
            "/api/testImpressions/bulk",
            &env.server_key,
            &[],
            "application/json",
            body,
        )
        .await;
    assert_eq!(
        error_code(refused, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
    let other_key_still_works = reqwest::Client::new()
        .get(app.url("/api/splitChanges?s=1.3&since=-1"))
        .bearer_auth(&env.client_key)
        .send()
        .await
        .unwrap();
    assert_eq!(other_key_still_works.status(), StatusCode::OK);
}
