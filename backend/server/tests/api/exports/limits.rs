//! Export jobs are limited per user: past `IMPRINT_EXPORT_JOBS_PER_USER` queued or running
//! jobs, a new one is refused with 429 naming the limit; other users are not affected.

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
