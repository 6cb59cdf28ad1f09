//! Export jobs: from creation to download, listing, expiry, and resuming after a restart.

use std::path::Path;
use std::time::Duration;

use imprint_server::startup::Application;
use imprint_store::export_jobs::{Checkpoint, ExportJobRow};
use imprint_store::impressions::{ImpressionQuery, ImpressionScan, ScanRange};
use imprint_store::Database;
use parquet::file::reader::{FileReader, SerializedFileReader};
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::helpers::*;

async fn wait_for_job(app: &TestApp, session: &Session, id: i64, done: &[&str]) -> Value {
    for _ in 0..300 {
        let job: Value = session
            .get(
                app,
                &format!("/api/v1/environments/production/exports/{id}"),
            )
            .await
            .json()
            .await
            .unwrap();
        if done.contains(&job["status"].as_str().unwrap()) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("export job {id} did not finish");
}

#[actix_web::test]
async fn an_export_job_runs_to_a_downloadable_file_and_is_listed() {
    let (app, exports) = app_with_samples(7).await;
    let viewer = app.user_with_role("viewer").await;
    let jobs = "/api/v1/environments/production/exports";
    let body = json!({ "kind": "impressions", "format": "csv", "gzip": true,
                       "criteria": { "flag": ["checkout"], "properties": { "plan": "free" } } });
    let created = viewer.post(&app, jobs, &body).await;
    assert_eq!(created.status(), StatusCode::ACCEPTED);
    let created: Value = created.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["criteria"]["flag"], json!(["checkout"]));

    let job = wait_for_job(&app, &viewer, id, &["done", "failed"]).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["rows_written"], 5);
    assert_eq!(job["percent"], 100.0);
    assert!(job["expires_at"].is_string());
    let download = job["download"].as_str().unwrap();
    let (content_type, file) = get_bytes(&app, &viewer, download).await;
    assert_eq!(content_type, "application/gzip");
    assert_eq!(file.len() as i64, job["bytes"].as_i64().unwrap());
    let streamed = get_bytes(
        &app,
        &viewer,
        &format!("{EXPORT}?format=csv&flag=checkout&property.plan=free"),
    )
    .await
    .1;
    assert_eq!(gunzip(&file), streamed);
    assert!(exports.path().join(format!("export-{id}.csv.gz")).exists());

    let second = viewer
        .post(
            &app,
            jobs,
            &json!({ "kind": "events", "format": "parquet" }),
        )
        .await;
    let second: Value = second.json().await.unwrap();
    wait_for_job(&app, &viewer, second["id"].as_i64().unwrap(), &["done"]).await;
    let listed: Vec<Value> = viewer.get(&app, jobs).await.json().await.unwrap();
    let ids: Vec<i64> = listed.iter().map(|j| j["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [second["id"].as_i64().unwrap(), id], "newest first");
    assert!(listed.iter().all(|j| j["status"] == "done"));

    let bad = viewer
        .post(
            &app,
            jobs,
            &json!({ "kind": "events", "criteria": { "flag": ["x"] } }),
        )
        .await;
    assert_eq!(
        error_code(bad, StatusCode::BAD_REQUEST).await,
        "invalid_criteria"
    );
    let unknown = viewer.get(&app, &format!("{jobs}/999999/download")).await;
    assert_eq!(
        error_code(unknown, StatusCode::NOT_FOUND).await,
        "not_found"
    );
}

#[actix_web::test]
async fn finished_jobs_expire_and_their_files_are_deleted() {
    let (app, exports) = app_with_samples(0).await;
    let admin = app.admin_session().await;
    let created: Value = admin
        .post(
            &app,
            "/api/v1/environments/production/exports",
            &json!({ "format": "ndjson" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    let job = wait_for_job(&app, &admin, id, &["expired", "failed"]).await;
    assert_eq!(job["status"], "expired");
    assert!(job["download"].is_null());
    let download = admin
        .get(
            &app,
            &format!("/api/v1/environments/production/exports/{id}/download"),
        )
        .await;
    assert_eq!(
        error_code(download, StatusCode::NOT_FOUND).await,
        "not_found"
    );
    let file = exports.path().join(format!("export-{id}.ndjson"));
    for _ in 0..100 {
        if !file.exists() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the expired file {} is still there", file.display());
}

/// A server on a given database, as a restarted process would be, with an admin client.
struct Server {
    base: String,
    db: Database,
    client: reqwest::Client,
    csrf: String,
}

async fn start_on(database_url: &str, exports: &Path) -> Server {
    let mut settings = test_settings(database_url.to_owned());
    settings.export_dir = exports.to_owned();
    let app = Application::build(settings, false).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let db = app.database().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let csrf = login["csrf_token"].as_str().unwrap().to_owned();
    Server {
        base,
        db,
        client,
        csrf,
    }
}

impl Server {
    async fn post(&self, path: &str, body: Value) -> Value {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("X-CSRF-Token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}");
        response.json().await.unwrap()
    }

    async fn wait_done(&self, environment_id: i64, id: i64) -> ExportJobRow {
        for _ in 0..300 {
            let job = self
                .db
                .export_job(environment_id, id)
                .await
                .unwrap()
                .unwrap();
            if job.status == "done" {
                return job;
            }
            assert_ne!(job.status, "failed", "{job:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("export job {id} did not finish");
    }

    /// Makes a finished job look like one a killed process left: running, with a checkpoint.
    async fn interrupt(&self, job: &ExportJobRow, at: Checkpoint) {
        let range = ScanRange {
            after: job.first_id.unwrap(),
            until: job.until_id.unwrap(),
        };
        let path = job.file_path.as_deref().unwrap();
        self.db.start_export_job(job.id, path, range).await.unwrap();
        self.db.checkpoint_export_job(job.id, at).await.unwrap();
    }
}

#[actix_web::test]
async fn interrupted_jobs_resume_from_their_checkpoint_after_a_restart() {
    imprint_server::telemetry::init_with_default("error");
    let (url, _db_dir) = fresh_database().await;
    let exports = tempfile::tempdir().unwrap();
    let first = start_on(&url, exports.path()).await;
    let env = first
        .post(
            "/api/v1/environments",
            json!({ "name": "production", "retention_days": 3650 }),
        )
        .await;
    let key = env["sdk_keys"][0]["key"].as_str().unwrap();
    let items: Vec<Value> = (0..30)
        .map(|i| json!({ "flag": "checkout", "key": format!("k{i:02}"), "treatment": "on", "timestamp": now() - 1_000 + i }))
        .collect();
    let ingested = reqwest::Client::new()
        .post(format!("{}/api/v1/impressions", first.base))
        .bearer_auth(key)
        .json(&items)
        .send()
        .await
        .unwrap();
    assert_eq!(ingested.status(), StatusCode::ACCEPTED);

    // Two jobs run to the end; the NDJSON file is the reference.
    let jobs = "/api/v1/environments/production/exports";
    let text = first.post(jobs, json!({ "format": "ndjson" })).await["id"]
        .as_i64()
        .unwrap();
    let parquet = first.post(jobs, json!({ "format": "parquet" })).await["id"]
        .as_i64()
        .unwrap();
    let env_id = first
        .db
        .find_environment_by_name("production")
        .await
        .unwrap()
        .unwrap()
        .id;
    let text_job = first.wait_done(env_id, text).await;
    let parquet_job = first.wait_done(env_id, parquet).await;
    let text_path = text_job.file_path.clone().unwrap();
    let reference = std::fs::read(&text_path).unwrap();
    assert_eq!(
        ndjson(&reference).len(),
        30,
        "plain NDJSON, nothing after the rows"
    );
    // Let the first server's actor settle (it finds no more work) before the rows change.
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The text job was checkpointed after ten rows, then a torn line was written. The kept
    // prefix is marked, so that only a resumed job (not a restarted one) ends with it.
    let query = ImpressionQuery {
        environment_id: env_id,
        ..ImpressionQuery::default()
    };
    let mut scan = ImpressionScan::open(&first.db, &query).await.unwrap();
    let tenth = scan.next_page(10).await.unwrap().unwrap()[9].id;
    let kept = reference
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(9)
        .unwrap()
        .0
        + 1;
    let marked = String::from_utf8(reference[..kept].to_vec())
        .unwrap()
        .replace("\"k00\"", "\"K00\"");
    let mut torn = marked.clone().into_bytes();
    torn.extend_from_slice(b"{\"flag\":\"checkout\",\"key\":\"k1");
    std::fs::write(&text_path, &torn).unwrap();
    let at = Checkpoint {
        rows_written: 10,
        last_id: tenth,
        bytes: kept as i64,
    };
    first.interrupt(&text_job, at).await;
    // The Parquet job was cut short too; it must start over.
    let parquet_path = parquet_job.file_path.clone().unwrap();
    let partial = std::fs::read(&parquet_path).unwrap()[..100].to_vec();
    std::fs::write(&parquet_path, partial).unwrap();
    first
        .interrupt(&parquet_job, Checkpoint { bytes: 100, ..at })
        .await;

    let restarted = start_on(&url, exports.path()).await;
    let resumed = restarted.wait_done(env_id, text).await;
    assert_eq!(resumed.rows_written, 30);
    let mut expected = marked.into_bytes();
    expected.extend_from_slice(&reference[kept..]);
    assert_eq!(
        std::fs::read(&text_path).unwrap(),
        expected,
        "continued after the checkpoint"
    );
    assert_eq!(resumed.bytes, expected.len() as i64);

    let redone = restarted.wait_done(env_id, parquet).await;
    assert_eq!(redone.rows_written, 30);
    let file = std::fs::read(&parquet_path).unwrap();
    let reader = SerializedFileReader::new(actix_web::web::Bytes::from(file)).unwrap();
    assert_eq!(reader.metadata().file_metadata().num_rows(), 30);
}
