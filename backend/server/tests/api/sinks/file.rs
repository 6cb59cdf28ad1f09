//! The file sink: NDJSON files with the export's fields, named after their rows, written all
//! at once below the server's sink file root, and never anywhere else.

use std::io::Read;
use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::rows::post_event;
use super::*;
use crate::helpers::{error_code, spawn_app_with, TestApp};

/// A server whose file sinks write below a fresh folder (returned with it).
async fn spawn_with_file_root() -> (TestApp, tempfile::TempDir) {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().to_path_buf();
    let app = spawn_app_with(move |s| {
        s.sinks.sink_file_root = path;
        s.sinks.sink_retry_base_ms = 20;
        s.sinks.sink_retry_max_ms = 200;
    })
    .await;
    (app, root)
}

fn file_sink(config: Value) -> Value {
    json!({ "kind": "file", "name": "files", "config": config })
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn lines(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `{stream}-{first id:020}-{last id:020}.ndjson[.gz]` → (stream, first id, last id).
fn parse_name(name: &str) -> (String, i64, i64) {
    let stem = name
        .strip_suffix(".ndjson")
        .or_else(|| name.strip_suffix(".ndjson.gz"))
        .unwrap_or_else(|| panic!("{name} is not an NDJSON file"));
    let parts: Vec<&str> = stem.split('-').collect();
    assert_eq!(parts.len(), 3, "{name}");
    assert!(parts[1].len() == 20 && parts[2].len() == 20, "{name}");
    (
        parts[0].to_owned(),
        parts[1].parse().unwrap(),
        parts[2].parse().unwrap(),
    )
}

#[actix_web::test]
async fn batches_become_ndjson_files_named_after_their_rows_with_the_exports_fields() {
    let (app, root) = spawn_with_file_root().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let mut body = file_sink(json!({ "dir": "shipper/imprint", "max_rows": 3, "flush_ms": 50 }));
    body["events"] = json!(true);
    let id = create_sink(&app, &admin, body).await["id"]
        .as_i64()
        .unwrap();
    let dir: PathBuf = root.path().join("shipper/imprint");

    post_impressions(&app, &env, "checkout", &keys("user", 7)).await;
    post_event(
        &app,
        &env,
        json!({ "eventTypeId": "purchase", "trafficTypeName": "user", "key": "user-1",
                "value": 3.5, "timestamp": imprint_store::now_ms(), "properties": { "sku": "A1" } }),
    )
    .await;
    wait_for_sink(&app, &admin, id, "8 rows written", |s| s["delivered"] == 8).await;
    // Send test writes its sample where the shipper does not look.
    let test = format!("/api/v1/environments/{ENV}/sinks/{id}/test");
    let tested: Value = admin
        .post(&app, &test, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tested["ok"], true, "{tested}");
    let samples = names(&dir.join("_imprint_test"));
    assert_eq!(samples.len(), 1, "{samples:?}");
    let sample = lines(&std::fs::read(dir.join("_imprint_test").join(&samples[0])).unwrap());
    assert_eq!(sample[0]["flag"], "imprint_test_flag");

    let files: Vec<String> = names(&dir)
        .into_iter()
        .filter(|n| n != "_imprint_test")
        .collect();
    assert!(
        files.iter().all(|n| !n.starts_with('.')),
        "temporary files left: {files:?}"
    );
    let impression_files: Vec<&String> = files
        .iter()
        .filter(|n| n.starts_with("impressions-"))
        .collect();
    assert_eq!(impression_files.len(), 3, "{files:?}");
    let mut rows = Vec::new();
    let mut next_id = None;
    for name in &impression_files {
        let (_, first, last) = parse_name(name);
        let content = lines(&std::fs::read(dir.join(name)).unwrap());
        assert_eq!(content.len() as i64, last - first + 1, "{name}");
        assert!(content.len() <= 3);
        if let Some(expected) = next_id {
            assert_eq!(first, expected, "files cover the ids without gaps");
        }
        next_id = Some(last + 1);
        rows.extend(content);
    }
    // Exactly what an NDJSON export of the same impressions holds.
    assert_eq!(rows, app.exported(ENV, "").await);

    let event_files: Vec<&String> = files.iter().filter(|n| n.starts_with("events-")).collect();
    assert_eq!(event_files.len(), 1, "{files:?}");
    let (_, first, last) = parse_name(event_files[0]);
    assert_eq!(first, last);
    let events = lines(&std::fs::read(dir.join(event_files[0])).unwrap());
    assert_eq!(events[0]["event_type"], "purchase");
    assert_eq!(events[0]["value"], 3.5);
    assert_eq!(events[0]["properties"], json!({ "sku": "A1" }));
    assert_eq!(events[0]["environment"], ENV);
}

#[actix_web::test]
async fn gzipped_files_roll_by_time_and_hold_the_same_rows() {
    let (app, root) = spawn_with_file_root().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let body = file_sink(json!({ "dir": "gz", "gzip": true, "flush_ms": 100 }));
    let id = create_sink(&app, &admin, body).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "checkout", &keys("a", 2)).await;
    wait_for_sink(&app, &admin, id, "2 rows written", |s| s["delivered"] == 2).await;
    post_impressions(&app, &env, "checkout", &keys("b", 2)).await;
    wait_for_sink(&app, &admin, id, "4 rows written", |s| s["delivered"] == 4).await;

    let dir = root.path().join("gz");
    let files = names(&dir);
    assert_eq!(
        files.len(),
        2,
        "a partial batch is written once it is flush_ms old: {files:?}"
    );
    let mut keys_written = Vec::new();
    for name in &files {
        assert!(name.ends_with(".ndjson.gz"), "{name}");
        parse_name(name);
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(std::fs::File::open(dir.join(name)).unwrap())
            .read_to_end(&mut plain)
            .unwrap();
        keys_written.extend(
            lines(&plain)
                .iter()
                .map(|r| r["key"].as_str().unwrap().to_owned()),
        );
    }
    keys_written.sort();
    assert_eq!(keys_written, [keys("a", 2), keys("b", 2)].concat());
}

#[actix_web::test]
async fn folders_that_would_leave_the_root_are_refused() {
    let (app, root) = spawn_with_file_root().await;
    app.environment(ENV).await;
    let admin = app.admin_session().await;
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), root.path().join("escape")).unwrap();
    let path = format!("/api/v1/environments/{ENV}/sinks");
    let outside_dir = outside.path().display().to_string();
    for dir in [
        outside_dir.as_str(),
        "/tmp",
        "../sibling",
        "logs/../../etc",
        "",
        ".",
        "escape/imprint",
    ] {
        let response = admin
            .post(&app, &path, &file_sink(json!({ "dir": dir })))
            .await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            "invalid_sink_config",
            "{dir}"
        );
    }
    for config in [
        json!({ "dir": "ok", "max_rows": 0 }),
        json!({ "dir": "ok", "flush_ms": 0 }),
        json!({ "dir": "ok", "path": "/tmp" }),
        json!({}),
    ] {
        let response = admin.post(&app, &path, &file_sink(config.clone())).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            "invalid_sink_config",
            "{config}"
        );
    }
    assert!(names(outside.path()).is_empty());
}

