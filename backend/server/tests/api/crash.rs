//! Acknowledged means durably stored: a `kill -9` right after the answers loses none of them
//! and stores none twice. Runs on PostgreSQL too with IMPRINT_TEST_DB=postgres.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

pub struct ServerProcess {
    pub child: Child,
    pub base: String,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_server(database_url: &str) -> ServerProcess {
    start_server_with(database_url, &[]).await
}

/// Starts the real binary with extra environment variables (settings), and waits until it
/// answers.
pub async fn start_server_with(database_url: &str, settings: &[(&str, &str)]) -> ServerProcess {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_imprint"))
        .arg("serve")
        .envs(settings.iter().copied())
        .env("IMPRINT_DATABASE_URL", database_url)
        .env("IMPRINT_BIND", format!("127.0.0.1:{port}"))
        .env("IMPRINT_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("IMPRINT_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..300 {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status().is_success() {
                return ServerProcess { child, base };
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("imprint did not start");
}

pub async fn admin_token(base: &str) -> String {
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
    let created: Value = client
        .post(format!("{base}/api/v1/tokens"))
        .header("X-CSRF-Token", login["csrf_token"].as_str().unwrap())
        .json(&json!({ "name": "crash test" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["token"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn no_acknowledged_impression_is_lost_when_the_server_is_killed() {
    let (url, _dir) = fresh_database().await;
    let mut server = start_server(&url).await;
    let token = admin_token(&server.base).await;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{}/api/v1/environments", server.base))
        .bearer_auth(&token)
        .json(&json!({ "name": "production" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = created["sdk_keys"][0]["key"].as_str().unwrap().to_owned();

    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let mut senders = Vec::new();
    for sender in 0..8 {
        let (client, base, key, acknowledged) = (
            client.clone(),
            server.base.clone(),
            key.clone(),
            acknowledged.clone(),
        );
        senders.push(tokio::spawn(async move {
            for batch in 0.. {
                let now = chrono::Utc::now().timestamp_millis();
                let keys: Vec<String> = (0..50).map(|i| format!("s{sender}-b{batch}-{i}")).collect();
                let items: Vec<Value> = keys
                    .iter()
                    .map(|k| json!({ "flag": "checkout", "key": k, "treatment": "on", "timestamp": now }))
                    .collect();
                let sent = client
                    .post(format!("{base}/api/v1/impressions"))
                    .bearer_auth(&key)
                    .json(&items)
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status() == StatusCode::ACCEPTED => acknowledged.lock().unwrap().extend(keys),
                    Ok(_) => {}
                    Err(_) => break, // the server is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.child.wait().unwrap();
    for sender in senders {
        sender.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 500,
        "the load reached the server: {}",
        acknowledged.len()
    );

    let mut restarted = start_server(&url).await;
    let exported = client
        .get(format!(
            "{}/api/v1/environments/production/impressions/export?format=ndjson",
            restarted.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let stored_rows: Vec<String> = exported
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let stored: HashSet<String> = stored_rows.iter().cloned().collect();
    assert_eq!(
        stored.len(),
        stored_rows.len(),
        "no impression is stored twice"
    );
    let lost: Vec<&String> = acknowledged.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged impressions were lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    restarted.child.kill().unwrap();
    restarted.child.wait().unwrap();
}
