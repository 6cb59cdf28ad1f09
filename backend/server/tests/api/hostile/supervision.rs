//! When ingestion cannot commit (here: another connection holds the lock the writer needs),
//! its requests get 503 with `Retry-After` and a JSON error, `/readyz` says 503, and both
//! recover by themselves once the database is free again.

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use crate::helpers::*;

/// Polls `/readyz` (at most 10 s) until it answers `wanted`.
async fn ready_becomes<F, Fut>(ready: &F, wanted: StatusCode) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = StatusCode>,
{
    for _ in 0..100 {
        if ready().await == wanted {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[actix_web::test]
async fn a_blocked_writer_answers_503_and_readyz_follows_it() {
    let app = spawn_app_with(|s| s.writer_timeout_seconds = 1).await;
    let env = app.environment("production").await;
    let post = || {
        let m = chrono::Utc::now().timestamp_millis();
        app.sdk_post(
            "/api/testImpressions/bulk",
            &env.server_key,
            &[],
            "application/json",
            json!([{ "f": "checkout", "i": [{ "k": "u", "t": "on", "m": m }] }]).to_string(),
        )
    };
    assert_eq!(post().await.status(), StatusCode::OK);
    let ready = || async { reqwest::get(app.url("/readyz")).await.unwrap().status() };
    assert_eq!(ready().await, StatusCode::OK);

    let lock = app.db.conn.begin().await.unwrap();
    let statement = match app.db.backend {
        imprint_store::Backend::Postgres => "LOCK TABLE impressions IN ACCESS EXCLUSIVE MODE",
        // A write takes SQLite's one write lock until the transaction ends.
        imprint_store::Backend::Sqlite => "INSERT INTO strings (value) VALUES ('lock holder')",
    };
    lock.execute_unprepared(statement).await.unwrap();

    let response = post().await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unavailable");
    assert!(
        ready_becomes(&ready, StatusCode::SERVICE_UNAVAILABLE).await,
        "/readyz is 503 while the writer cannot commit"
    );

    lock.rollback().await.unwrap();
    assert!(
        ready_becomes(&ready, StatusCode::OK).await,
        "/readyz turns 200 again once the lock is gone"
    );
    assert_eq!(post().await.status(), StatusCode::OK);
}

/// Cuts the database off from under the server for a moment: on PostgreSQL every other
/// connection to the database is terminated; on SQLite another connection holds the write
/// lock for longer than requests wait.
async fn disrupt(app: &TestApp) {
    match app.db.backend {
        imprint_store::Backend::Postgres => {
            let _ = app
                .db
                .conn
                .execute_unprepared(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid()",
                )
                .await;
        }
        imprint_store::Backend::Sqlite => {
            let lock = app.db.conn.begin().await.unwrap();
            lock.execute_unprepared("INSERT INTO strings (value) VALUES ('disruption')")
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(1500)).await;
            lock.rollback().await.unwrap();
        }
    }
}

#[actix_web::test]
async fn database_trouble_is_503_never_500_and_what_was_acknowledged_is_stored() {
    let app = spawn_app_with(|s| s.writer_timeout_seconds = 1).await;
    let env = app.environment("production").await;
    let posters = (0..4).map(|poster| {
        let (app, key) = (&app, env.server_key.as_str());
        async move {
            let mut acknowledged = Vec::new();
            for round in 0..40 {
                let k = format!("p{poster}-r{round}");
                let m = chrono::Utc::now().timestamp_millis();
                let body =
                    json!([{ "f": format!("flag-{round}"), "i": [{ "k": k, "t": "on", "m": m }] }]);
                let response = app
                    .sdk_post(
                        "/api/testImpressions/bulk",
                        key,
                        &[],
                        "application/json",
                        body.to_string(),
                    )
                    .await;
                match response.status() {
                    StatusCode::OK => acknowledged.push(k),
                    StatusCode::SERVICE_UNAVAILABLE => {
                        assert!(response.headers().contains_key("retry-after"));
                        let body: serde_json::Value = response.json().await.unwrap();
                        assert_eq!(body["code"], "unavailable", "{body}");
                    }
                    other => panic!("{other}: {}", response.text().await.unwrap()),
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            acknowledged
        }
    });
    let disruptions = async {
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            disrupt(&app).await;
        }
    };
    let (acknowledged, ()) = futures::join!(futures::future::join_all(posters), disruptions);
    let acknowledged: Vec<String> = acknowledged.into_iter().flatten().collect();

    let ready = || async { reqwest::get(app.url("/readyz")).await.unwrap().status() };
    assert!(ready_becomes(&ready, StatusCode::OK).await);
    let stored = app.exported("production", "").await;
    let stored: std::collections::HashSet<&str> =
        stored.iter().map(|r| r["key"].as_str().unwrap()).collect();
    for key in &acknowledged {
        assert!(
            stored.contains(key.as_str()),
            "{key} was acknowledged but not stored"
        );
    }
}
