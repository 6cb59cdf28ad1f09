//! The S3 sink against moto's S3 server, which scripts/bootstrap.sh installs into the
//! project's Python venv: objects are read back with object_store and the parquet crate and
//! compared, column by column, with the export API's NDJSON of the same rows.

use std::io::Read;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{Attribute, ObjectMeta, ObjectStore, ObjectStoreExt};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::receiver::Contract;
use super::*;
use crate::crash::free_port;
use crate::exports::{ingest, sample_impressions};
use crate::helpers::{error_code, spawn_app};

const BUCKET: &str = "imprint-lake";

/// A moto S3 server on a free port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

fn moto_server() -> PathBuf {
    let venv = std::env::var_os("IMPRINT_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/imprint/venv")))
        .expect("IMPRINT_VENV or HOME is set");
    let server = venv.join("bin/moto_server");
    assert!(
        server.exists(),
        "the S3 sink tests need moto's S3 server at {}: run `bash scripts/bootstrap.sh` (or \
         `make deps`), which installs scripts/requirements-test-servers.txt into the venv",
        server.display()
    );
    server
}

impl Moto {
    async fn start() -> Moto {
        let port = free_port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            let reset = client
                .post(format!("{}/moto-api/reset", moto.endpoint))
                .send()
                .await;
            if reset.is_ok_and(|r| r.status().is_success()) {
                return moto;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "moto_server did not answer on {} within 30 s",
            moto.endpoint
        );
    }

    /// object_store cannot create buckets; moto takes a plain PUT of the bucket's path.
    async fn create_bucket(&self, bucket: &str) {
        let response = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{response:?}");
    }

    /// From now on every request must be signed with keys moto's IAM knows (it knows none).
    async fn require_credentials(&self) {
        let response = reqwest::Client::new()
            .post(format!("{}/moto-api/reset-auth", self.endpoint))
            .body("0")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{response:?}");
    }

    fn reader(&self) -> AmazonS3 {
        AmazonS3Builder::new()
            .with_bucket_name(BUCKET)
            .with_region("us-east-1")
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .build()
            .unwrap()
    }

    /// The bucket's objects, by name.
    async fn objects(&self) -> Vec<ObjectMeta> {
        let mut objects: Vec<ObjectMeta> = self.reader().list(None).try_collect().await.unwrap();
        objects.sort_by(|a, b| a.location.cmp(&b.location));
        objects
    }

    async fn read(&self, path: &Path) -> (Option<String>, Vec<u8>) {
        let got = self.reader().get(path).await.unwrap();
        let content_type = got
            .attributes
            .get(&Attribute::ContentType)
            .map(|v| v.to_string());
        (content_type, got.bytes().await.unwrap().to_vec())
    }

    fn sink(&self, name: &str, extra: Value) -> Value {
        sink_to(&self.endpoint, name, extra)
    }
}

/// An S3 sink to the server at `endpoint`, named `name`, writing under `lake/` with a 50 ms
/// flush.
fn sink_to(endpoint: &str, name: &str, extra: Value) -> Value {
    let mut config = json!({
        "bucket": BUCKET,
        "endpoint": endpoint,
        "prefix": "lake/",
        "access_key_id": "AKIAIMPRINTTEST",
        "secret_access_key": "not-so-secret",
        "flush_ms": 50,
    });
    if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        config.extend(extra.clone());
    }
    json!({ "kind": "s3", "name": name, "config": config })
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Relays connections from `port` to the server at `endpoint`, from now on.
fn forward(port: u16, endpoint: &str) {
    let target = endpoint.trim_start_matches("http://").to_owned();
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(&target) else {
                continue;
            };
            pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
            pipe(server, client);
        }
    });
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// A Parquet value as the NDJSON export spells it.
fn json_cell(name: &str, field: &Field) -> Value {
    match field {
        Field::Null => Value::Null,
        Field::Str(text) if name == "properties" => serde_json::from_str(text).unwrap(),
        Field::Str(text) => json!(text),
        Field::Long(n) | Field::TimestampMillis(n) => json!(n),
        // The export writes doubles with Rust's shortest spelling (20.0 as `20`).
        Field::Double(f) => serde_json::from_str(&f.to_string()).unwrap(),
        other => panic!("{name} holds an unexpected Parquet value {other:?}"),
    }
}

