//! The ingestion store on a real database: SQLite by default, PostgreSQL with
//! `IMPRINT_TEST_DB=postgres` (server at `IMPRINT_TEST_POSTGRES_URL` or the local default).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use imprint_domain::ingest::{Event, Impression};
use imprint_store::environments::Actor;
use imprint_store::impressions::ImpressionQuery;
use imprint_store::ingest::{
    CountDelta, EventRecord, ImpressionRecord, IngestStore, TelemetryRecord, UniqueKey, UsageDelta,
    WriteBatch, DEFAULT_DICTIONARY_CAPACITY,
};
use imprint_store::Database;
use sea_orm::{ConnectionTrait, Statement};

mod common;
use common::fresh_database;

const HOUR: i64 = 1_795_255_200_000;
const MONTH: i32 = 202611;

fn impression(key: &str, treatment: &str, properties: Option<&str>) -> Impression {
    Impression {
        flag: "checkout".into(),
        key: key.into(),
        bucketing_key: None,
        treatment: treatment.into(),
        label: Some("default rule".into()),
        change_number: Some(42),
        timestamp: HOUR + 1_000,
        traffic_type: Some("user".into()),
        properties: properties.map(str::to_owned),
        sdk: Some("nodejs-11.0.0".into()),
        machine_ip: None,
        machine_name: Some("host\twith a tab".into()),
    }
}

fn batch(environment_id: i64, flag_id: i64, impressions: Vec<Impression>) -> WriteBatch {
    let count = impressions.len() as i64;
    WriteBatch {
        counts: vec![CountDelta {
            environment_id,
            flag_id,
            hour: HOUR,
            treatment: Some("on".into()),
            count,
        }],
        usage: vec![UsageDelta {
            environment_id,
            hour: HOUR,
            impressions_stored: count,
            ..UsageDelta::default()
        }],
        unique_keys: impressions
            .iter()
            .map(|i| UniqueKey {
                environment_id,
                month: MONTH,
                key: i.key.clone(),
            })
            .collect(),
        impressions: impressions
            .into_iter()
            .map(|impression| ImpressionRecord {
                environment_id,
                flag_id,
                received_at: HOUR + 2_000,
                impression,
                impressions_mode: None,
            })
            .collect(),
        ..WriteBatch::default()
    }
}

async fn count(db: &Database, sql: &str) -> i64 {
    let row = db
        .conn
        .query_one(Statement::from_string(db.conn.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn batches_commit_with_their_strings_counters_and_keys() {
    let (db, _dir) = fresh_database("imprint_t_store").await;
    let actor = Actor {
        id: None,
        label: "test".into(),
    };
    let (env, _) = db
        .create_environment(&actor, "prod", 30, &[])
        .await
        .unwrap();
    let flag = db
        .ensure_flags(env.id, &["checkout".into()])
        .await
        .unwrap()
        .remove(0);
    let store = IngestStore::open(&db, DEFAULT_DICTIONARY_CAPACITY).unwrap();

    let tricky = r#"{"note":"back\\slash, tab\t, newline\n, \\N"}"#;
    let mut first = batch(
        env.id,
        flag.id,
        vec![
            impression("alice", "on", Some(tricky)),
            impression("bob", "on", None),
        ],
    );
    first.events.push(EventRecord {
        environment_id: env.id,
        received_at: HOUR,
        event: Event {
            event_type: "purchase".into(),
            key: "alice".into(),
            traffic_type: Some("user".into()),
            value: Some(9.99),
            timestamp: HOUR,
            properties: None,
            sdk: None,
            machine_ip: None,
            machine_name: None,
        },
    });
    first.telemetry.push(TelemetryRecord {
        environment_id: env.id,
        kind: "usage".into(),
        sdk: None,
        received_at: HOUR,
        body: "{}".into(),
    });
    let written = store.write(first).await.unwrap();
    assert_eq!(written.impressions.len(), 2, "the batch comes back");
    // Same counter rows, a known key and a new one, a known string and a new one.
    let second = batch(
        env.id,
        flag.id,
        vec![
            impression("alice", "on", None),
            impression("carol", "off", None),
        ],
    );
    store.write(second).await.unwrap();

    let query = ImpressionQuery {
        environment_id: env.id,
        ..ImpressionQuery::default()
    };
    let stored = db.impressions_page(&query, 0, 100).await.unwrap();
    let keys: Vec<&str> = stored.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["alice", "bob", "alice", "carol"]);
    assert_eq!(stored[0].properties.as_deref(), Some(tricky));
    assert_eq!(stored[0].machine_name.as_deref(), Some("host\twith a tab"));
    assert_eq!(stored[0].label.as_deref(), Some("default rule"));
    assert_eq!(stored[0].machine_ip, None);
    assert_eq!(stored[3].treatment, "off");
    assert_eq!(stored[3].change_number, Some(42));

    assert_eq!(
        count(
            &db,
            "SELECT CAST(SUM(count) AS BIGINT) FROM impression_counts"
        )
        .await,
        4
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM impression_counts").await,
        1
    );
    let usage = db.usage_totals(env.id, HOUR, HOUR + 1).await.unwrap();
    assert_eq!(usage.impressions_stored, 4);
    assert_eq!(db.unique_keys_in_month(env.id, MONTH).await.unwrap(), 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM events").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sdk_telemetry").await, 1);
    // Each distinct string once: on, off, the label, the SDK, the machine, the traffic type
    // and the event type.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM strings").await, 7);

    // A second store (a restarted writer) learns the ids from the table, not by duplicating.
    let restarted = IngestStore::open(&db, DEFAULT_DICTIONARY_CAPACITY).unwrap();
    restarted
        .write(batch(
            env.id,
            flag.id,
            vec![impression("dave", "off", None)],
        ))
        .await
        .unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM strings").await, 7);
    let stored = db.impressions_page(&query, 0, 100).await.unwrap();
    assert_eq!(stored[4].treatment, "off");
}
