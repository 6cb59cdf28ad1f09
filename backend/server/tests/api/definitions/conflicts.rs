//! Concurrent edits of one flag: `If-Match` preconditions, 409 with the current change number,
//! and kills or restores that never undo an edit.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;

fn checkout_definition(description: &str) -> Value {
    json!({
        "name": "checkout", "traffic_type": "user", "default_treatment": "off",
        "description": description,
        "treatments": [{ "name": "on" }, { "name": "off" }],
        "rules": [], "default_rule": { "treatment": "on" }
    })
}

async fn put_if_match(
    session: &Session,
    app: &TestApp,
    change_number: i64,
    body: &Value,
) -> reqwest::Response {
    session
        .client
        .put(app.url("/api/v1/environments/production/flags/checkout/definition"))
        .header("X-CSRF-Token", &session.csrf)
        .header("If-Match", format!("\"{change_number}\""))
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn conflict_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "conflict", "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    body
}

#[actix_web::test]
async fn an_edit_made_against_an_outdated_change_number_conflicts_with_the_current_one() {
    let app = spawn_app().await;
    app.environment("production").await;
    let alice = app.user_with_role("editor").await;
    let bob = app.user_with_role("editor").await;
    let path = "/api/v1/environments/production/flags/checkout";
    let created: Value = put_json(
        &alice,
        &app,
        &format!("{path}/definition"),
        &checkout_definition("v1"),
    )
    .await
    .json()
    .await
    .unwrap();
    let seen_by_both = created["change_number"].as_i64().unwrap();

    let bobs = put_if_match(&bob, &app, seen_by_both, &checkout_definition("bob's")).await;
    assert_eq!(bobs.status(), StatusCode::OK);
    let bobs: Value = bobs.json().await.unwrap();
    let current = bobs["change_number"].as_i64().unwrap();
    assert!(current > seen_by_both);

    let alices = put_if_match(&alice, &app, seen_by_both, &checkout_definition("alice's")).await;
    let conflict = conflict_of(alices).await;
    assert_eq!(conflict["current_change_number"], current);
    let stored: Value = alice.get(&app, path).await.json().await.unwrap();
    assert_eq!(
        stored["definition"]["description"], "bob's",
        "nothing was overwritten"
    );

    // The flag's ETag is the number to send back.
    let reread = alice.get(&app, path).await;
    let etag = reread.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{current}\""));
    let retried = alice
        .client
        .put(app.url(&format!("{path}/definition")))
        .header("X-CSRF-Token", &alice.csrf)
        .header("If-Match", etag)
        .json(&checkout_definition("alice's"))
        .send()
        .await
        .unwrap();
    assert_eq!(retried.status(), StatusCode::OK);

    let garbled = alice
        .client
        .put(app.url(&format!("{path}/definition")))
        .header("X-CSRF-Token", &alice.csrf)
        .header("If-Match", "yesterday")
        .json(&checkout_definition("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(garbled, StatusCode::BAD_REQUEST).await,
        "invalid_if_match"
    );
}

#[actix_web::test]
async fn a_kill_against_an_outdated_change_number_conflicts_and_a_kill_keeps_the_newest_edit() {
    let app = spawn_app().await;
    app.environment("production").await;
    let alice = app.user_with_role("editor").await;
    let bob = app.user_with_role("editor").await;
    let path = "/api/v1/environments/production/flags/checkout";
    let created: Value = put_json(
        &alice,
        &app,
        &format!("{path}/definition"),
        &checkout_definition("v1"),
    )
    .await
    .json()
    .await
    .unwrap();
    let seen = created["change_number"].as_i64().unwrap();
    let edited: Value = put_json(
        &bob,
        &app,
        &format!("{path}/definition"),
        &checkout_definition("bob's"),
    )
    .await
    .json()
    .await
    .unwrap();
    let current = edited["change_number"].as_i64().unwrap();

    let stale_kill = alice
        .post(
            &app,
            &format!("{path}/kill"),
            &json!({ "change_number": seen }),
        )
        .await;
    assert_eq!(
        conflict_of(stale_kill).await["current_change_number"],
        current
    );
    let stored: Value = alice.get(&app, path).await.json().await.unwrap();
    assert_eq!(stored["definition"]["killed"], false);

    // Without a number, the kill applies to the newest definition: bob's edit stays.
    let killed: Value = alice
        .post(&app, &format!("{path}/kill"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(killed["definition"]["killed"], true);
    assert_eq!(killed["definition"]["description"], "bob's");
    let restored = alice
        .client
        .post(app.url(&format!("{path}/restore")))
        .header("X-CSRF-Token", &alice.csrf)
        .header("If-Match", killed["change_number"].to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(restored.status(), StatusCode::OK);
    let restored: Value = restored.json().await.unwrap();
    assert_eq!(restored["definition"]["killed"], false);
    assert_eq!(restored["definition"]["description"], "bob's");
}

#[actix_web::test]
async fn concurrent_kills_restores_and_edits_never_lose_an_edit() {
    let app = spawn_app().await;
    app.environment("production").await;
    let admin = app.admin_session().await;
    let path = "/api/v1/environments/production/flags/checkout";
    put_json(
        &admin,
        &app,
        &format!("{path}/definition"),
        &checkout_definition("v0"),
    )
    .await;

    // Editors that each read the flag and write against what they read: every write either
    // lands on the number it saw or answers 409; none lands on a number it did not see.
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (client, csrf) = (admin.client.clone(), admin.csrf.clone());
        let app_url = app.address.clone();
        tasks.push(tokio::spawn(async move {
            let url = |p: &str| format!("{app_url}{p}");
            let seen: Value = client
                .get(url(path))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let seen = seen["change_number"].as_i64().unwrap();
            let request = match i % 3 {
                0 => client
                    .put(url(&format!("{path}/definition")))
                    .json(&checkout_definition(&format!("edit {i}"))),
                1 => client.post(url(&format!("{path}/kill"))),
                _ => client.post(url(&format!("{path}/restore"))),
            };
            let response = request
                .header("X-CSRF-Token", &csrf)
                .header("If-Match", seen.to_string())
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            (status, seen, body)
        }));
    }
    let mut landed = Vec::new();
    for task in tasks {
        let (status, seen, body) = task.await.unwrap();
        match status {
            StatusCode::OK => landed.push((seen, body["change_number"].as_i64().unwrap())),
            StatusCode::CONFLICT => {
                assert_eq!(body["code"], "conflict");
                assert_ne!(body["current_change_number"], seen, "{body}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(!landed.is_empty());
    // The writes that landed form one chain: each started from the one before.
    landed.sort();
    for pair in landed.windows(2) {
        assert_eq!(pair[1].0, pair[0].1, "{landed:?}");
    }
}
