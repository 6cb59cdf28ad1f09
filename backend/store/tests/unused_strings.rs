//! The purge of unused dictionary strings on a real database (SQLite by default, PostgreSQL
//! with `IMPRINT_TEST_DB=postgres`): what it deletes, what it keeps, and that no row ever
//! points to a deleted string, however it interleaves with ingestion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use imprint_domain::ingest::{Event, Impression};
use imprint_store::environments::Actor;
use imprint_store::impressions::ImpressionQuery;
use imprint_store::ingest::{
    CountDelta, EventRecord, ImpressionRecord, IngestStore, WriteBatch, DEFAULT_DICTIONARY_CAPACITY,
};
use imprint_store::Database;
use sea_orm::{ConnectionTrait, Statement};

mod common;
use common::fresh_database;

const T: i64 = 1_795_255_200_000;

/// An environment with one flag: their ids.
async fn environment(db: &Database) -> (i64, i64) {
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
    (env.id, flag.id)
}

/// One impression of `key` whose treatment, label and SDK are the strings given, with its
/// hourly count.
fn impression(ids: (i64, i64), key: &str, strings: [&str; 3]) -> WriteBatch {
    let [treatment, label, sdk] = strings;
    let (environment_id, flag_id) = ids;
    WriteBatch {
        impressions: vec![ImpressionRecord {
            environment_id,
            flag_id,
            received_at: T,
            impression: Impression {
                flag: "checkout".into(),
                key: key.into(),
                bucketing_key: None,
                treatment: treatment.into(),
                label: Some(label.into()),
                change_number: None,
                timestamp: T,
                traffic_type: None,
                properties: None,
                sdk: Some(sdk.into()),
                machine_ip: None,
                machine_name: None,
            },
            impressions_mode: Some("DEBUG".into()),
        }],
        counts: vec![CountDelta {
            environment_id,
            flag_id,
            hour: T,
            treatment: Some(treatment.into()),
            count: 1,
        }],
        ..WriteBatch::default()
    }
}

fn event(environment_id: i64, key: &str, event_type: &str) -> EventRecord {
    EventRecord {
        environment_id,
        received_at: T,
        event: Event {
            event_type: event_type.into(),
            key: key.into(),
            traffic_type: Some("user".into()),
            value: None,
            timestamp: T,
            properties: None,
            sdk: None,
            machine_ip: None,
            machine_name: None,
        },
    }
}

