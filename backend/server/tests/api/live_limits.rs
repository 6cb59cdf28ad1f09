//! Live tails are capped per user and per server; past a cap the answer is 429 naming it, and
//! a closed tail gives its place back.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const LIVE: &str = "/api/v1/environments/production/impressions/live";

async fn open(app: &TestApp, token: &str) -> Response {
    reqwest::Client::new()
        .get(app.url(LIVE))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn token(app: &TestApp, session: &Session) -> String {
    let created: Value = session
        .post(app, "/api/v1/tokens", &json!({ "name": "tail" }))
        .await
        .json()
        .await
        .unwrap();
    created["token"].as_str().unwrap().to_owned()
}

async fn refused_naming(response: Response, limit: &str) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "too_many_requests");
    assert!(body["message"].as_str().unwrap().contains(limit), "{body}");
}

#[actix_web::test]
async fn live_tails_are_capped_per_user_and_per_server() {
    let app = spawn_app_with(|s| {
        s.accounts.live_tails_per_user = 2;
        s.accounts.live_tails_per_server = 3;
    })
    .await;
    app.environment("production").await;
    let viewer = token(&app, &app.user_with_role("viewer").await).await;
    let editor = token(&app, &app.user_with_role("editor").await).await;

    let first = open(&app, &viewer).await;
    assert_eq!(first.status(), StatusCode::OK);
    let second = open(&app, &viewer).await;
    assert_eq!(second.status(), StatusCode::OK);
    refused_naming(open(&app, &viewer).await, "IMPRINT_LIVE_TAILS_PER_USER").await;

    let third = open(&app, &editor).await;
    assert_eq!(third.status(), StatusCode::OK);
    refused_naming(open(&app, &editor).await, "IMPRINT_LIVE_TAILS_PER_SERVER").await;

    // Closing a tail frees its place once the server notices (at its next heartbeat).
    drop(first);
    let mut reopened = None;
    for _ in 0..100 {
        let response = open(&app, &viewer).await;
        if response.status() == StatusCode::OK {
            reopened = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "a closed tail gives its place back");
    drop((second, third));
}

#[actix_web::test]
async fn a_tail_whose_client_stops_reading_is_ended_and_gives_its_place_back() {
    let app = spawn_app_with(|s| {
        s.accounts.live_tails_per_user = 1;
        s.accounts.stream_stall_timeout_seconds = 1;
    })
    .await;
    let env = app.environment("production").await;
    let viewer = token(&app, &app.user_with_role("viewer").await).await;
    let stalled = reqwest::Client::new()
        .get(app.url(&format!("{LIVE}?max_rate=2000")))
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(stalled.status(), StatusCode::OK);
    refused_naming(open(&app, &viewer).await, "IMPRINT_LIVE_TAILS_PER_USER").await;

    // Impressions keep coming while the stalled client reads nothing: its buffers fill, the
    // tail gives up on it, and its place is free again.
    let filler = "x".repeat(200);
    let t = chrono::Utc::now().timestamp_millis();
    let mut reopened = None;
    for round in 0..60 {
        let items: Vec<Value> = (0..2_000)
            .map(|i| {
                json!({ "flag": "busy", "key": format!("k{round}-{i}"), "treatment": "on",
                        "timestamp": t,
                        "properties": { "a": filler, "b": filler, "c": filler, "d": filler } })
            })
            .collect();
        let posted = app
            .sdk_post(
                "/api/v1/impressions",
                &env.server_key,
                &[],
                "application/json",
                json!(items).to_string(),
            )
            .await;
        assert_eq!(posted.status(), StatusCode::ACCEPTED);
        tokio::time::sleep(Duration::from_millis(200)).await;
        let response = open(&app, &viewer).await;
        if response.status() == StatusCode::OK {
            reopened = Some(response);
            break;
        }
    }
    assert!(
        reopened.is_some(),
        "a tail that stopped reading must not hold its place"
    );
    drop(stalled);
}