fn parquet_rows(bytes: Vec<u8>) -> Vec<Value> {
    let reader = SerializedFileReader::new(actix_web::web::Bytes::from(bytes)).unwrap();
    reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| {
            let row = row.unwrap();
            let object = row
                .get_column_iter()
                .map(|(name, field)| (name.clone(), json_cell(name, field)))
                .collect();
            Value::Object(object)
        })
        .collect()
}

fn ndjson_gz_rows(bytes: &[u8]) -> Vec<Value> {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

async fn export(app: &TestApp, admin: &Session, stream: &str) -> Vec<Value> {
    let response = admin
        .get(
            app,
            &format!("/api/v1/environments/{ENV}/{stream}/export?format=ndjson"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Rows in a fixed order, to compare sets of rows.
fn sorted(mut rows: Vec<Value>) -> Vec<Value> {
    rows.sort_by_key(|r| r.to_string());
    rows
}

/// Checks an object's name against the layout and returns its stream and id range.
fn parse_name(path: &Path, first_row: &Value, extension: &str) -> (String, i64, i64) {
    let received =
        chrono::DateTime::from_timestamp_millis(first_row["received_at"].as_i64().unwrap())
            .unwrap();
    let folder = format!(
        "lake/env={ENV}/dt={}/hr={}/",
        received.format("%Y-%m-%d"),
        received.format("%H")
    );
    let name = path
        .as_ref()
        .strip_prefix(&folder)
        .unwrap_or_else(|| panic!("{path} is not under {folder}, the first row's reception hour"));
    let stem = name.strip_suffix(extension).unwrap();
    let mut parts = stem.split('-');
    let (stream, first, last) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    assert_eq!(
        (first.len(), last.len()),
        (20, 20),
        "{path}: ids are zero-padded"
    );
    let (first, last) = (first.parse().unwrap(), last.parse().unwrap());
    assert!(first <= last, "{path}");
    (stream.to_owned(), first, last)
}

async fn post_events(app: &TestApp, env: &TestEnvironment) {
    let t = imprint_store::now_ms();
    let events = json!([
        { "event_type": "purchase", "key": "u1", "timestamp": t - 3, "value": 9.5, "properties": { "sku": "A1" } },
        { "event_type": "purchase", "key": "u2", "timestamp": t - 2, "value": 20.0, "traffic_type": "user" },
        { "event_type": "page_view", "key": "u1", "timestamp": t - 1 },
    ]);
    ingest(app, &env.server_key, "/api/v1/events", &events).await;
}

#[actix_web::test]
async fn parquet_objects_hold_the_exports_typed_columns_under_hourly_folders() {
    let moto = Moto::start().await;
    moto.create_bucket(BUCKET).await;
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let mut body = moto.sink("lake", json!({}));
    body["events"] = json!(true);
    let created = create_sink(&app, &admin, body).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        created["secrets_set"],
        json!(["secret_access_key"]),
        "{created}"
    );
    assert!(!created.to_string().contains("not-so-secret"), "{created}");
    assert_eq!(created["config"]["access_key_id"], "AKIAIMPRINTTEST");

    ingest(
        &app,
        &env.server_key,
        "/api/v1/impressions",
        &sample_impressions(imprint_store::now_ms()),
    )
    .await;
    post_events(&app, &env).await;
    wait_for_sink(&app, &admin, id, "15 rows delivered", |s| {
        s["delivered"] == 15
    })
    .await;

    let (mut impressions, mut events) = (Vec::new(), Vec::new());
    for object in moto.objects().await {
        let (content_type, bytes) = moto.read(&object.location).await;
        assert_eq!(
            content_type.as_deref(),
            Some("application/vnd.apache.parquet")
        );
        assert_eq!(&bytes[..4], b"PAR1", "{}", object.location);
        let rows = parquet_rows(bytes);
        let (stream, _, _) = parse_name(&object.location, &rows[0], ".parquet");
        match stream.as_str() {
            "impressions" => impressions.extend(rows),
            "events" => events.extend(rows),
            other => panic!("unexpected stream {other} in {}", object.location),
        }
    }
    let exported = export(&app, &admin, "impressions").await;
    assert_eq!(exported.len(), 12);
    assert_eq!(sorted(impressions), sorted(exported));
    let exported = export(&app, &admin, "events").await;
    assert_eq!(exported.len(), 3);
    assert_eq!(sorted(events), sorted(exported));

    let status = sink(&app, &admin, id).await;
    assert_eq!(status["status"], "active", "{status}");
    assert_eq!(status["lag_rows"], 0, "{status}");
}

#[actix_web::test]
async fn gzipped_ndjson_objects_roll_by_rows_and_by_bytes() {
    let moto = Moto::start().await;
    moto.create_bucket(BUCKET).await;
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let by_rows = moto.sink(
        "rows",
        json!({ "format": "ndjson", "max_rows": 5, "prefix": "lake/rows" }),
    );
    let by_rows = create_sink(&app, &admin, by_rows).await["id"]
        .as_i64()
        .unwrap();
    let by_bytes = moto.sink(
        "bytes",
        json!({ "format": "ndjson", "max_bytes": 1024, "prefix": "lake/bytes/" }),
    );
    let by_bytes = create_sink(&app, &admin, by_bytes).await["id"]
        .as_i64()
        .unwrap();

    // Random keys, so 40 rows stay well over 1 KiB gzipped.
    let random: Vec<String> = (0..40).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    post_impressions(&app, &env, "checkout", &random).await;
    for id in [by_rows, by_bytes] {
        wait_for_sink(&app, &admin, id, "40 rows delivered", |s| {
            s["delivered"] == 40
        })
        .await;
    }
    let exported = sorted(export(&app, &admin, "impressions").await);

    for (folder, id) in [("lake/rows/", by_rows), ("lake/bytes/", by_bytes)] {
        let mut rows = Vec::new();
        let mut ranges = Vec::new();
        let objects: Vec<ObjectMeta> = moto
            .objects()
            .await
            .into_iter()
            .filter(|o| o.location.as_ref().starts_with(folder))
            .collect();
        for object in &objects {
            let (content_type, bytes) = moto.read(&object.location).await;
            assert_eq!(content_type.as_deref(), Some("application/gzip"));
            let object_rows = ndjson_gz_rows(&bytes);
            let renamed = Path::from(object.location.as_ref().replacen(folder, "lake/", 1));
            let (stream, first, last) = parse_name(&renamed, &object_rows[0], ".ndjson.gz");
            assert_eq!(stream, "impressions");
            if folder == "lake/rows/" {
                assert!(object_rows.len() <= 5, "{}", object.location);
            } else {
                assert!(
                    bytes.len() <= 1024,
                    "{} has {} bytes",
                    object.location,
                    bytes.len()
                );
            }
            ranges.push((first, last));
            rows.extend(object_rows);
        }
        assert!(objects.len() > 1, "{folder}: {objects:?}");
        // The objects' id ranges do not overlap: every row went out once.
        ranges.sort();
        assert!(ranges.windows(2).all(|w| w[0].1 < w[1].0), "{ranges:?}");
        assert_eq!(sorted(rows), exported, "{folder}");
        let status = sink(&app, &admin, id).await;
        assert_eq!(status["dead_lettered"], 0, "{status}");
    }
}

#[actix_web::test]
async fn a_delivery_made_again_overwrites_its_object() {
    let moto = Moto::start().await;
    moto.create_bucket(BUCKET).await;
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let id = create_sink(&app, &admin, moto.sink("lake", json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "checkout", &keys("user", 6)).await;
    wait_for_sink(&app, &admin, id, "6 rows delivered", |s| {
        s["delivered"] == 6
    })
    .await;
    let before = moto.objects().await;
    let (_, original) = moto.read(&before[0].location).await;

    // Moto's timestamps have whole seconds: wait for the next one before the replay.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = admin
        .post(
            &app,
            &format!("/api/v1/environments/{ENV}/sinks/{id}/replay"),
            &json!({ "from": 0 }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let replay: Value = response.json().await.unwrap();
    assert_eq!(replay["duplicates"], 6, "{replay}");
    wait_for_sink(&app, &admin, id, "the replay delivered", |s| {
        s["delivered"] == 12
    })
    .await;

    let after = moto.objects().await;
    let names = |objects: &[ObjectMeta]| -> Vec<String> {
        objects.iter().map(|o| o.location.to_string()).collect()
    };
    assert_eq!(names(&after), names(&before));
    let written_again: Vec<bool> = before
        .iter()
        .zip(&after)
        .map(|(b, a)| a.last_modified > b.last_modified)
        .collect();
    assert!(written_again.iter().all(|w| *w), "{before:?} → {after:?}");
    let (_, again) = moto.read(&after[0].location).await;
    assert_eq!(parquet_rows(again), parquet_rows(original));
}

#[actix_web::test]
async fn a_missing_bucket_or_unknown_keys_pause_the_sink_with_s3s_reason() {
    let moto = Moto::start().await;
    moto.create_bucket(BUCKET).await;
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;

    let missing = create_sink(
        &app,
        &admin,
        moto.sink("missing", json!({ "bucket": "no-such-bucket" })),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "checkout", &keys("user", 2)).await;
    let paused = wait_for_sink(&app, &admin, missing, "paused", |s| s["status"] == "paused").await;
    let reason = paused["paused_reason"].as_str().unwrap();
    assert!(reason.contains("NoSuchBucket"), "{reason}");
    assert!(reason.contains("404"), "{reason}");
    assert_eq!(paused["dead_lettered"], 0, "{paused}");
    assert_eq!(paused["lag_rows"], 2, "{paused}");

    moto.require_credentials().await;
    let unknown = create_sink(&app, &admin, moto.sink("unknown", json!({}))).await["id"]
        .as_i64()
        .unwrap();
    // A new sink starts at the end of the outbox: it needs rows of its own.
    post_impressions(&app, &env, "checkout", &keys("later", 1)).await;
    let paused = wait_for_sink(&app, &admin, unknown, "paused", |s| s["status"] == "paused").await;
    let reason = paused["paused_reason"].as_str().unwrap();
    assert!(reason.contains("InvalidAccessKeyId"), "{reason}");
    assert!(reason.contains("403"), "{reason}");
    assert!(!reason.contains("not-so-secret"), "{reason}");
    assert_eq!(paused["delivered"], 0, "{paused}");
}

#[actix_web::test]
async fn send_test_writes_beside_the_data_and_bad_settings_are_refused() {
    let moto = Moto::start().await;
    moto.create_bucket(BUCKET).await;
    let app = spawn_app().await;
    app.environment(ENV).await;
    let admin = app.admin_session().await;
    let id = create_sink(&app, &admin, moto.sink("lake", json!({}))).await["id"]
        .as_i64()
        .unwrap();
    let response = admin
        .post(
            &app,
            &format!("/api/v1/environments/{ENV}/sinks/{id}/test"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["ok"], true, "{result}");
    let objects = moto.objects().await;
    assert_eq!(objects.len(), 1);
    let name = objects[0].location.to_string();
    assert!(
        name.starts_with("lake/_imprint_test/env=production/dt="),
        "{name}"
    );
    assert!(
        result["answer"].as_str().unwrap().contains(&name),
        "{result}"
    );

    let path = format!("/api/v1/environments/{ENV}/sinks");
    for (config, words) in [
        (json!({ "max_rows": 0 }), "max_rows"),
        (json!({ "max_rows": 1_000_001 }), "max_rows"),
        (json!({ "format": "csv" }), "csv"),
        (json!({ "endpoint": "ftp://example.com" }), "endpoint"),
        (json!({ "prefix": "a//b" }), "prefix"),
        (json!({ "bucket": "" }), "bucket"),
    ] {
        let response = admin
            .post(&app, &path, &moto.sink("bad", config.clone()))
            .await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{config}: {body}");
        assert_eq!(body["code"], "invalid_sink_config", "{config}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(words),
            "{config}: {body}"
        );
    }
    let mut no_keys = moto.sink("no keys", json!({}));
    no_keys["config"]
        .as_object_mut()
        .unwrap()
        .remove("secret_access_key");
    let response = admin.post(&app, &path, &no_keys).await;
    assert_eq!(
        error_code(response, StatusCode::BAD_REQUEST).await,
        "invalid_sink_config"
    );
}

#[actix_web::test]
async fn an_unreachable_store_is_retried_until_it_answers() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let id = create_sink(&app, &admin, sink_to(&endpoint, "lake", json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "checkout", &keys("user", 4)).await;
    let failing = wait_for_sink(&app, &admin, id, "failing", |s| s["status"] == "failing").await;
    let error = failing["last_error"].as_str().unwrap();
    assert!(error.to_lowercase().contains("connect"), "{error}");

    // The store becomes reachable with its bucket already there: a sink reaching it in
    // between would find no bucket, and rightly pause.
    let moto = Moto::start().await;
    moto.create_bucket(BUCKET).await;
    forward(port, &moto.endpoint);
    let done = wait_for_sink(&app, &admin, id, "4 rows delivered", |s| {
        s["delivered"] == 4
    })
    .await;
    assert_eq!(done["status"], "active", "{done}");
    assert_eq!(done["dead_lettered"], 0, "{done}");
    let objects = moto.objects().await;
    let mut rows = Vec::new();
    for object in &objects {
        rows.extend(parquet_rows(moto.read(&object.location).await.1));
    }
    assert_eq!(
        sorted(rows),
        sorted(export(&app, &admin, "impressions").await)
    );
}

#[actix_web::test]
async fn throttling_and_server_errors_are_retried_with_the_same_object_name() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    // An S3 stand-in: a 200 with an ETag is all a PUT needs.
    let contract: Contract = Arc::new(|_| Reply::status(200).with_header("etag", "\"e1\""));
    let store = Receiver::with_contract(contract);
    let slow_down = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>\
                     <Message>Please reduce your request rate.</Message></Error>";
    // object_store tries each request three times itself; the sink then backs off and
    // tries again.
    store.script((0..3).map(|_| Reply::status(503).with_body(slow_down)));
    store.script([Reply::status(500).with_body("<Error><Code>InternalError</Code></Error>")]);
    let id = create_sink(&app, &admin, sink_to(&store.url(""), "lake", json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "checkout", &keys("user", 3)).await;
    let done = wait_for_sink(&app, &admin, id, "3 rows delivered", |s| {
        s["delivered"] == 3
    })
    .await;
    assert!(done["failed"].as_i64().unwrap() >= 1, "{done}");
    assert_eq!(done["dead_lettered"], 0, "{done}");
    let requests = store.requests();
    assert_eq!(requests.len(), 5, "{requests:?}");
    assert!(requests.iter().all(|r| r.path == requests[0].path));
    // object_store escapes `=` in the URL; S3 unescapes it.
    let folder = format!("/{BUCKET}/lake/env%3Dproduction/dt%3D");
    assert!(
        requests[0].path.starts_with(&folder),
        "{}",
        requests[0].path
    );
    let answers: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(answers, [503, 503, 503, 500, 200]);
    let last = requests.last().unwrap();
    assert_eq!(parquet_rows(last.body.clone()).len(), 3);
}

#[actix_web::test]
async fn a_large_batch_becomes_one_complete_object() {
    let moto = Moto::start().await;
    moto.create_bucket(BUCKET).await;
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let id = create_sink(&app, &admin, moto.sink("lake", json!({}))).await["id"]
        .as_i64()
        .unwrap();
    // One request is one commit, read as one batch: more rows than the sink encodes on its
    // own thread, so this one is encoded on the blocking pool.
    post_impressions(&app, &env, "checkout", &keys("user", 12_000)).await;
    wait_for_sink(&app, &admin, id, "12,000 rows delivered", |s| {
        s["delivered"] == 12_000
    })
    .await;
    let objects = moto.objects().await;
    assert_eq!(objects.len(), 1, "{objects:?}");
    let rows = parquet_rows(moto.read(&objects[0].location).await.1);
    assert_eq!(rows.len(), 12_000);
    let mut keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 12_000);
}
