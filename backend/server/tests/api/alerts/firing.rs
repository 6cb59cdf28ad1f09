//! A treatment clearly worse than the baseline fires an alert, which the audit log records
//! and a signed webhook receives; it resolves when the condition clears.

use std::time::Duration;

use imprint_server::standard_webhooks::{secret_key, signature};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{alerts, conversion_metric, create_policy, evaluate, experiment, POLICIES};
use crate::helpers::*;
use crate::metrics::patch;
use crate::sinks::receiver::{Received, Receiver};

/// Checks the Standard Webhooks signature of a received message.
fn signed_by(received: &Received, secret: &str) -> bool {
    let id = received.header("webhook-id").unwrap();
    let timestamp: i64 = received
        .header("webhook-timestamp")
        .unwrap()
        .parse()
        .unwrap();
    let key = secret_key(secret).unwrap();
    received.header("webhook-signature") == Some(&signature(&key, id, timestamp, &received.body))
}

#[actix_web::test]
async fn a_clearly_worse_treatment_fires_a_signed_alert_that_resolves_when_it_clears() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let viewer = app.user_with_role("viewer").await;
    let receiver = Receiver::start();
    // `on` converts 10%, `off` 40%, 400 users each.
    experiment(&app, &admin, 800, 0.10, 0.40).await;
    let metric = conversion_metric(&app, &admin).await;
    let created = create_policy(
        &app,
        &admin,
        json!({ "metric_id": metric, "threshold": 0.05, "min_users": 50,
                "webhook_url": receiver.url("/alerts") }),
    )
    .await;
    let (policy, secret) = (
        created["id"].as_i64().unwrap(),
        created["webhook_secret"].as_str().unwrap().to_owned(),
    );

    let firing = evaluate(&app, &admin, policy).await;
    assert_eq!(firing.len(), 1, "{firing:?}");
    let alert = &firing[0];
    assert_eq!(alert["flag"], "checkout");
    assert_eq!(
        (alert["treatment"].as_str(), alert["baseline"].as_str()),
        (Some("on"), Some("off"))
    );
    assert_eq!(alert["status"], "firing");
    assert!(
        (alert["relative_lift"].as_f64().unwrap() + 0.75).abs() < 1e-9,
        "{alert}"
    );
    assert!(alert["p_value"].as_f64().unwrap() <= 0.05);
    assert_eq!(alert["method"], "mSPRT (always valid), α = 0.05");
    assert_eq!(
        alert["summary"],
        "Checkout conversion is 75% lower with `on` than with `off` (threshold 5%)"
    );
    // Evaluating again keeps the same alert open instead of firing another.
    let again = evaluate(&app, &admin, policy).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["id"], alert["id"]);
    // Every role reads alerts, filtered by status and flag.
    assert_eq!(
        alerts(&app, &viewer, "status=firing&flag=checkout")
            .await
            .len(),
        1
    );
    assert!(alerts(&app, &viewer, "flag=other").await.is_empty());
    let bad = viewer
        .get(&app, &format!("{}?status=loud", super::ALERTS))
        .await;
    assert_eq!(
        error_code(bad, StatusCode::BAD_REQUEST).await,
        "invalid_query"
    );

    receiver
        .wait_for(30, "the fired alert", |r| !r.is_empty())
        .await;
    let fired = &receiver.requests()[0];
    assert_eq!(fired.path, "/alerts");
    assert!(
        signed_by(fired, &secret),
        "the signature verifies with the secret shown once"
    );
    assert_eq!(
        fired.header("webhook-id"),
        Some(&*format!("alert_{}_fired", alert["id"]))
    );
    let message = fired.json();
    assert_eq!(message["type"], "alert.fired");
    assert_eq!(message["data"]["summary"], alert["summary"]);

    // A threshold the data does not exceed clears the condition: the alert resolves.
    let path = format!("{POLICIES}/{policy}");
    let raised = patch(&admin, &app, &path, &json!({ "threshold": 0.9 })).await;
    assert_eq!(raised.status(), StatusCode::OK);
    assert!(evaluate(&app, &admin, policy).await.is_empty());
    let all = alerts(&app, &viewer, "").await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["status"], "resolved");
    assert!(all[0]["resolved_at"].is_string());
    receiver
        .wait_for(30, "the resolved alert", |r| r.len() >= 2)
        .await;
    let resolved = &receiver.requests()[1];
    assert!(signed_by(resolved, &secret));
    assert_eq!(resolved.json()["type"], "alert.resolved");

    let audit: Vec<Value> = admin
        .get(&app, "/api/v1/audit?action=alert.")
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["alert.resolve", "alert.fire"]);
    assert_eq!(audit[0]["actor"], "system (alerts)");
}

#[actix_web::test]
async fn an_equal_treatment_fires_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    experiment(&app, &admin, 800, 0.30, 0.30).await;
    let metric = conversion_metric(&app, &admin).await;
    let policy = create_policy(
        &app,
        &admin,
        json!({ "metric_id": metric, "threshold": 0.05 }),
    )
    .await;
    assert!(evaluate(&app, &admin, policy["id"].as_i64().unwrap())
        .await
        .is_empty());
    assert!(alerts(&app, &admin, "").await.is_empty());
}

#[actix_web::test]
async fn the_schedule_evaluates_policies_and_disabling_one_resolves_its_alerts() {
    let app = spawn_app_with(|s| s.alert_interval_seconds = 1).await;
    let admin = app.admin_session().await;
    experiment(&app, &admin, 800, 0.10, 0.40).await;
    let metric = conversion_metric(&app, &admin).await;
    let policy = create_policy(
        &app,
        &admin,
        json!({ "metric_id": metric, "flag": "checkout", "threshold": 0.05, "min_users": 50 }),
    )
    .await;
    let mut fired = Vec::new();
    for _ in 0..300 {
        fired = alerts(&app, &admin, "status=firing").await;
        if !fired.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(fired.len(), 1, "the schedule fired the alert within 30 s");

    let path = format!("{POLICIES}/{}", policy["id"]);
    let disabled = patch(&admin, &app, &path, &json!({ "enabled": false })).await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert!(alerts(&app, &admin, "status=firing").await.is_empty());
    assert_eq!(alerts(&app, &admin, "status=resolved").await.len(), 1);
    let refused = admin
        .post(&app, &format!("{path}/evaluate"), &json!({}))
        .await;
    assert_eq!(error_code(refused, StatusCode::CONFLICT).await, "conflict");
}
