//! The webhook sink: Split's body or NDJSON, gzip, Standard Webhooks signatures, filters,
//! events, and what admins and viewers may do.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use super::*;
use crate::helpers::{error_code, spawn_app};

fn verify_signature(secret: &str, request: &Received) {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .unwrap();
    let id = request.header("webhook-id").unwrap();
    let timestamp = request.header("webhook-timestamp").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&request.body);
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(request.header("webhook-signature"), Some(expected.as_str()));
}

#[actix_web::test]
async fn a_webhook_gets_splits_body_signed_with_the_secret_shown_once() {
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    let created = create_sink(&app, &admin, webhook(&receiver, json!({}))).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    let id = created["id"].as_i64().unwrap();

    let shown = sink(&app, &admin, id).await;
    assert!(shown.get("secret").is_none(), "{shown}");
    assert!(shown["config"].get("secret").is_none(), "{shown}");
    assert_eq!(shown["secrets_set"], json!(["secret"]));
    assert!(!shown.to_string().contains(&secret));

    post_impressions(&app, &env, "checkout", &keys("user", 3)).await;
    receiver
        .wait_for(30, "three impressions", |r| delivered_keys(r).len() >= 3)
        .await;
    let requests = receiver.accepted();
    let first = &requests[0];
    assert_eq!(first.path, "/hook");
    assert_eq!(first.header("content-type"), Some("application/json"));
    verify_signature(&secret, first);
    let body = first.json();
    let impression = &body[0];
    assert_eq!(impression["split"], "checkout");
    assert_eq!(impression["treatment"], "on");
    assert_eq!(impression["label"], "default rule");
    assert_eq!(impression["splitVersionNumber"], 42);
    assert_eq!(impression["environmentName"], ENV);
    assert_eq!(impression["sdk"], "nodejs");
    assert_eq!(impression["sdkVersion"], "11.11.2");
    assert!(impression["time"].as_i64().unwrap() > 0);
    let mut delivered = delivered_keys(&requests);
    delivered.sort();
    assert_eq!(delivered, keys("user", 3));

    let status = wait_for_sink(&app, &admin, id, "its deliveries counted", |s| {
        s["delivered"] == 3
    })
    .await;
    assert_eq!(status["status"], "active");
    assert_eq!(status["lag_rows"], 0);
    assert!(status["last_success_at"].is_string());
}

