//! Delivery when receivers misbehave: refused connections, 5xx, 429 with Retry-After, 400,
//! 401, 413; dead letters and their retry; replay; pausing.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};

use super::*;
use crate::helpers::spawn_app_with;

fn accept_all() -> receiver::Contract {
    Arc::new(|_| Reply::status(200))
}

#[actix_web::test]
async fn a_receiver_that_refuses_fails_and_throttles_still_gets_everything_once() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let mut receiver = Receiver::not_listening(accept_all());
    let id = create_sink(&app, &admin, webhook(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();

    post_impressions(&app, &env, "flag", &keys("a", 5)).await;
    let failing = wait_for_sink(&app, &admin, id, "a failure", |s| s["status"] == "failing").await;
    assert!(
        failing["last_error"].as_str().unwrap().contains("onnect"),
        "{failing}"
    );
    post_impressions(&app, &env, "flag", &keys("b", 5)).await;

    receiver.script([
        Reply::status(500).with_body("oops"),
        Reply::status(429).with_header("Retry-After", "1"),
    ]);
    receiver.listen();
    post_impressions(&app, &env, "flag", &keys("c", 5)).await;
    receiver
        .wait_for(30, "all 15 impressions", |r| delivered_keys(r).len() >= 15)
        .await;
    post_impressions(&app, &env, "flag", &keys("d", 5)).await;
    receiver
        .wait_for(30, "all 20 impressions", |r| delivered_keys(r).len() >= 20)
        .await;

    let requests = receiver.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(&statuses[..2], [500, 429]);
    let waited = requests[2].at.duration_since(requests[1].at);
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After ignored: {waited:?}"
    );
    // The failed attempts carried the same batch under the same webhook-id.
    assert_eq!(
        requests[0].header("webhook-id"),
        requests[2].header("webhook-id")
    );

    let delivered = delivered_keys(&requests);
    let unique: HashSet<&String> = delivered.iter().collect();
    assert_eq!(delivered.len(), 20, "duplicates: {delivered:?}");
    assert_eq!(unique.len(), 20);
    let status = wait_for_sink(&app, &admin, id, "recovery", |s| s["status"] == "active").await;
    assert_eq!(status["delivered"], 20);
    assert!(status["failed"].as_i64().unwrap() >= 3);
}