#[actix_web::test]
async fn a_folder_that_cannot_be_written_is_retried_until_it_can() {
    let (app, root) = spawn_with_file_root().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    // A file where the folder should be: creating the folder fails, as on a full or
    // read-only disk, until someone clears the way.
    let blocker = root.path().join("blocked");
    std::fs::write(&blocker, b"in the way").unwrap();
    let body = file_sink(json!({ "dir": "blocked/imprint", "flush_ms": 50 }));
    let id = create_sink(&app, &admin, body).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "checkout", &keys("user", 3)).await;
    let failing = wait_for_sink(&app, &admin, id, "failures", |s| {
        s["failed"].as_i64().unwrap() >= 2
    })
    .await;
    assert_eq!(failing["delivered"], 0);
    assert_eq!(failing["dead_lettered"], 0);
    assert!(
        failing["last_error"].as_str().unwrap().contains("blocked"),
        "{failing}"
    );

    std::fs::remove_file(&blocker).unwrap();
    wait_for_sink(&app, &admin, id, "3 rows written", |s| s["delivered"] == 3).await;
    let files = names(&root.path().join("blocked/imprint"));
    assert_eq!(files.len(), 1, "{files:?}");
    let rows = lines(&std::fs::read(root.path().join("blocked/imprint").join(&files[0])).unwrap());
    assert_eq!(rows.len(), 3);
}