#[actix_web::test]
async fn ndjson_gzip_filters_and_events() {
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    let mut body = webhook(&receiver, json!({ "format": "ndjson", "gzip": true }));
    body["filter"] = json!({ "flag": ["wanted"] });
    body["events"] = json!(true);
    let id = create_sink(&app, &admin, body).await["id"]
        .as_i64()
        .unwrap();

    post_impressions(&app, &env, "unwanted", &keys("u", 2)).await;
    post_impressions(&app, &env, "wanted", &keys("w", 2)).await;
    let events = json!([{ "eventTypeId": "purchase", "trafficTypeName": "user", "key": "w-0",
        "value": 12.5, "timestamp": imprint_store::now_ms(), "properties": { "plan": "pro" } }]);
    let response = app
        .sdk_post(
            "/api/events/bulk",
            &env.server_key,
            &[],
            "application/json",
            events.to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let lines = |requests: &[Received]| -> Vec<Value> {
        requests
            .iter()
            .flat_map(|r| {
                r.text()
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect::<Vec<Value>>()
            })
            .collect()
    };
    receiver
        .wait_for(30, "two impressions and an event", |r| lines(r).len() >= 3)
        .await;
    let requests = receiver.accepted();
    assert!(requests
        .iter()
        .all(|r| r.header("content-encoding") == Some("gzip")));
    assert!(requests
        .iter()
        .all(|r| r.header("content-type") == Some("application/x-ndjson")));
    let rows = lines(&requests);
    let flags: Vec<&str> = rows.iter().filter_map(|r| r["flag"].as_str()).collect();
    assert_eq!(flags, ["wanted", "wanted"]);
    let event = rows.iter().find(|r| r["event_type"] == "purchase").unwrap();
    assert_eq!(event["value"], 12.5);
    assert_eq!(event["properties"]["plan"], "pro");
    wait_for_sink(&app, &admin, id, "3 deliveries", |s| s["delivered"] == 3).await;
}

#[actix_web::test]
async fn flags_with_tracking_off_never_reach_a_sink() {
    let app = spawn_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    post_impressions(&app, &env, "quiet", &keys("before", 1)).await;
    let response = admin
        .client
        .put(app.url(&format!("/api/v1/environments/{ENV}/flags/quiet/tracking")))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&json!({ "enabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let receiver = Receiver::start();
    create_sink(&app, &admin, webhook(&receiver, json!({}))).await;
    post_impressions(&app, &env, "quiet", &keys("q", 5)).await;
    post_impressions(&app, &env, "loud", &keys("l", 5)).await;
    receiver
        .wait_for(30, "the tracked flag", |r| delivered_keys(r).len() >= 5)
        .await;
    // Give a stray delivery of the other flag every chance to show up.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let flags: Vec<String> = receiver
        .accepted()
        .iter()
        .flat_map(|r| {
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["split"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(flags.len(), 5);
    assert!(flags.iter().all(|f| f == "loud"), "{flags:?}");
}

#[actix_web::test]
async fn admins_configure_sinks_and_every_role_reads_them() {
    let app = spawn_app().await;
    app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    let id = create_sink(&app, &admin, webhook(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    let sinks = format!("/api/v1/environments/{ENV}/sinks");
    for role in ["viewer", "editor"] {
        let user = app.user_with_role(role).await;
        let listed = user.get(&app, &sinks).await;
        assert_eq!(listed.status(), StatusCode::OK);
        let listed: Value = listed.json().await.unwrap();
        assert_eq!(listed[0]["id"], id);
        for path in [
            sinks.clone(),
            format!("{sinks}/{id}/pause"),
            format!("{sinks}/{id}/test"),
        ] {
            let response = user.post(&app, &path, &webhook(&receiver, json!({}))).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role} {path}");
        }
        let response = user.delete(&app, &format!("{sinks}/{id}")).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
}

#[actix_web::test]
async fn bad_settings_get_clear_errors() {
    let app = spawn_app().await;
    app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    let path = format!("/api/v1/environments/{ENV}/sinks");
    let cases = [
        (
            json!({ "kind": "carrier-pigeon", "name": "x", "config": {} }),
            "invalid_kind",
        ),
        (
            json!({ "kind": "webhook", "name": "x", "config": { "url": "ftp://example.com" } }),
            "invalid_sink_config",
        ),
        (
            json!({ "kind": "webhook", "name": "x", "config": { "url": receiver.url("/"), "extra": 1 } }),
            "invalid_sink_config",
        ),
        (
            json!({ "kind": "webhook", "name": "x", "config": { "url": receiver.url("/"), "max_batch": 0 } }),
            "invalid_sink_config",
        ),
        (
            json!({ "kind": "webhook", "name": "x", "config": { "url": receiver.url("/") }, "filter": { "from": 1 } }),
            "invalid_filter",
        ),
        (
            json!({ "kind": "webhook", "name": "", "config": { "url": receiver.url("/") } }),
            "invalid_name",
        ),
    ];
    for (body, code) in cases {
        let response = admin.post(&app, &path, &body).await;
        assert_eq!(
            error_code(response, StatusCode::BAD_REQUEST).await,
            code,
            "{body}"
        );
    }
    create_sink(&app, &admin, webhook(&receiver, json!({}))).await;
    let again = admin
        .post(&app, &path, &webhook(&receiver, json!({})))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

#[actix_web::test]
async fn send_test_reports_the_receivers_answer() {
    let app = spawn_app().await;
    app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    let id = create_sink(&app, &admin, webhook(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    let test = format!("/api/v1/environments/{ENV}/sinks/{id}/test");
    let ok: Value = admin
        .post(&app, &test, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ok["ok"], true, "{ok}");
    assert_eq!(ok["status"], 200);
    assert_eq!(
        receiver.accepted()[0].json()[0]["split"],
        "imprint_test_flag"
    );

    receiver.script([Reply::status(503).with_body("down for maintenance")]);
    let failed: Value = admin
        .post(&app, &test, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(failed["ok"], false);
    assert_eq!(failed["status"], 503);
    assert!(failed["answer"]
        .as_str()
        .unwrap()
        .contains("down for maintenance"));
}
