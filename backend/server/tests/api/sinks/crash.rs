//! Kill -9 mid-delivery: the cursor only moves after the receiver accepted, so a restarted
//! server delivers everything that was acknowledged, whatever moment the kill hit.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::crash::{admin_token, start_server_with};
use crate::helpers::fresh_database;

const FAST_RETRIES: [(&str, &str); 2] = [
    ("IMPRINT_SINK_RETRY_BASE_MS", "20"),
    ("IMPRINT_SINK_RETRY_MAX_MS", "200"),
];

type Acknowledged = Arc<Mutex<Vec<String>>>;

/// Starts four senders posting 50-impression batches until the server goes away; they note
/// the keys it acknowledged.
fn load_until_killed(
    base: &str,
    key: &str,
    round: usize,
    acknowledged: &Acknowledged,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut senders = Vec::new();
    for sender in 0..4 {
        let (base, key, acknowledged) = (base.to_owned(), key.to_owned(), acknowledged.clone());
        senders.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for batch in 0.. {
                let now = imprint_store::now_ms();
                let keys: Vec<String> = (0..50)
                    .map(|i| format!("r{round}-s{sender}-b{batch}-{i}"))
                    .collect();
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
                    Ok(r) if r.status() == StatusCode::ACCEPTED => {
                        acknowledged.lock().unwrap().extend(keys)
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    senders
}

#[actix_web::test]
async fn nothing_acknowledged_is_lost_when_the_server_is_killed_mid_delivery() {
    let (url, _dir) = fresh_database().await;
    let mut server = start_server_with(&url, &FAST_RETRIES).await;
    let token = admin_token(&server.base).await;
    let client = reqwest::Client::new();
    let created: Value = client
        .post(format!("{}/api/v1/environments", server.base))
        .bearer_auth(&token)
        .json(&json!({ "name": ENV }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = created["sdk_keys"][0]["key"].as_str().unwrap().to_owned();
    // A slow receiver, so kills land while batches are in flight.
    let receiver = Receiver::with_contract(Arc::new(|_| {
        Reply::status(200).after(Duration::from_millis(150))
    }));
    let mut sink = webhook(&receiver, json!({ "max_batch": 100 }));
    sink["name"] = json!("crash");
    let response = client
        .post(format!("{}/api/v1/environments/{ENV}/sinks", server.base))
        .bearer_auth(&token)
        .json(&sink)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    let acknowledged: Acknowledged = Arc::default();
    for round in 0..3 {
        let before = acknowledged.lock().unwrap().len();
        let senders = load_until_killed(&server.base, &key, round, &acknowledged);
        // Kill only once this round's load is flowing (a loaded machine starts slowly), so
        // each kill lands among acknowledged posts and deliveries in flight.
        for _ in 0..600 {
            if acknowledged.lock().unwrap().len() >= before + 150 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        server.child.kill().unwrap(); // SIGKILL: no shutdown, no flush
        server.child.wait().unwrap();
        for sender in senders {
            sender.await.unwrap();
        }
        server = start_server_with(&url, &FAST_RETRIES).await;
    }
    let acknowledged: HashSet<String> = acknowledged.lock().unwrap().iter().cloned().collect();
    assert!(
        acknowledged.len() > 300,
        "the load reached the server: {}",
        acknowledged.len()
    );

    let mut lost = Vec::new();
    for _ in 0..600 {
        let delivered: HashSet<String> = delivered_keys(&receiver.accepted()).into_iter().collect();
        lost = acknowledged.difference(&delivered).cloned().collect();
        if lost.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        lost.is_empty(),
        "{} acknowledged impressions never reached the receiver, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    let delivered = delivered_keys(&receiver.accepted());
    eprintln!(
        "kill -9 mid-delivery: {} acknowledged, {} delivered, {} delivered twice",
        acknowledged.len(),
        delivered.len(),
        delivered.len() - delivered.iter().collect::<HashSet<_>>().len()
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
