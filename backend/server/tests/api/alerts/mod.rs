//! Alert policies and alerts: CRUD with validation and roles, a treatment that is clearly
//! worse firing an alert (audited, delivered to a signed webhook) that resolves when the
//! condition clears, and the schedule evaluating policies on its own.

mod firing;
mod policies;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::metrics::{create_metric, define_checkout, now_ms, post_all};

pub const POLICIES: &str = "/api/v1/environments/production/alert-policies";
pub const ALERTS: &str = "/api/v1/environments/production/alerts";

/// A conversion metric on `purchase`, higher is better.
pub async fn conversion_metric(app: &TestApp, admin: &Session) -> i64 {
    let body = json!({ "name": "Checkout conversion", "event_type": "purchase",
        "aggregation": "conversion", "direction": "increase" });
    create_metric(app, admin, body).await
}

/// `checkout` split 50/50 over `users` users; `off` converts `off_rate`, `on` `on_rate`.
pub async fn experiment(app: &TestApp, admin: &Session, users: usize, on_rate: f64, off_rate: f64) {
    let env = app.environment("production").await;
    define_checkout(app, admin, 50).await;
    let at = now_ms() - 60_000;
    let mut impressions = Vec::new();
    let mut events = Vec::new();
    for n in 0..users {
        let (treatment, rate) = if n % 2 == 0 {
            ("on", on_rate)
        } else {
            ("off", off_rate)
        };
        let key = format!("user-{n}");
        impressions.push(
            json!({ "flag": "checkout", "key": key, "treatment": treatment, "timestamp": at }),
        );
        // The n-th user of a treatment converts when its rank falls under the rate: exact shares.
        let rank = (n / 2) as f64 / (users / 2) as f64;
        if rank < rate {
            events.push(json!({ "event_type": "purchase", "key": key, "timestamp": at + 1_000 }));
        }
    }
    post_all(app, &env.server_key, "/api/v1/impressions", &impressions).await;
    post_all(app, &env.server_key, "/api/v1/events", &events).await;
}

pub async fn create_policy(app: &TestApp, session: &Session, body: Value) -> Value {
    let response = session.post(app, POLICIES, &body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

pub async fn alerts(app: &TestApp, session: &Session, query: &str) -> Vec<Value> {
    let response = session.get(app, &format!("{ALERTS}?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

pub async fn evaluate(app: &TestApp, session: &Session, policy: i64) -> Vec<Value> {
    let response = session
        .post(app, &format!("{POLICIES}/{policy}/evaluate"), &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}
