//! The writer's side of "one request never fails another": a batch the database refuses
//! (on PostgreSQL, a NUL in a key) fails alone even when it shares a group commit with valid
//! batches. Validation keeps such values out of the HTTP path, so this drives the writer
//! directly, on the test's real database.

use futures::future::join_all;
use imprint_domain::ingest::Impression;
use imprint_server::actors::writer::{WriteError, Writer, WriterLimits};
use imprint_store::ingest::{ImpressionRecord, WriteBatch};
use imprint_store::Backend;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::*;

fn batch(keys: &[String]) -> WriteBatch {
    let now = chrono::Utc::now().timestamp_millis();
    WriteBatch {
        impressions: keys
            .iter()
            .map(|key| ImpressionRecord {
                environment_id: 1,
                flag_id: 1,
                received_at: now,
                impression: Impression {
                    flag: "checkout".into(),
                    key: key.clone(),
                    bucketing_key: None,
                    treatment: "on".into(),
                    label: None,
                    change_number: None,
                    timestamp: now,
                    traffic_type: None,
                    properties: None,
                    sdk: None,
                    machine_ip: None,
                    machine_name: None,
                },
                impressions_mode: None,
            })
            .collect(),
        ..WriteBatch::default()
    }
}

#[actix_web::test]
async fn a_refused_batch_fails_alone_and_its_group_is_stored() {
    let app = spawn_app().await;
    let writer = Writer::start(app.db.clone(), WriterLimits::default());
    // A large first batch keeps the writer busy while the others queue into one group.
    let warmup: Vec<String> = (0..5_000).map(|i| format!("warm-{i}")).collect();
    let valid: Vec<Vec<String>> = (0..8)
        .map(|r| (0..50).map(|i| format!("valid-{r}-{i}")).collect())
        .collect();
    let culprit = vec!["nul\u{0}key".to_owned()];

    let (warm, culprit_result, valid_results) = futures::join!(
        writer.record(batch(&warmup)),
        writer.record(batch(&culprit)),
        join_all(valid.iter().map(|keys| writer.record(batch(keys)))),
    );
    warm.unwrap();
    for result in valid_results {
        result.expect("a valid batch is stored whatever shares its transaction");
    }
    match app.db.backend {
        // PostgreSQL refuses NUL in text: the input's fault, a 4xx for its request.
        Backend::Postgres => assert!(
            matches!(culprit_result, Err(WriteError::Rejected(_))),
            "{culprit_result:?}"
        ),
        // SQLite stores it; validation keeps it out on both databases alike.
        Backend::Sqlite => culprit_result.unwrap(),
    }
    let stored = app
        .db
        .conn
        .query_one(Statement::from_string(
            app.db.conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM impressions WHERE key LIKE 'valid-%'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(stored, 400, "every valid impression once");
    assert!(writer.healthy(), "a refused input leaves ingestion ready");
}
