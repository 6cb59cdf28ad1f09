//! The storage ceiling: the rows the server would write for the same bodies, written straight
//! into a fresh database of the same backend through the store's ingestion path
//! (`IngestStore`, which the server's writer actor calls), with no HTTP, parsing or actors in
//! between. The HTTP figure divided by this one is how much of the
//! database's speed the server delivers.
//!
//! To compare like with like, this mirrors the server (backend/server/src/ingest.rs and
//! actors/writer.rs): each request becomes a batch of impressions plus its hourly counts, one
//! usage row and its unique keys; the writer merges many requests into one transaction and
//! skips keys it has already written.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use anyhow::Context;
use imprint_domain::ingest::{parse_split_impressions, Impression, IngestLimits};
use imprint_store::environments::Actor;
use imprint_store::ingest::{
    hour_of, month_of, CountDelta, ImpressionRecord, IngestStore, UniqueKey, UsageDelta,
    WriteBatch, DEFAULT_DICTIONARY_CAPACITY,
};
use imprint_store::Database;
use serde::Serialize;

use crate::process_stats::{CpuMark, CpuUse};
use crate::workload::{Machine, Workload, IMPRESSIONS_PER_BODY};

const RETENTION_DAYS: i64 = 3650;

/// One transaction size, measured.
#[derive(Debug, Clone, Serialize)]
pub struct CeilingRun {
    pub impressions_per_transaction: usize,
    pub impressions_per_sec: f64,
    pub transactions: u64,
    pub seconds: f64,
    pub cpu: CpuUse,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ceiling {
    pub runs: Vec<CeilingRun>,
}

impl Ceiling {
    pub fn best(&self) -> Option<&CeilingRun> {
        self.runs
            .iter()
            .max_by(|a, b| a.impressions_per_sec.total_cmp(&b.impressions_per_sec))
    }
}

/// Measures each transaction size for `duration`, after a warm-up that fills the string
/// dictionary and the unique keys as the server's warm-up does.
pub async fn measure_ceiling(
    database_url: &str,
    workload: &Workload,
    transaction_sizes: &[usize],
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Ceiling> {
    let db = imprint_store::connect(database_url)
        .await
        .context("connecting to the ceiling's database")?;
    let requests = request_batches(&db, workload).await?;
    let mut writer = CeilingWriter {
        store: IngestStore::open(&db, DEFAULT_DICTIONARY_CAPACITY)
            .context("opening the ingestion store")?,
        remembered_keys: HashSet::new(),
    };
    if let Some(&first) = transaction_sizes.first() {
        writer
            .write_for(&mut transactions(&requests, first), warmup)
            .await?;
    }
    let mut runs = Vec::with_capacity(transaction_sizes.len());
    for &size in transaction_sizes {
        // Built before the clock starts: merging is the writer's work, not the database's.
        let mut transactions = transactions(&requests, size);
        let cpu = CpuMark::now(None)?;
        let (impressions, count, elapsed) = writer.write_for(&mut transactions, duration).await?;
        let cpu = cpu.until_now()?;
        runs.push(CeilingRun {
            impressions_per_transaction: size,
            impressions_per_sec: impressions as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
            transactions: count,
            seconds: elapsed.as_secs_f64(),
            cpu,
        });
    }
    // The SQLite store's writer thread ends with its last handle.
    drop(writer);
    db.conn
        .close()
        .await
        .context("closing the ceiling's database")?;
    Ok(Ceiling { runs })
}

/// What one HTTP request's handler hands the writer, for every body of the pool.
async fn request_batches(db: &Database, workload: &Workload) -> anyhow::Result<Vec<WriteBatch>> {
    let actor = Actor {
        id: None,
        label: "bench".into(),
    };
    let (environment, _) = db
        .create_environment(&actor, "ceiling", RETENTION_DAYS as i32, &[])
        .await
        .context("creating the ceiling's environment")?;
    let flag_ids: HashMap<String, i64> = db
        .ensure_flags(environment.id, &workload.flag_names)
        .await
        .context("registering the ceiling's flags")?
        .into_iter()
        .map(|flag| (flag.name, flag.id))
        .collect();

    let now = imprint_store::now_ms();
    let limits = IngestLimits::new(now, RETENTION_DAYS);
    workload
        .bodies
        .iter()
        .map(|body| {
            // The server's own parser, so the rows are exactly those the server would write.
            let meta = Machine::of(body.machine).metadata();
            let parsed = parse_split_impressions(&body.json, &meta, &limits)
                .map_err(|e| anyhow::anyhow!("a generated body does not parse: {e}"))?;
            anyhow::ensure!(
                parsed.rejected.is_empty() && parsed.items.len() == IMPRESSIONS_PER_BODY,
                "a generated body has rejected items: {:?}",
                parsed.rejected
            );
            Ok(request_batch(environment.id, &flag_ids, parsed.items, now))
        })
        .collect()
}

/// The rows of one request, derived as `Ingest::impressions` does (every flag here has
/// tracking on).
fn request_batch(
    environment_id: i64,
    flag_ids: &HashMap<String, i64>,
    impressions: Vec<Impression>,
    received_at: i64,
) -> WriteBatch {
    let mut counts: HashMap<(i64, i64, String), i64> = HashMap::new();
    let mut keys: HashSet<UniqueKey> = HashSet::new();
    let mut records = Vec::with_capacity(impressions.len());
    for impression in impressions {
        let Some(&flag_id) = flag_ids.get(&impression.flag) else {
            continue;
        };
        keys.insert(UniqueKey {
            environment_id,
            month: month_of(impression.timestamp),
            key: impression.key.clone(),
        });
        *counts
            .entry((
                flag_id,
                hour_of(impression.timestamp),
                impression.treatment.clone(),
            ))
            .or_default() += 1;
        records.push(ImpressionRecord {
            environment_id,
            flag_id,
            received_at,
            impression,
            impressions_mode: None,
        });
    }
    WriteBatch {
        counts: counts
            .into_iter()
            .map(|((flag_id, hour, treatment), count)| CountDelta {
                environment_id,
                flag_id,
                hour,
                treatment: Some(treatment),
                count,
            })
            .collect(),
        usage: vec![UsageDelta {
            environment_id,
            hour: hour_of(received_at),
            impressions_stored: records.len() as i64,
            ..UsageDelta::default()
        }],
        unique_keys: keys.into_iter().collect(),
        impressions: records,
        ..WriteBatch::default()
    }
}

/// A merged transaction, and every unique key of its requests: each pass over the pool writes
/// only the keys not remembered yet, as the server's writer does.
struct Transaction {
    batch: WriteBatch,
    all_keys: Vec<UniqueKey>,
}

/// The requests grouped into transactions of about `impressions_per_transaction`, merged as
/// the server's writer merges what queued while its previous transaction ran.
fn transactions(requests: &[WriteBatch], impressions_per_transaction: usize) -> Vec<Transaction> {
    let requests_per_transaction = impressions_per_transaction
        .div_ceil(IMPRESSIONS_PER_BODY)
        .max(1);
    requests
        .chunks(requests_per_transaction)
        .map(|chunk| {
            let (mut batch, _) = WriteBatch::merge(chunk.iter().cloned());
            let all_keys = std::mem::take(&mut batch.unique_keys);
            Transaction { batch, all_keys }
        })
        .collect()
}

/// The write loop of the server's writer actor, minus the actor.
struct CeilingWriter {
    store: IngestStore,
    /// Keys already written: the server skips them too (it remembers up to a million, far
    /// more than the benchmark's users).
    remembered_keys: HashSet<UniqueKey>,
}

impl CeilingWriter {
    /// Writes the transactions round and round for `duration`. Returns the impressions and
    /// transactions written and the time taken.
    async fn write_for(
        &mut self,
        transactions: &mut [Transaction],
        duration: Duration,
    ) -> anyhow::Result<(u64, u64, Duration)> {
        anyhow::ensure!(!transactions.is_empty(), "the ceiling has nothing to write");
        let start = Instant::now();
        let mut impressions = 0u64;
        let mut count = 0u64;
        'passes: loop {
            for transaction in transactions.iter_mut() {
                if start.elapsed() >= duration {
                    break 'passes;
                }
                // The store takes the batch and hands it back once committed, so the pool is
                // reused without copying its rows.
                let mut batch = std::mem::take(&mut transaction.batch);
                let keys = &self.remembered_keys;
                batch.unique_keys = transaction
                    .all_keys
                    .iter()
                    .filter(|k| !keys.contains(*k))
                    .cloned()
                    .collect();
                let mut written = self
                    .store
                    .write(batch)
                    .await
                    .context("writing a ceiling transaction")?;
                self.remembered_keys.extend(written.unique_keys.drain(..));
                impressions += written.impressions.len() as u64;
                count += 1;
                transaction.batch = written;
            }
        }
        Ok((impressions, count, start.elapsed()))
    }
}
