//! The Split browser SDK's `sendBeacon` posts, from its captured bodies: each beacon stores
//! exactly what its bulk endpoint stores.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::now_ms;
use crate::helpers::*;

const BROWSER_SDK: &str = "browserjs-1.7.1";

/// A bulk endpoint's beacon twin, as the browser SDK names them.
fn beacon_path(path: &str) -> String {
    match path.strip_suffix("/bulk") {
        Some(base) => format!("{base}/beacon"),
        None => format!("{path}/beacon"),
    }
}

async fn send_beacon(app: &TestApp, path: &str, body: String) -> reqwest::Response {
    // What `navigator.sendBeacon` sends: no Authorization, a text/plain body.
    reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", "text/plain;charset=UTF-8")
        .header("Origin", "http://shop.example.test:3000")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn envelope(entries: &Value, token: &str) -> String {
    json!({ "entries": entries, "token": token, "sdk": BROWSER_SDK, "sim": "DEBUG" }).to_string()
}

/// The stored rows without what differs between two receptions.
fn comparable(rows: Vec<Value>) -> Vec<Value> {
    rows.into_iter()
        .map(|mut row| {
            let object = row.as_object_mut().unwrap();
            for volatile in [
                "id",
                "received_at",
                "environment",
                "sdk",
                "impressions_mode",
            ] {
                object.remove(volatile);
            }
            row
        })
        .collect()
}

#[actix_web::test]
async fn beacons_store_what_the_bulk_endpoints_store() {
    let app = spawn_app().await;
    let bulk = app.environment("bulk").await;
    let beacon = app.environment("beacon").await;
    let requests = captured("node_clientside.json");
    assert!(requests.len() >= 4, "the capture holds the SDK's posts");
    for request in &requests {
        let sent = request.replay(&app, &bulk.client_key).await;
        assert!(
            sent.status().is_success(),
            "{}: {}",
            request.path,
            sent.status()
        );
        let path = beacon_path(&request.path);
        let beaconed = send_beacon(&app, &path, envelope(&request.body, &beacon.client_key)).await;
        assert_eq!(beaconed.status(), StatusCode::OK, "{path}");
    }
    let stored_bulk = app.exported("bulk", "").await;
    let stored_beacon = app.exported("beacon", "").await;
    assert!(!stored_bulk.is_empty());
    assert_eq!(comparable(stored_beacon.clone()), comparable(stored_bulk));
    assert!(stored_beacon.iter().all(|row| row["sdk"] == BROWSER_SDK));

    let (usage_bulk, usage_beacon) = (app.usage("bulk").await, app.usage("beacon").await);
    for counter in [
        "impressions_stored",
        "impressions_counted_by_sdk",
        "unique_keys_this_month",
        "events_stored",
    ] {
        assert_eq!(usage_beacon[counter], usage_bulk[counter], "{counter}");
    }
    assert!(usage_beacon["events_stored"].as_i64().unwrap() > 0);
    assert!(usage_beacon["unique_keys_this_month"].as_i64().unwrap() > 0);
}

#[actix_web::test]
async fn usage_telemetry_beacons_are_kept() {
    let app = spawn_app().await;
    let env = app.environment("web").await;
    let sent = send_beacon(
        &app,
        "/api/v1/metrics/usage/beacon",
        envelope(&json!({ "sL": 1, "iQ": 3 }), &env.client_key),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::OK);
}

#[actix_web::test]
async fn native_ingestion_takes_beacon_envelopes() {
    let app = spawn_app().await;
    let env = app.environment("web").await;
    let now = now_ms();
    let impressions =
        json!([{ "flag": "hero", "key": "user-1", "treatment": "on", "timestamp": now }]);
    let sent = send_beacon(
        &app,
        "/api/v1/impressions",
        json!({ "token": env.client_key, "entries": impressions }).to_string(),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    let report: Value = sent.json().await.unwrap();
    assert_eq!(report["accepted"], 1);
    let events =
        json!([{ "event_type": "purchase", "key": "user-1", "timestamp": now, "value": 9.5 }]);
    let sent = send_beacon(
        &app,
        "/api/v1/events",
        json!({ "token": env.client_key, "entries": events }).to_string(),
    )
    .await;
    assert_eq!(sent.status(), StatusCode::ACCEPTED);
    let stored = app.exported("web", "").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["key"], "user-1");
    assert_eq!(app.usage("web").await["events_stored"], 1);
}

#[actix_web::test]
async fn beacons_without_a_valid_key_or_envelope_are_refused() {
    let app = spawn_app().await;
    let env = app.environment("web").await;
    let unknown = send_beacon(
        &app,
        "/api/events/beacon",
        envelope(&json!([]), "not-a-key"),
    )
    .await;
    assert_eq!(
        error_code(unknown, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
    for body in [
        "[]",
        "{\"entries\": []}",
        "not json",
        "{\"token\": 5, \"entries\": []}",
    ] {
        let refused = send_beacon(&app, "/api/testImpressions/beacon", body.to_owned()).await;
        assert_eq!(
            error_code(refused, StatusCode::BAD_REQUEST).await,
            "invalid_beacon",
            "{body}"
        );
    }
    // The native endpoints take an envelope only when the request has no Authorization header;
    // with neither, there is no credential at all.
    let plain = send_beacon(&app, "/api/v1/impressions", "[]".to_owned()).await;
    assert_eq!(
        error_code(plain, StatusCode::UNAUTHORIZED).await,
        "unauthorized"
    );
    let unknown_kind = send_beacon(
        &app,
        "/api/v1/metrics/secrets/beacon",
        envelope(&json!({}), &env.client_key),
    )
    .await;
    assert_eq!(unknown_kind.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.usage("web").await["impressions_stored"], 0);
}

#[actix_web::test]
async fn client_side_keys_do_only_what_client_side_sdks_do() {
    let app = spawn_app().await;
    let env = app.environment("web").await;
    let keys = r#"{"keys":[{"f":"hero","ks":["user-1"]}]}"#;
    let by_client = app
        .sdk_post(
            "/api/v1/keys/ss",
            &env.client_key,
            &[],
            "application/json",
            keys,
        )
        .await;
    assert_eq!(
        error_code(by_client, StatusCode::FORBIDDEN).await,
        "forbidden"
    );
    let segment = reqwest::Client::new()
        .get(app.url("/api/segmentChanges/beta?since=-1"))
        .bearer_auth(&env.client_key)
        .send()
        .await
        .unwrap();
    assert_eq!(segment.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.usage("web").await["unique_keys_this_month"], 0);
    let by_server = app
        .sdk_post(
            "/api/v1/keys/ss",
            &env.server_key,
            &[],
            "application/json",
            keys,
        )
        .await;
    assert_eq!(by_server.status(), StatusCode::OK);
    assert_eq!(app.usage("web").await["unique_keys_this_month"], 1);
}
