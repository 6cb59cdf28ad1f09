//! Characters the databases refuse (NUL) or that have no place in a name (control characters,
//! bidirectional overrides), in every string an SDK can send, while valid SDKs post at the
//! same time. On PostgreSQL one NUL used to fail every request of its group commit.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::assert_refused;
use crate::helpers::*;

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// (path, content type, body, extra headers) of one hostile request.
type Hostile = (
    &'static str,
    &'static str,
    String,
    Vec<(&'static str, String)>,
);

fn split_bulk(flag: &str, impression: Value) -> String {
    json!([{ "f": flag, "i": [impression] }]).to_string()
}

fn hostile_requests() -> Vec<Hostile> {
    let m = now();
    let ok = |k: &str| json!({ "k": k, "t": "on", "m": m });
    let bulk = "/api/testImpressions/bulk";
    let json_ct = "application/json";
    let mut requests: Vec<Hostile> = vec![
        (bulk, json_ct, split_bulk("checkout", ok("nul\u{0}key")), vec![]),
        (bulk, json_ct, split_bulk("nul\u{0}flag", ok("u")), vec![]),
        (bulk, json_ct, split_bulk("bidi\u{202E}flag", ok("u")), vec![]),
        (bulk, json_ct, split_bulk("checkout", json!({ "k": "u", "t": "o\u{0}n", "m": m })), vec![]),
        (bulk, json_ct, split_bulk("checkout", json!({ "k": "u", "t": "on", "m": m, "r": "l\u{1b}[31m" })), vec![]),
        (bulk, json_ct, split_bulk("checkout", json!({ "k": "u", "t": "on", "m": m, "b": "\u{7}" })), vec![]),
        (bulk, json_ct, split_bulk("checkout", json!({ "k": "u", "t": "on", "m": m,
            "properties": json!({ "a": { "deep\u{0}name": 1 } }).to_string() })), vec![]),
        (bulk, json_ct, split_bulk("checkout", json!({ "k": "u", "t": "on", "m": m,
            "properties": json!({ "a": ["x", "nul\u{0}value"] }).to_string() })), vec![]),
        (bulk, json_ct, split_bulk("checkout", ok("u")),
            vec![("SplitSDKMachineName", "host\tname".into())]),
        ("/api/v1/impressions", json_ct,
            json!([{ "flag": "checkout", "key": "k\u{0}", "treatment": "on", "timestamp": m }]).to_string(), vec![]),
        ("/api/v1/impressions", "application/x-ndjson",
            format!("{}\n", json!({ "flag": "checkout", "key": "k", "treatment": "on", "timestamp": m,
                "traffic_type": "user\u{2066}" })), vec![]),
        ("/api/v1/impressions", "text/plain",
            json!({ "flag": "checkout", "key": "k", "treatment": "on", "timestamp": m,
                "sdk": "js\u{0}", "properties": { "\u{1}": true } }).to_string(), vec![]),
        ("/api/v1/events", json_ct,
            json!([{ "event_type": "buy\u{0}", "key": "k", "timestamp": m }]).to_string(), vec![]),
        ("/api/events/bulk", json_ct,
            json!([{ "eventTypeId": "buy", "trafficTypeName": "user\u{0}", "key": "k", "timestamp": m }]).to_string(), vec![]),
        ("/api/events/bulk", json_ct,
            json!([{ "eventTypeId": "buy", "trafficTypeName": "user", "key": "k", "timestamp": m,
                "properties": { "note": "a\u{0}b" } }]).to_string(), vec![]),
        ("/api/testImpressions/count", json_ct,
            json!({ "pf": [{ "f": "nul\u{0}flag", "m": m, "rc": 1 }] }).to_string(), vec![]),
        ("/api/v1/keys/ss", json_ct,
            json!({ "keys": [{ "f": "nul\u{0}flag", "ks": ["u"] }] }).to_string(), vec![]),
        ("/api/v1/keys/ss", json_ct,
            json!({ "keys": [{ "f": "checkout", "ks": ["nul\u{0}key"] }] }).to_string(), vec![]),
        ("/api/v1/keys/cs", json_ct,
            json!({ "keys": [{ "k": "u", "fs": ["bidi\u{202D}"] }] }).to_string(), vec![]),
    ];
    // Headers carry only visible ASCII and tab; a tab is the control character that gets
    // through to the server.
    requests.push((
        "/api/events/bulk",
        json_ct,
        json!([{ "eventTypeId": "buy", "trafficTypeName": "user", "key": "k", "timestamp": m }])
            .to_string(),
        vec![("SplitSDKVersion", "js\t1".into())],
    ));
    requests
}

async fn post_valid(app: &TestApp, key: &str, poster: usize, round: usize) -> Vec<String> {
    let m = now();
    let keys: Vec<String> = (0..20)
        .map(|i| format!("valid-{poster}-{round}-{i}"))
        .collect();
    let items: Vec<Value> = keys
        .iter()
        .map(|k| json!({ "k": k, "t": "on", "m": m, "r": "default rule" }))
        .collect();
    let response = app
        .sdk_post(
            "/api/testImpressions/bulk",
            key,
            &[("SplitSDKVersion", "nodejs-11.0.0")],
            "application/json",
            json!([{ "f": "checkout", "i": items }]).to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "a valid post failed");
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 20, "{report}");
    keys
}

