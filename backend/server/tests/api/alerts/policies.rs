//! Alert policies: validation, roles, the webhook secret shown once, audit entries.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{conversion_metric, create_policy, POLICIES};
use crate::helpers::*;
use crate::metrics::patch;

#[actix_web::test]
async fn editors_write_policies_every_role_reads_them_and_changes_are_audited() {
    let app = spawn_app().await;
    app.environment("production").await;
    let admin = app.admin_session().await;
    let editor = app.user_with_role("editor").await;
    let viewer = app.user_with_role("viewer").await;
    let metric = conversion_metric(&app, &admin).await;

    let created = create_policy(
        &app,
        &editor,
        json!({ "metric_id": metric, "flag": "checkout", "threshold": 0.05,
                "webhook_url": "https://hooks.example.com/alerts" }),
    )
    .await;
    let secret = created["webhook_secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{created}");
    assert_eq!(created["metric"], "Checkout conversion");
    assert_eq!(created["min_users"], 100, "the default minimum");
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_i64().unwrap();

    // Read back by a viewer: the secret is never shown again.
    let listed: Vec<Value> = viewer.get(&app, POLICIES).await.json().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["webhook_secret_set"], true);
    assert!(listed[0].get("webhook_secret").is_none());
    assert!(!serde_json::to_string(&listed).unwrap().contains(secret));

    // Viewers cannot write.
    let denied = viewer
        .post(
            &app,
            POLICIES,
            &json!({ "metric_id": metric, "threshold": 0.1 }),
        )
        .await;
    assert_eq!(error_code(denied, StatusCode::FORBIDDEN).await, "forbidden");

    // Each field is checked with its own code.
    for (body, code) in [
        (
            json!({ "metric_id": 4242, "threshold": 0.1 }),
            "invalid_metric",
        ),
        (
            json!({ "metric_id": metric, "threshold": 0 }),
            "invalid_threshold",
        ),
        (
            json!({ "metric_id": metric, "threshold": 0.1, "min_users": 1 }),
            "invalid_min_users",
        ),
        (
            json!({ "metric_id": metric, "threshold": 0.1, "webhook_url": "ftp://x" }),
            "invalid_webhook_url",
        ),
        (
            json!({ "metric_id": metric, "threshold": 0.1, "flag": "a\u{7}b" }),
            "invalid_flag",
        ),
    ] {
        let response = editor.post(&app, POLICIES, &body).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            code,
            "{body}"
        );
    }

    let path = format!("{POLICIES}/{id}");
    let changed = patch(
        &editor,
        &app,
        &path,
        &json!({ "threshold": 0.1, "min_users": 500 }),
    )
    .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!(changed["threshold"], 0.1);
    assert_eq!(changed["min_users"], 500);
    assert!(
        changed["webhook_secret"].is_null(),
        "the secret stays, unshown"
    );
    // Clearing the webhook drops its secret.
    let cleared: Value = patch(&editor, &app, &path, &json!({ "webhook_url": "" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["webhook_url"], Value::Null);
    assert_eq!(cleared["webhook_secret_set"], false);

    let denied = viewer.delete(&app, &path).await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        editor.delete(&app, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    let gone = patch(&editor, &app, &path, &json!({})).await;
    assert_eq!(error_code(gone, StatusCode::NOT_FOUND).await, "not_found");

    let audit: Vec<Value> = admin
        .get(&app, "/api/v1/audit?action=alert_policy.")
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "alert_policy.delete",
            "alert_policy.update",
            "alert_policy.update",
            "alert_policy.create"
        ]
    );
    assert!(!serde_json::to_string(&audit).unwrap().contains(secret));
}
