//! Quick probe of the ingestion store: writes bench-like batches for a few seconds and prints
//! impressions per wall second and per CPU second of this process (the SQLite writer thread's
//! work; PostgreSQL's own processes are not in it).
//!
//! cargo run --release -p imprint-store --example ingest_probe -- sqlite 20000 5
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Instant;

use imprint_domain::ingest::Impression;
use imprint_store::environments::Actor;
use imprint_store::ingest::{
    hour_of, month_of, CountDelta, ImpressionRecord, IngestStore, UniqueKey, UsageDelta, WriteBatch,
};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    ticks / 100.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let backend = args.get(1).map(String::as_str).unwrap_or("sqlite");
    let per_txn: usize = args.get(2).map(|a| a.parse().unwrap()).unwrap_or(20_000);
    let secs: u64 = args.get(3).map(|a| a.parse().unwrap()).unwrap_or(5);
    let dir = tempfile::tempdir().unwrap();
    let url = match backend {
        "postgres" => {
            let name = format!("imprint_bench_probe_{}", std::process::id());
            imprint_store::provision::create_postgres_database(
                "postgres://postgres@127.0.0.1:5432/postgres",
                &name,
            )
            .await
            .unwrap()
        }
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
    let names: Vec<String> = (0..20).map(|n| format!("flag_{n}")).collect();
    let flags = db.ensure_flags(env.id, &names).await.unwrap();
    let store = IngestStore::open(&db, imprint_store::ingest::DEFAULT_DICTIONARY_CAPACITY).unwrap();

    let now = imprint_store::now_ms();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut batches = Vec::new();
    for _ in 0..20 {
        let mut batch = WriteBatch::default();
        let mut keys = HashSet::new();
        for r in 0..per_txn {
            let flag = &flags[next(20) as usize];
            let machine = (r / 100) % 16 + 1;
            let impression = Impression {
                flag: flag.name.clone(),
                key: format!("user-{}", next(50_000)),
                bucketing_key: None,
                treatment: ["on", "off"][next(2) as usize].into(),
                label: Some(["default rule", "in segment beta"][next(2) as usize].into()),
                change_number: Some(1_700_000_000_000),
                timestamp: now - next(60_000) as i64,
                traffic_type: None,
                properties: (next(20) == 0).then(|| r#"{"plan":"pro"}"#.into()),
                sdk: Some("nodejs-11.11.2".into()),
                machine_ip: Some(format!("10.0.0.{machine}")),
                machine_name: Some(format!("ip-10-0-0-{machine}")),
            };
            keys.insert(UniqueKey {
                environment_id: env.id,
                month: month_of(impression.timestamp),
                key: impression.key.clone(),
            });
            batch.counts.push(CountDelta {
                environment_id: env.id,
                flag_id: flag.id,
                hour: hour_of(impression.timestamp),
                treatment: Some(impression.treatment.clone()),
                count: 1,
            });
            batch.impressions.push(ImpressionRecord {
                environment_id: env.id,
                flag_id: flag.id,
                received_at: now,
                impression,
                impressions_mode: None,
            });
        }
        batch.usage.push(UsageDelta {
            environment_id: env.id,
            hour: hour_of(now),
            impressions_stored: per_txn as i64,
            ..UsageDelta::default()
        });
        batch.unique_keys = keys.into_iter().collect();
        let (mut merged, _) = WriteBatch::merge([batch]);
        // The writer skips keys it remembers; only the first pass writes them.
        if !batches.is_empty() {
            merged.unique_keys.clear();
        }
        batches.push(merged);
    }
    let (start, cpu) = (Instant::now(), cpu_seconds());
    let mut written = 0usize;
    // A fixed amount of work: the cost per row grows with the index, so equal time would not
    // compare like with like.
    'outer: loop {
        for slot in batches.iter_mut() {
            if written >= secs as usize * 200_000 {
                break 'outer;
            }
            let batch = std::mem::take(slot);
            let batch = store.write(batch).await.unwrap();
            written += batch.impressions.len();
            *slot = batch;
        }
    }
    let (wall, cpu) = (start.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    println!(
        "{backend} {per_txn}/txn: {:.0}/s wall, {:.0}/CPU-s ({written} in {wall:.1}s, cpu {cpu:.1}s)",
        written as f64 / wall,
        written as f64 / cpu
    );
}