#[actix_web::test]
async fn unprintable_strings_are_refused_and_concurrent_valid_posts_are_all_stored() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let key = env.server_key.as_str();

    let valid = (0..4).map(|poster| {
        let app = &app;
        async move {
            let mut keys = Vec::new();
            for round in 0..5 {
                keys.extend(post_valid(app, key, poster, round).await);
            }
            keys
        }
    });
    let hostile = (0..2).map(|_| {
        let app = &app;
        async move {
            for (path, content_type, body, headers) in hostile_requests() {
                let headers: Vec<(&str, &str)> =
                    headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let response = app
                    .sdk_post(path, key, &headers, content_type, body.clone())
                    .await;
                let codes = assert_refused(&format!("{path} {body}"), response).await;
                assert!(
                    codes
                        .iter()
                        .all(|c| c == "invalid_character" || c == "invalid_header"),
                    "{path} {body}: {codes:?}"
                );
            }
        }
    });
    let (valid, ()) = futures::join!(join_all(valid), async {
        join_all(hostile).await;
    });
    let sent: Vec<String> = valid.into_iter().flatten().collect();

    let stored = app.exported("production", "").await;
    let mut stored_keys: Vec<&str> = stored.iter().map(|r| r["key"].as_str().unwrap()).collect();
    stored_keys.sort_unstable();
    let mut expected: Vec<&str> = sent.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(
        stored_keys, expected,
        "every valid impression is stored once, no other"
    );
}

#[actix_web::test]
async fn query_parameters_with_unprintable_characters_are_refused() {
    let app = spawn_app().await;
    app.environment("production").await;
    let admin = app.admin_session().await;
    for path in [
        "/api/v1/environments/production/impressions/count?key=a%00b",
        "/api/v1/environments/production/impressions/count?flag=%E2%80%AEx",
        "/api/v1/environments/production/events/count?property.note=%00",
        "/api/v1/environments/production/impressions/export?format=ndjson&label=%01",
        "/api/v1/environments/production/events/export?format=csv&event_type=a%00",
    ] {
        let code = error_code(admin.get(&app, path).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(code, "invalid_query", "{path}");
    }
}

#[actix_web::test]
async fn evaluation_keys_with_unprintable_characters_are_refused() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let post = |path: &'static str, body: Value| {
        app.sdk_post(
            path,
            &env.server_key,
            &[],
            "application/json",
            body.to_string(),
        )
    };
    for body in [
        json!({ "key": "a\u{0}b" }),
        json!({ "key": "a", "bucketing_key": "\u{202E}b" }),
        json!({ "key": "a", "flags": ["x\u{0}"] }),
    ] {
        let codes = assert_refused("evaluate", post("/api/v1/evaluate", body).await).await;
        assert!(
            codes[0] == "invalid_key" || codes[0] == "invalid_flag",
            "{codes:?}"
        );
    }
    for path in [
        "/ofrep/v1/evaluate/flags/checkout",
        "/ofrep/v1/evaluate/flags",
    ] {
        let body = json!({ "context": { "targetingKey": "u\u{0}" } });
        let response = post(path, body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let codes = assert_refused(path, response).await;
        assert_eq!(codes, ["INVALID_CONTEXT"], "{path}");
    }
}

#[actix_web::test]
async fn beacons_with_unprintable_strings_are_refused() {
    let app = spawn_app().await;
    let env = app.environment("production").await;
    let m = now();
    let beacon = |entries: Value, sdk: &str| {
        json!({ "entries": entries, "token": env.client_key, "sdk": sdk, "sim": "DEBUG" })
            .to_string()
    };
    let requests = [
        (
            "/api/testImpressions/beacon",
            beacon(
                json!([{ "f": "checkout", "i": [{ "k": "nul\u{0}", "t": "on", "m": m }] }]),
                "browserjs-1.7.1",
            ),
        ),
        (
            "/api/testImpressions/beacon",
            beacon(
                json!([{ "f": "checkout", "i": [{ "k": "u", "t": "on", "m": m }] }]),
                "browserjs\u{0}",
            ),
        ),
        (
            "/api/testImpressions/count/beacon",
            beacon(
                json!({ "pf": [{ "f": "\u{202E}x", "m": m, "rc": 1 }] }),
                "browserjs-1.7.1",
            ),
        ),
        (
            "/api/events/beacon",
            beacon(
                json!([{ "eventTypeId": "buy\u{7}", "trafficTypeName": "user", "key": "k", "timestamp": m }]),
                "browserjs-1.7.1",
            ),
        ),
        (
            "/api/v1/keys/cs/beacon",
            beacon(
                json!({ "keys": [{ "k": "u\u{0}", "fs": ["checkout"] }] }),
                "browserjs-1.7.1",
            ),
        ),
    ];
    for (path, body) in requests {
        let response = reqwest::Client::new()
            .post(app.url(path))
            .header("content-type", "text/plain")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let codes = assert_refused(&format!("{path} {body}"), response).await;
        assert!(
            codes
                .iter()
                .all(|c| c == "invalid_character" || c == "invalid_header"),
            "{path}: {codes:?}"
        );
    }
    assert!(app.exported("production", "").await.is_empty());
}