/// Runs `;`-separated statements one by one.
async fn execute(db: &Database, sql: &str) {
    for statement in sql.split(';') {
        db.conn.execute_unprepared(statement).await.unwrap();
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

async fn has_string(db: &Database, value: &str) -> bool {
    count(
        db,
        &format!("SELECT COUNT(*) FROM strings WHERE value = '{value}'"),
    )
    .await
        == 1
}

/// Rows whose string id names no string, over every referencing column.
async fn dangling_references(db: &Database) -> i64 {
    let columns = [
        ("impressions", "treatment_id"),
        ("impressions", "label_id"),
        ("impressions", "sdk_id"),
        ("impressions", "impressions_mode_id"),
        ("events", "event_type_id"),
        ("events", "traffic_type_id"),
        ("impression_counts", "NULLIF(treatment_id, 0)"),
    ];
    let mut total = 0;
    for (table, column) in columns {
        total += count(
            db,
            &format!(
                "SELECT COUNT(*) FROM {table} r WHERE {column} IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM strings s WHERE s.id = {column})"
            ),
        )
        .await;
    }
    total
}

#[tokio::test]
async fn only_strings_no_row_uses_go_and_a_writer_that_knew_them_stores_them_again() {
    let (db, _dir) = fresh_database("imprint_t_strings").await;
    let ids = environment(&db).await;
    let store = IngestStore::open(&db, DEFAULT_DICTIONARY_CAPACITY).unwrap();
    let mut gone = impression(ids, "old", ["gone-t", "gone-label", "gone-sdk"]);
    gone.events.push(event(ids.0, "old", "gone-event"));
    store.write(gone).await.unwrap();
    // "kept-t" stays in use by an hourly count only.
    let counted = impression(ids, "counted", ["kept-t", "kept-label", "kept-sdk"]);
    store.write(counted).await.unwrap();
    store
        .write(impression(ids, "new", ["on", "kept-label", "kept-sdk"]))
        .await
        .unwrap();
    execute(
        &db,
        "DELETE FROM impressions WHERE key IN ('old', 'counted'); DELETE FROM events",
    )
    .await;
    execute(
        &db,
        "DELETE FROM impression_counts WHERE treatment_id = \
         (SELECT id FROM strings WHERE value = 'gone-t')",
    )
    .await;

    let purged = db.purge_unused_strings(Duration::ZERO).await.unwrap();

    assert_eq!(
        purged.deleted, 5,
        "the treatment, label, SDK, event and traffic type"
    );
    let mut in_use = purged.in_use[&ids.0].clone();
    in_use.sort();
    assert_eq!(in_use, ["DEBUG", "kept-label", "kept-sdk", "kept-t", "on"]);
    for value in ["gone-t", "gone-label", "gone-sdk", "gone-event", "user"] {
        assert!(!has_string(&db, value).await, "{value} is purged");
    }
    for value in ["kept-t", "kept-label", "kept-sdk", "on", "DEBUG"] {
        assert!(has_string(&db, value).await, "{value} is still used");
    }
    let again = db.purge_unused_strings(Duration::ZERO).await.unwrap();
    assert_eq!(again.deleted, 0);

    // The writer remembered the purged strings' ids; it must look them up again.
    let mut again = impression(ids, "again", ["gone-t", "gone-label", "gone-sdk"]);
    again.events.push(event(ids.0, "again", "gone-event"));
    store.write(again).await.unwrap();
    assert_eq!(dangling_references(&db).await, 0);
    let query = ImpressionQuery {
        environment_id: ids.0,
        ..ImpressionQuery::default()
    };
    let stored = db.impressions_page(&query, 0, 100).await.unwrap();
    let again = stored.iter().find(|i| i.key == "again").unwrap();
    assert_eq!(again.treatment, "gone-t");
    assert_eq!(again.label.as_deref(), Some("gone-label"));
    assert_eq!(again.sdk.as_deref(), Some("gone-sdk"));
}

#[tokio::test]
async fn the_newest_string_is_kept_so_sqlite_never_hands_an_id_out_twice() {
    let (db, _dir) = fresh_database("imprint_t_strings").await;
    let ids = environment(&db).await;
    let store = IngestStore::open(&db, DEFAULT_DICTIONARY_CAPACITY).unwrap();
    store
        .write(impression(ids, "k", ["a", "b", "c"]))
        .await
        .unwrap();
    execute(
        &db,
        "DELETE FROM impressions; DELETE FROM impression_counts",
    )
    .await;
    let newest = count(&db, "SELECT MAX(id) FROM strings").await;

    db.purge_unused_strings(Duration::ZERO).await.unwrap();

    assert_eq!(count(&db, "SELECT MAX(id) FROM strings").await, newest);
    store
        .write(impression(ids, "k", ["x", "y", "z"]))
        .await
        .unwrap();
    assert_eq!(
        count(
            &db,
            &format!("SELECT MIN(id) FROM strings WHERE id <> {newest}")
        )
        .await,
        newest + 1,
        "new strings are numbered past every id handed out before"
    );
}

/// A writer keeps storing impressions whose strings keep falling out of use, while purges
/// run one after another: whichever way they interleave, no row is left without its string.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purges_beside_a_busy_writer_never_leave_a_row_without_its_strings() {
    let (db, _dir) = fresh_database("imprint_t_strings").await;
    let ids = environment(&db).await;
    let store = IngestStore::open(&db, DEFAULT_DICTIONARY_CAPACITY).unwrap();
    let writer = tokio::spawn(async move {
        for i in 0..300 {
            // A few strings come back again and again, others are new each time.
            let treatment = format!("t{}", i % 3);
            let label = format!("label{}", i % 7);
            let sdk = format!("sdk{i}");
            let mut batch = impression(ids, &format!("k{i}"), [&treatment, &label, &sdk]);
            batch.events.push(event(ids.0, "k", &format!("e{}", i % 5)));
            store.write(batch).await.unwrap();
        }
    });
    let mut deleted = 0;
    while !writer.is_finished() {
        // Rows stored since the last purge, checked before they are deleted.
        assert_eq!(dangling_references(&db).await, 0);
        execute(
            &db,
            "DELETE FROM impressions; DELETE FROM events; DELETE FROM impression_counts",
        )
        .await;
        deleted += db
            .purge_unused_strings(Duration::ZERO)
            .await
            .unwrap()
            .deleted;
    }
    writer.await.unwrap();
    assert!(deleted > 0, "strings fell out of use and were purged");
    assert_eq!(dangling_references(&db).await, 0);
}
