//! Export limits: past `IMPRINT_EXPORT_JOBS_PER_USER` queued or running jobs a new one is
//! refused with 429 naming the limit (other users are not affected); a job past its runtime
//! fails; a streamed export whose reader stops reading is ended rather than keep its threads.

use imprint_store::export_jobs::NewExportJob;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[actix_web::test]
async fn export_jobs_past_the_per_user_quota_are_refused_with_429() {
    let app = spawn_app_with(|s| s.accounts.export_jobs_per_user = 1).await;
    app.environment("production").await;
    let viewer = app.user_with_role("viewer").await;
    let me: Value = viewer.get(&app, "/api/v1/me").await.json().await.unwrap();
    let env = app
        .db
        .find_environment_by_name("production")
        .await
        .unwrap()
        .unwrap();
    // A job of the viewer's still waiting in the queue (stored directly, so that it cannot
    // finish before the next request).
    app.db
        .create_export_job(NewExportJob {
            environment_id: env.id,
            kind: "impressions",
            criteria: "{}".into(),
            format: "ndjson",
            gzip: false,
            created_by: me["id"].as_i64(),
        })
        .await
        .unwrap();

    let jobs = "/api/v1/environments/production/exports";
    let refused = viewer.post(&app, jobs, &json!({})).await;
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "too_many_requests");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("IMPRINT_EXPORT_JOBS_PER_USER"),
        "{body}"
    );

    let admin = app.admin_session().await;
    let accepted = admin.post(&app, jobs, &json!({})).await;
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
}

#[actix_web::test]
async fn an_export_job_past_its_runtime_limit_fails_naming_the_limit() {
    // No time at all: the job cannot finish its first step.
    let app = spawn_app_with(|s| s.accounts.export_job_timeout_seconds = 0).await;
    app.environment("production").await;
    let admin = app.admin_session().await;
    let jobs = "/api/v1/environments/production/exports";
    let created: Value = admin
        .post(&app, jobs, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let mut job = Value::Null;
    for _ in 0..300 {
        job = admin
            .get(&app, &format!("{jobs}/{id}"))
            .await
            .json()
            .await
            .unwrap();
        if job["status"] == "failed" || job["status"] == "done" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(job["status"], "failed", "{job}");
    assert!(
        job["error"]
            .as_str()
            .unwrap()
            .contains("IMPRINT_EXPORT_JOB_TIMEOUT_SECONDS"),
        "{job}"
    );
    // The quota counts only unfinished jobs: a failed one leaves room for the next.
    let next = admin.post(&app, jobs, &json!({})).await;
    assert_eq!(next.status(), StatusCode::ACCEPTED);
}

#[actix_web::test]
async fn a_streamed_export_whose_reader_stops_reading_is_ended() {
    let app = spawn_app_with(|s| s.accounts.stream_stall_timeout_seconds = 1).await;
    let env = app.environment("production").await;
    // Far more than the socket buffers between server and client can hold.
    let filler = "x".repeat(200);
    let t = super::now();
    let total = 30_000;
    for batch in 0..total / 5_000 {
        let items: Vec<Value> = (0..5_000)
            .map(|i| {
                json!({ "flag": "big", "key": format!("k{batch}-{i}"), "treatment": "on",
                        "timestamp": t - 60_000,
                        "properties": { "a": filler, "b": filler, "c": filler, "d": filler } })
            })
            .collect();
        super::ingest(&app, &env.server_key, "/api/v1/impressions", &json!(items)).await;
    }

    let admin = app.admin_session().await;
    let response = admin.get(&app, super::EXPORT).await;
    assert_eq!(response.status(), StatusCode::OK);
    // The reader takes nothing for longer than the stall limit...
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    // ...so the server stopped sending: what arrives is cut short, not the whole export.
    let received = match response.bytes().await {
        Ok(bytes) => bytes.iter().filter(|b| **b == b'\n').count(),
        Err(_) => 0,
    };
    assert!(received < total, "{received} of {total} rows arrived");

    // A reader that keeps reading gets everything.
    let rows = app.exported("production", "").await;
    assert_eq!(rows.len(), total);
}
