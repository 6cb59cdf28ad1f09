//! Measures a purge of unused strings on a realistic table: stores `rows` impressions (half of
//! them with strings only they use) and deletes that half as retention would, twice. The first
//! purge runs alone: its longest write is how long it holds the database. The second runs
//! while a writer keeps committing small batches: their latency before and during it is what
//! the purge costs ingestion.
//!
//! cargo run -p imprint-store --example strings_purge_probe -- sqlite 1000000
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use imprint_domain::ingest::Impression;
use imprint_store::environments::Actor;
use imprint_store::ingest::{ImpressionRecord, IngestStore, WriteBatch};
use sea_orm::ConnectionTrait;

const PER_BATCH: usize = 20_000;

fn impression(i: usize, expiring: bool, now: i64) -> Impression {
    let tag = if expiring { "old" } else { "kept" };
    Impression {
        flag: "checkout".into(),
        key: format!("{tag}-user-{}", i % 50_000),
        bucketing_key: None,
        // 1,000 treatments and labels used only by the rows that expire.
        treatment: if expiring {
            format!("old-treatment-{}", i % 1_000)
        } else {
            ["on", "off"][i % 2].into()
        },
        label: Some(format!("{tag}-label-{}", i % 5)),
        change_number: Some(1_700_000_000_000),
        timestamp: now,
        traffic_type: Some("user".into()),
        properties: None,
        sdk: Some(format!("nodejs-11.{}", i % 4)),
        machine_ip: Some(format!("10.0.{}.{}", i % 200 / 100, i % 100)),
        machine_name: Some(format!("{tag}-host-{}", i % 200)),
    }
}

fn batch(env: i64, flag: i64, from: usize, len: usize, expiring: bool, now: i64) -> WriteBatch {
    WriteBatch {
        impressions: (from..from + len)
            .map(|i| ImpressionRecord {
                environment_id: env,
                flag_id: flag,
                received_at: now,
                impression: impression(i, expiring, now),
                impressions_mode: Some("OPTIMIZED".into()),
            })
            .collect(),
        ..WriteBatch::default()
    }
}

fn summary(mut latencies: Vec<Duration>) -> String {
    if latencies.is_empty() {
        return "no commits".into();
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    format!(
        "{} commits, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = args.get(1).map(String::as_str).unwrap_or("sqlite");
    let rows: usize = args.get(2).map(|a| a.parse().unwrap()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let server = "postgres://postgres@127.0.0.1:5432/postgres";
    let name = format!("imprint_t_strings_probe_{}", std::process::id());
    let url = match backend {
        "postgres" => imprint_store::provision::create_postgres_database(server, &name)
            .await
            .unwrap(),
        _ => format!("sqlite://{}/imprint.db", dir.path().display()),
    };
    let db = imprint_store::connect(&url).await.unwrap();
    let actor = Actor {
        id: None,
        label: "probe".into(),
    };
    let (env, _) = db
        .create_environment(&actor, "probe", 3650, &[])
        .await
        .unwrap();
    let flag = db
        .ensure_flags(env.id, &["checkout".into()])
        .await
        .unwrap()
        .remove(0);
    let store = IngestStore::open(&db, imprint_store::ingest::DEFAULT_DICTIONARY_CAPACITY).unwrap();
    let now = imprint_store::now_ms();
    let fill = |kept: bool| {
        let store = store.clone();
        let db = db.clone();
        async move {
            let started = Instant::now();
            for from in (0..rows / 2).step_by(PER_BATCH) {
                let len = PER_BATCH.min(rows / 2 - from);
                if kept {
                    let batch = batch(env.id, flag.id, from, len, false, now);
                    store.write(batch).await.unwrap();
                }
                let batch = batch(env.id, flag.id, from, len, true, now);
                store.write(batch).await.unwrap();
            }
            db.conn
                .execute_unprepared("DELETE FROM impressions WHERE key LIKE 'old-%'")
                .await
                .unwrap();
            started.elapsed()
        }
    };
    let took = fill(true).await;
    let count = "SELECT COUNT(*) AS n FROM impressions";
    let stored = db
        .conn
        .query_one(sea_orm::Statement::from_string(
            db.conn.get_database_backend(),
            count,
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    println!(
        "{backend}: {rows} impressions stored, {stored} left after deleting the expiring ones, \
         in {:.1} s",
        took.as_secs_f64()
    );
    let began = Instant::now();
    let alone = db
        .purge_unused_strings(Duration::from_millis(5))
        .await
        .unwrap();
    let alone_took = began.elapsed();
    println!(
        "purge alone: {} strings deleted in {:.0} ms, longest write {:.1} ms",
        alone.deleted,
        alone_took.as_secs_f64() * 1e3,
        alone.longest_write.as_secs_f64() * 1e3
    );
    fill(false).await;

    // A writer committing batches of 100 beside the purge, as SDKs would.
    let commit = |store: IngestStore, i: usize| async move {
        let began = Instant::now();
        store
            .write(batch(env.id, flag.id, i * 100, 100, false, now))
            .await
            .unwrap();
        began.elapsed()
    };
    // As long as a purge takes, for as many samples.
    let mut before = Vec::new();
    let began = Instant::now();
    while began.elapsed() < alone_took {
        before.push(commit(store.clone(), before.len()).await);
    }
    let purge_db = db.clone();
    let purge = tokio::spawn(async move {
        let began = Instant::now();
        let purged = purge_db
            .purge_unused_strings(Duration::from_millis(5))
            .await
            .unwrap();
        (purged, began.elapsed())
    });
    let mut during = Vec::new();
    let mut i = 0;
    while !purge.is_finished() {
        during.push(commit(store.clone(), i).await);
        i += 1;
    }
    let (purged, took) = purge.await.unwrap();
    println!(
        "purge beside the writer: {} strings deleted in {:.0} ms, longest write {:.1} ms",
        purged.deleted,
        took.as_secs_f64() * 1e3,
        purged.longest_write.as_secs_f64() * 1e3
    );
    println!("writer before: {}", summary(before));
    println!("writer during: {}", summary(during));
    drop(store);
    if backend == "postgres" {
        db.conn.close().await.unwrap();
        let admin = sea_orm::Database::connect(server).await.unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
            .await
            .unwrap();
    }
}
