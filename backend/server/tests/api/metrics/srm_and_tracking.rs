//! The sample-ratio check, the baseline, tracking turned off, the cache, and bad requests.

use imprint_domain::stats::sample_ratio_mismatch;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::{create_metric, define_checkout, impact, now_ms, patch, post_all, put, FLAG, METRICS};
use crate::helpers::*;

fn count_metric() -> Value {
    json!({ "name": "Purchases", "event_type": "purchase", "aggregation": "count", "direction": "increase" })
}

async fn expose(app: &TestApp, key: &str, on: usize, off: usize, at: i64) {
    let items: Vec<Value> = (0..on + off)
        .map(|n| {
            let treatment = if n < on { "on" } else { "off" };
            json!({ "flag": "checkout", "key": format!("u{n}"), "treatment": treatment, "timestamp": at })
        })
        .collect();
    post_all(app, key, "/api/v1/impressions", &items).await;
}

#[actix_web::test]
async fn a_split_far_from_the_definition_fires_the_sample_ratio_check() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    define_checkout(&app, &admin, 50).await;
    expose(&app, &env.server_key, 300, 200, now_ms() - 1_000).await;
    let id = create_metric(&app, &admin, count_metric()).await;

    let view = impact(&app, &admin, &format!("metric={id}")).await;
    let expected = sample_ratio_mismatch(&[300, 200], &[0.5, 0.5]).unwrap();
    assert!(expected.mismatch);
    let srm = &view["srm"];
    assert_eq!(srm["mismatch"], true, "{srm}");
    let p_value = srm["p_value"].as_f64().unwrap();
    assert!(
        (p_value - expected.p_value).abs() <= 1e-9 * expected.p_value,
        "{p_value}"
    );
    assert_eq!(
        srm["expected"],
        json!([{ "treatment": "on", "share": 0.5 }, { "treatment": "off", "share": 0.5 }])
    );

    // The same users against a 60/40 split are what was expected.
    define_checkout(&app, &admin, 60).await;
    let view = impact(&app, &admin, &format!("metric={id}")).await;
    let fair = sample_ratio_mismatch(&[300, 200], &[0.6, 0.4]).unwrap();
    assert_eq!(view["srm"]["mismatch"], false);
    assert!((view["srm"]["p_value"].as_f64().unwrap() - fair.p_value).abs() < 1e-9);
}

#[actix_web::test]
async fn the_baseline_defaults_to_the_default_treatment_and_can_be_chosen() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    define_checkout(&app, &admin, 50).await;
    expose(&app, &env.server_key, 5, 5, now_ms() - 1_000).await;
    let id = create_metric(&app, &admin, count_metric()).await;

    let view = impact(&app, &admin, &format!("metric={id}")).await;
    assert_eq!(view["baseline"], "off");
    assert_eq!(view["comparisons"][0]["treatment"], "on");
    let view = impact(&app, &admin, &format!("metric={id}&baseline=on")).await;
    assert_eq!(view["baseline"], "on");
    assert_eq!(view["comparisons"][0]["treatment"], "off");
    assert_eq!(view["comparisons"].as_array().unwrap().len(), 1);

    let unknown = admin
        .get(&app, &format!("{FLAG}/impact?metric={id}&baseline=maybe"))
        .await;
    assert_eq!(
        error_code(unknown, StatusCode::BAD_REQUEST).await,
        "invalid_baseline"
    );
}

#[actix_web::test]
async fn with_tracking_off_for_the_whole_window_the_impact_says_nothing_was_tracked() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    define_checkout(&app, &admin, 50).await;
    let id = create_metric(&app, &admin, count_metric()).await;
    let before = now_ms() - 1;
    let off = put(
        &admin,
        &app,
        &format!("{FLAG}/tracking"),
        &json!({ "enabled": false }),
    )
    .await;
    assert_eq!(off.status(), StatusCode::OK);
    let from = now_ms();
    let items = [json!({ "flag": "checkout", "key": "u1", "treatment": "on", "timestamp": from })];
    let response = app
        .sdk_post(
            "/api/v1/impressions",
            &env.server_key,
            &[],
            "application/json",
            json!(items).to_string(),
        )
        .await;
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["dropped_tracking_off"], 1);

    let view = impact(&app, &admin, &format!("metric={id}&from={from}")).await;
    assert_eq!(view["tracked"], false);
    assert!(view["treatments"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["users"] == 0));
    // A window that starts while tracking was still on was tracked, even if empty.
    let view = impact(&app, &admin, &format!("metric={id}&from={before}")).await;
    assert_eq!(view["tracked"], true);
}

#[actix_web::test]
async fn results_are_cached_until_refreshed_or_until_the_metric_changes() {
    let app = spawn_app_with(|s| s.impact_refresh_seconds = 3600).await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    let t = now_ms() - 10_000;
    expose(&app, &env.server_key, 2, 2, t).await;
    let id = create_metric(&app, &admin, count_metric()).await;
    let buy = |key: &str| json!({ "event_type": "purchase", "key": key, "timestamp": t + 1 });
    post_all(&app, &env.server_key, "/api/v1/events", &[buy("u0")]).await;

    let query = format!("metric={id}&from={}&to={}", t - 1, t + 5_000);
    let first = impact(&app, &admin, &query).await;
    assert_eq!(first["treatments"][1]["treatment"], "on");
    assert_eq!(first["treatments"][1]["mean"], 0.5);
    post_all(&app, &env.server_key, "/api/v1/events", &[buy("u1")]).await;
    let cached = impact(&app, &admin, &query).await;
    assert_eq!(cached, first, "served from the cache");
    let fresh = impact(&app, &admin, &format!("{query}&refresh=true")).await;
    assert_eq!(fresh["treatments"][1]["mean"], 1.0);

    post_all(&app, &env.server_key, "/api/v1/events", &[buy("u2")]).await;
    let renamed = patch(
        &admin,
        &app,
        &format!("{METRICS}/{id}"),
        &json!({ "name": "Orders" }),
    )
    .await;
    assert_eq!(renamed.status(), StatusCode::OK);
    let after = impact(&app, &admin, &query).await;
    assert_eq!(
        after["metric"]["name"], "Orders",
        "a changed metric is computed again"
    );
    assert_eq!(after["treatments"][0]["mean"], 0.5);
}

#[actix_web::test]
async fn bad_impact_requests_get_the_json_error() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let admin = app.admin_session().await;
    expose(&app, &env.server_key, 1, 1, now_ms() - 1_000).await;
    let id = create_metric(&app, &admin, count_metric()).await;
    for (query, status, code) in [
        ("".to_owned(), StatusCode::BAD_REQUEST, "invalid_query"),
        (
            "metric=abc".to_owned(),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("metric={id}&from=yesterday"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("metric={id}&from=2000&to=1000"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            format!("metric={id}&flavour=x"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "metric=999999".to_owned(),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let response = admin.get(&app, &format!("{FLAG}/impact?{query}")).await;
        assert_eq!(error_code(response, status).await, code, "{query}");
    }
    let unknown_flag = admin
        .get(
            &app,
            &format!("/api/v1/environments/production/flags/nope/impact?metric={id}"),
        )
        .await;
    assert_eq!(
        error_code(unknown_flag, StatusCode::NOT_FOUND).await,
        "not_found"
    );
    let anonymous = reqwest::get(app.url(&format!("{FLAG}/impact?metric={id}")))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
