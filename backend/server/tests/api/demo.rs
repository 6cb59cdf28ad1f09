//! `imprint serve --demo`: the demo environment and its traffic simulator, which posts through
//! the public ingestion API and stops (and starts again) when an admin says so.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

const DEADLINE: Duration = Duration::from_secs(60);

async fn count(app: &TestApp, admin: &Session, what: &str) -> i64 {
    let body: Value = admin
        .get(app, &format!("/api/v1/environments/demo/{what}/count"))
        .await
        .json()
        .await
        .unwrap();
    body["count"].as_i64().unwrap()
}

/// Polls until the count of `what` passes `above`, or fails at the deadline.
async fn wait_for_more(app: &TestApp, admin: &Session, what: &str, above: i64) -> i64 {
    let start = Instant::now();
    loop {
        let n = count(app, admin, what).await;
        if n > above {
            return n;
        }
        assert!(start.elapsed() < DEADLINE, "no {what} past {above} arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn switch(app: &TestApp, admin: &Session, to: &str) -> Value {
    let response = admin
        .post(app, &format!("/api/v1/demo/{to}"), &Value::Null)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn live_keys(app: &TestApp, admin: &Session) -> usize {
    let env: Value = admin
        .get(app, "/api/v1/environments/demo")
        .await
        .json()
        .await
        .unwrap();
    env["sdk_keys"].as_array().unwrap().len()
}

#[actix_web::test]
async fn demo_traffic_arrives_through_the_public_api_and_stops_and_starts_when_an_admin_says_so() {
    let app = spawn_app_with(|s| {
        s.demo.demo = true;
        s.demo.demo_visits_per_second = 40.0;
    })
    .await;
    let admin = app.admin_session().await;

    let flags: Value = admin
        .get(&app, "/api/v1/environments/demo/definitions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(flags.as_array().unwrap().len(), 3, "{flags}");
    let segments = admin
        .get(&app, "/api/v1/environments/demo/segments")
        .await
        .text()
        .await
        .unwrap();
    assert!(segments.contains("beta_testers"), "{segments}");

    wait_for_more(&app, &admin, "impressions", 0).await;
    wait_for_more(&app, &admin, "events", 0).await;
    let status: Value = admin.get(&app, "/api/v1/demo").await.json().await.unwrap();
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(status["environment"], "demo");
    let sample = app.exported("demo", "&flag=new_checkout").await;
    assert_eq!(sample[0]["sdk"], "imprint-demo-1.0");
    assert!(["on", "off"].contains(&sample[0]["treatment"].as_str().unwrap()));
    // Two keys came with the environment; the simulator holds a third while it runs.
    assert_eq!(live_keys(&app, &admin).await, 3);

    let stopped = switch(&app, &admin, "stop").await;
    assert_eq!(stopped["running"], false, "{stopped}");
    // Once the stop is answered the simulator has ended and its key is revoked, so nothing
    // more can arrive: the counts after a few of its ticks are those right after the stop.
    assert_eq!(live_keys(&app, &admin).await, 2);
    let impressions = count(&app, &admin, "impressions").await;
    let events = count(&app, &admin, "events").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(count(&app, &admin, "impressions").await, impressions);
    assert_eq!(count(&app, &admin, "events").await, events);

    let started = switch(&app, &admin, "start").await;
    assert_eq!(started["running"], true, "{started}");
    wait_for_more(&app, &admin, "impressions", impressions).await;
    switch(&app, &admin, "stop").await;
    let audit = admin.get(&app, "/api/v1/audit").await.text().await.unwrap();
    assert!(
        audit.contains("demo.stop") && audit.contains("demo.start"),
        "{audit}"
    );
}

#[actix_web::test]
async fn without_demo_there_is_no_demo_environment_and_nothing_to_start() {
    let app = spawn_app().await;
    let admin = app.admin_session().await;
    let status: Value = admin.get(&app, "/api/v1/demo").await.json().await.unwrap();
    assert_eq!(status["available"], false, "{status}");
    assert_eq!(status["running"], false, "{status}");
    let response = admin.post(&app, "/api/v1/demo/start", &Value::Null).await;
    assert_eq!(error_code(response, StatusCode::CONFLICT).await, "conflict");
    let envs: Value = admin
        .get(&app, "/api/v1/environments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(envs, serde_json::json!([]));
}

async fn json(app: &TestApp, admin: &Session, path: &str) -> Value {
    let response = admin.get(app, path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// `new_checkout`'s impact on the metric, computed now.
async fn checkout_impact(app: &TestApp, admin: &Session, metric: &Value) -> Value {
    let path = format!(
        "/api/v1/environments/demo/flags/new_checkout/impact?metric={}&refresh=true",
        metric["id"]
    );
    json(app, admin, &path).await
}

fn treatment<'a>(impact: &'a Value, name: &str) -> &'a Value {
    impact["treatments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["treatment"] == name)
        .unwrap_or_else(|| panic!("no `{name}` in {impact}"))
}

fn users(impact: &Value, name: &str) -> u64 {
    treatment(impact, name)["users"].as_u64().unwrap()
}

#[actix_web::test]
async fn the_demo_creates_its_metrics_once_and_new_checkout_visibly_raises_checkout_conversion() {
    let (url, data_dir) = fresh_database().await;
    // Ten times the default rate, so the experiment gathers a minute's worth of users in
    // seconds.
    let app = spawn_app_on(url.clone(), data_dir, |s| {
        s.demo.demo = true;
        s.demo.demo_visits_per_second = 250.0;
    })
    .await;
    let admin = app.admin_session().await;
    let metrics = json(&app, &admin, "/api/v1/environments/demo/metrics").await;
    let names: Vec<&str> = metrics
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Checkout conversion", "Page load time", "Revenue per user"]
    );
    let conversion = &metrics[0];
    assert_eq!(conversion["event_type"], "checkout");
    assert_eq!(conversion["aggregation"], "conversion");
    assert_eq!(metrics[1]["direction"], "decrease");

    // Compared only once each treatment has 1,000 users: by then `on` (16% of visits check
    // out) trails `off` (10%) by chance about once in 30,000 runs.
    let start = Instant::now();
    let impact = loop {
        let impact = checkout_impact(&app, &admin, conversion).await;
        if impact["treatments"].as_array().unwrap().len() == 2
            && users(&impact, "on").min(users(&impact, "off")) >= 1_000
        {
            break impact;
        }
        assert!(start.elapsed() < DEADLINE, "too few users: {impact}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let mean = |t: &str| treatment(&impact, t)["mean"].as_f64().unwrap();
    assert!(mean("on") > mean("off"), "{impact}");
    assert_eq!(impact["baseline"], "off");
    let comparison = &impact["comparisons"][0];
    assert_eq!(comparison["treatment"], "on", "{impact}");
    assert!(comparison["lift"].as_f64().unwrap() > 0.0, "{impact}");
    // More users can only make so large an effect clearer: it becomes significant and better.
    let significant = loop {
        let impact = checkout_impact(&app, &admin, conversion).await;
        if impact["comparisons"][0]["significant"] == true {
            break impact;
        }
        assert!(
            start.elapsed() < DEADLINE * 2,
            "never significant: {impact}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(
        significant["comparisons"][0]["better"], true,
        "{significant}"
    );
    // Every metric has data in both treatments.
    for metric in metrics.as_array().unwrap() {
        let impact = checkout_impact(&app, &admin, metric).await;
        assert!(
            users(&impact, "on") > 0 && users(&impact, "off") > 0,
            "{impact}"
        );
    }

    // The demo's alert policy watches the page load time on new_checkout, whose pages load 20%
    // slower: evaluated now, it fires (and keeps firing once it has, without a second alert).
    let policies = json(&app, &admin, "/api/v1/environments/demo/alert-policies").await;
    assert_eq!(policies.as_array().unwrap().len(), 1, "{policies}");
    assert_eq!(policies[0]["metric"], "Page load time");
    assert_eq!(policies[0]["flag"], "new_checkout");
    let evaluate = format!(
        "/api/v1/environments/demo/alert-policies/{}/evaluate",
        policies[0]["id"]
    );
    let fired = loop {
        let response = admin.post(&app, &evaluate, &serde_json::json!({})).await;
        let firing: Value = response.json().await.unwrap();
        if !firing.as_array().unwrap().is_empty() {
            break firing;
        }
        assert!(start.elapsed() < DEADLINE * 2, "the demo alert never fired");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(fired[0]["treatment"], "on", "{fired}");
    let summary = fired[0]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Page load time is ") && summary.contains("% higher with `on`"),
        "{summary}"
    );

    // A restart on the same database finds the demo environment and adds nothing to it. The
    // first server's traffic stops first, and the second's is too slow to send anything.
    switch(&app, &admin, "stop").await;
    let again = spawn_app_on(url, None, |s| {
        s.demo.demo = true;
        s.demo.demo_visits_per_second = 0.1;
    })
    .await;
    let admin = again.admin_session().await;
    let metrics_again = json(&again, &admin, "/api/v1/environments/demo/metrics").await;
    assert_eq!(metrics_again, metrics);
    let policies_again = json(&again, &admin, "/api/v1/environments/demo/alert-policies").await;
    assert_eq!(policies_again, policies);
    let flags = json(&again, &admin, "/api/v1/environments/demo/definitions").await;
    assert_eq!(flags.as_array().unwrap().len(), 3, "{flags}");
    let created = json(&again, &admin, "/api/v1/audit?action=metric.create").await;
    let created = created.as_array().unwrap();
    assert_eq!(created.len(), 3, "{created:?}");
    assert!(
        created.iter().all(|entry| entry["actor"] == "demo"),
        "{created:?}"
    );
    switch(&again, &admin, "stop").await;
}
