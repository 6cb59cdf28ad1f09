//! The usage panel's figures, volume estimate included.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[actix_web::test]
async fn the_volume_estimate_is_monthly_keys_times_active_flags_times_impressions_per_key_per_flag()
{
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let t = chrono::Utc::now().timestamp_millis();
    let imp = |flag: &str, key: &str| json!({"flag": flag, "key": key, "treatment": "on", "timestamp": t});
    // Three keys, two flags; three of the six (key, flag) pairs occur, six impressions.
    let batch = json!([
        imp("f1", "a"),
        imp("f1", "a"),
        imp("f1", "a"),
        imp("f1", "b"),
        imp("f2", "a"),
        imp("f2", "a"),
    ]);
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            batch.to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    // A key an SDK only reported (`keys/ss`) counts toward M, not toward the pairs.
    let keys_only = json!({"keys": [{"f": "f1", "ks": ["c"]}]});
    let response = app
        .sdk_post(
            "/api/v1/keys/ss",
            &env.server_key,
            &[],
            "application/json",
            keys_only.to_string(),
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());

    let usage = app.usage("production").await;
    let volume = &usage["volume"];
    assert_eq!(volume["monthly_keys"], 3, "{usage}");
    assert_eq!(volume["active_flags"], 2, "{usage}");
    assert_eq!(volume["impressions_per_key_per_flag"], 2.0, "{usage}");
    assert_eq!(volume["estimate"], 12.0, "{usage}");
    assert_eq!(volume["actual"], 6, "{usage}");
    let elapsed = volume["month_elapsed"].as_f64().unwrap();
    assert!(elapsed > 0.0 && elapsed <= 1.0, "{usage}");
    let projected = volume["projected"].as_i64().unwrap();
    assert_eq!(projected, (6.0 / elapsed).round() as i64, "{usage}");
}

#[actix_web::test]
async fn an_environment_without_impressions_estimates_nothing() {
    let app = spawn_app().await;
    app.environment("production").await;
    let usage: Value = app.usage("production").await;
    assert_eq!(usage["volume"]["estimate"], 0.0, "{usage}");
    assert_eq!(usage["volume"]["actual"], 0, "{usage}");
    assert_eq!(usage["volume"]["projected"], 0, "{usage}");
}