#[actix_web::test]
async fn rejected_batches_become_dead_letters_that_can_be_retried() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    receiver.script([Reply::status(400).with_body("{\"error\":\"bad field\"}")]);
    let id = create_sink(&app, &admin, webhook(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "flag", &keys("rejected", 3)).await;
    wait_for_sink(&app, &admin, id, "a dead letter", |s| {
        s["dead_lettered"] == 3
    })
    .await;
    post_impressions(&app, &env, "flag", &keys("later", 2)).await;
    receiver
        .wait_for(30, "the later batch", |r| delivered_keys(r).len() >= 2)
        .await;

    let letters_path = format!("/api/v1/environments/{ENV}/sinks/{id}/dead-letters");
    let letters: Value = admin.get(&app, &letters_path).await.json().await.unwrap();
    assert_eq!(letters.as_array().unwrap().len(), 1, "{letters}");
    assert_eq!(letters[0]["rows"], 3);
    assert_eq!(letters[0]["stream"], "impressions");
    assert!(letters[0]["error"]
        .as_str()
        .unwrap()
        .contains("HTTP 400: {\"error\":\"bad field\"}"));

    let retried: Value = admin
        .post(&app, &format!("{letters_path}/retry"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retried["delivered"], 1, "{retried}");
    let mut delivered = delivered_keys(&receiver.requests());
    delivered.sort();
    let mut expected = [keys("later", 2), keys("rejected", 3)].concat();
    expected.sort();
    assert_eq!(delivered, expected);
    let letters: Value = admin.get(&app, &letters_path).await.json().await.unwrap();
    assert_eq!(letters, json!([]));
    assert_eq!(sink(&app, &admin, id).await["dead_lettered"], 0);
}

#[actix_web::test]
async fn a_refused_sink_pauses_itself_and_resumes_where_it_stopped() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    receiver.script([Reply::status(401).with_body("invalid token")]);
    let id = create_sink(&app, &admin, webhook(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "flag", &keys("first", 3)).await;
    let paused = wait_for_sink(&app, &admin, id, "paused", |s| s["status"] == "paused").await;
    assert!(
        paused["paused_reason"]
            .as_str()
            .unwrap()
            .contains("HTTP 401: invalid token"),
        "{paused}"
    );
    post_impressions(&app, &env, "flag", &keys("second", 3)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.requests().len(), 1, "a paused sink sent something");

    let resumed: Value = admin
        .post(
            &app,
            &format!("/api/v1/environments/{ENV}/sinks/{id}/resume"),
            &json!({}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resumed["status"], "active");
    receiver
        .wait_for(30, "both batches", |r| delivered_keys(r).len() >= 6)
        .await;
    assert_eq!(delivered_keys(&receiver.requests()).len(), 6);
}

#[actix_web::test]
async fn too_large_batches_are_split_until_they_fit() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    receiver.script([Reply::status(413), Reply::status(413)]);
    let id = create_sink(&app, &admin, webhook(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "flag", &keys("big", 8)).await;
    wait_for_sink(&app, &admin, id, "8 deliveries", |s| s["delivered"] == 8).await;
    let sizes: Vec<usize> = receiver
        .requests()
        .iter()
        .map(|r| r.json().as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [8, 4, 2, 2, 4], "{sizes:?}");
}

#[actix_web::test]
async fn a_replay_delivers_again_and_says_how_many_are_duplicates() {
    let app = spawn_quick_app().await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::start();
    let id = create_sink(&app, &admin, webhook(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "flag", &keys("once", 4)).await;
    wait_for_sink(&app, &admin, id, "4 deliveries", |s| s["delivered"] == 4).await;

    let replay: Value = admin
        .post(
            &app,
            &format!("/api/v1/environments/{ENV}/sinks/{id}/replay"),
            &json!({ "from": "2020-01-01T00:00:00Z" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(replay["duplicates"], 4, "{replay}");
    assert_eq!(replay["rows_to_deliver"], 4);
    receiver
        .wait_for(30, "the replay", |r| delivered_keys(r).len() >= 8)
        .await;
    let ids: HashSet<String> = receiver
        .accepted()
        .iter()
        .filter_map(|r| r.header("webhook-id").map(str::to_owned))
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "a replayed batch keeps its webhook-id: {ids:?}"
    );
}

#[actix_web::test]
async fn batches_out_of_attempts_are_set_aside_and_long_failures_pause_the_sink() {
    let app = spawn_app_with(|s| {
        s.sinks.sink_retry_base_ms = 20;
        s.sinks.sink_retry_max_ms = 50;
        s.sinks.sink_max_attempts = 3;
        s.sinks.sink_pause_after_seconds = 1;
    })
    .await;
    let env = app.environment(ENV).await;
    let admin = app.admin_session().await;
    let receiver = Receiver::with_contract(Arc::new(|_| Reply::status(503)));
    let id = create_sink(&app, &admin, webhook(&receiver, json!({}))).await["id"]
        .as_i64()
        .unwrap();
    post_impressions(&app, &env, "flag", &keys("x", 2)).await;
    wait_for_sink(&app, &admin, id, "a dead letter", |s| {
        s["dead_lettered"] == 2
    })
    .await;
    // The sink has been failing since the first attempt; the next failure after a second
    // of it pauses the sink.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    post_impressions(&app, &env, "flag", &keys("y", 2)).await;
    let paused = wait_for_sink(&app, &admin, id, "paused", |s| s["status"] == "paused").await;
    let reason = paused["paused_reason"].as_str().unwrap();
    assert!(
        reason.contains("failing for 1 s") && reason.contains("HTTP 503"),
        "{reason}"
    );
}
