//! Millions of stored impressions, written straight into a fresh database before the server
//! starts: over HTTP they would take many minutes, and what the export and purge benchmarks
//! measure is reading and deleting them, not storing them.
//!
//! The rows go through the store's ingestion path (`IngestStore`, which the server's writer
//! calls), so they are stored exactly as the server stores them, dictionary included. The
//! server only starts afterwards, so its caches fill from the database as after a restart.
//! Only impressions are written: hourly counts, unique keys and usage are not what these
//! benchmarks read or purge.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use imprint_domain::ingest::Impression;
use imprint_store::environments::Actor;
use imprint_store::ingest::{
    ImpressionRecord, IngestStore, WriteBatch, DEFAULT_DICTIONARY_CAPACITY,
};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::workload::{
    change_number_of, flag_name, flag_popularity, treatments_of, Machine, LABELS, PROPERTIES,
    PROPERTIES_SHARE,
};

/// Impressions per transaction: within the range where the storage ceiling peaks.
const ROWS_PER_TRANSACTION: usize = 20_000;
/// Batches generated ahead of the writer: generation overlaps the database's work.
const BATCHES_AHEAD: usize = 2;
const FLAGS: usize = 20;
const USERS: usize = 50_000;
/// Evaluation times precede reception by up to an SDK flush interval.
const FLUSH_SPREAD_MS: i64 = 60_000;

pub struct SeedPlan<'a> {
    pub environment: &'a str,
    pub retention_days: i32,
    pub rows: u64,
    /// Reception times run evenly from the first to the second, in row order, as rows arrive.
    pub received_between_ms: (i64, i64),
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Seeded {
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_sec: f64,
}

/// Creates the environment and stores `plan.rows` impressions in it.
pub async fn seed(database_url: &str, plan: &SeedPlan<'_>) -> anyhow::Result<Seeded> {
    let db = imprint_store::connect(database_url)
        .await
        .context("connecting to the database to seed")?;
    let actor = Actor {
        id: None,
        label: "bench".into(),
    };
    let (environment, _) = db
        .create_environment(&actor, plan.environment, plan.retention_days, &[])
        .await
        .context("creating the seeded environment")?;
    let names: Vec<String> = (0..FLAGS).map(flag_name).collect();
    let flag_ids: HashMap<String, i64> = db
        .ensure_flags(environment.id, &names)
        .await
        .context("registering the seeded flags")?
        .into_iter()
        .map(|flag| (flag.name, flag.id))
        .collect();
    let flag_ids: Vec<i64> = names
        .iter()
        .map(|name| {
            flag_ids
                .get(name)
                .copied()
                .context("a flag was not registered")
        })
        .collect::<anyhow::Result<_>>()?;

    let store = IngestStore::open(&db, DEFAULT_DICTIONARY_CAPACITY)
        .context("opening the ingestion store")?;
    let mut rows = RowGenerator::new(environment.id, flag_ids, plan)?;
    let (sender, mut batches) = mpsc::channel(BATCHES_AHEAD);
    let generator = std::thread::spawn(move || {
        while let Some(batch) = rows.next_batch() {
            if sender.blocking_send(batch).is_err() {
                return;
            }
        }
    });

    let start = Instant::now();
    let mut written = 0u64;
    while let Some(impressions) = batches.recv().await {
        let batch = WriteBatch {
            impressions,
            ..WriteBatch::default()
        };
        let batch = store.write(batch).await.context("writing seeded rows")?;
        written += batch.impressions.len() as u64;
    }
    let seconds = start.elapsed().as_secs_f64();
    generator
        .join()
        .map_err(|_| anyhow::anyhow!("the row generator panicked"))?;
    // The SQLite store's writer thread ends with its last handle.
    drop(store);
    settle(&db).await?;
    db.conn
        .close()
        .await
        .context("closing the seeded database")?;
    anyhow::ensure!(
        written == plan.rows,
        "seeded {written} rows instead of {}",
        plan.rows
    );
    Ok(Seeded {
        rows: written,
        seconds,
        rows_per_sec: written as f64 / seconds.max(f64::EPSILON),
    })
}

/// Brings a PostgreSQL table loaded in one go to the state autovacuum keeps it in when rows
/// arrive over days. Straight after the load it has no statistics, so the planner guesses
/// (a purge chunk's query then reads the whole expired range of the index each time), and
/// its rows' visibility is unknown, so the first scan writes every page back. Either would
/// measure the seeding rather than the server. SQLite keeps no such state.
async fn settle(db: &imprint_store::Database) -> anyhow::Result<()> {
    if db.backend == imprint_store::Backend::Postgres {
        db.conn
            .execute_unprepared("VACUUM (ANALYZE) impressions")
            .await
            .context("vacuuming the seeded impressions")?;
    }
    Ok(())
}

/// Rows with the ingestion benchmark's mix: popular flags and a long tail, keys from a large
/// user base, mostly default-rule labels, a few properties, sixteen SDK instances.
struct RowGenerator {
    rng: StdRng,
    environment_id: i64,
    flag_ids: Vec<i64>,
    popularity: WeightedIndex<f64>,
    labels: WeightedIndex<u32>,
    machines: Vec<Machine>,
    next: u64,
    total: u64,
    first_received: i64,
    received_span: i64,
}

impl RowGenerator {
    fn new(
        environment_id: i64,
        flag_ids: Vec<i64>,
        plan: &SeedPlan<'_>,
    ) -> anyhow::Result<RowGenerator> {
        let (from, to) = plan.received_between_ms;
        anyhow::ensure!(from < to, "the seeded rows need a time range");
        Ok(RowGenerator {
            rng: StdRng::seed_from_u64(0x5eed),
            environment_id,
            popularity: flag_popularity(flag_ids.len())?,
            flag_ids,
            labels: WeightedIndex::new(LABELS.iter().map(|(_, weight)| *weight))?,
            machines: (0..Machine::count()).map(Machine::of).collect(),
            next: 0,
            total: plan.rows,
            first_received: from,
            received_span: to - from,
        })
    }

    fn next_batch(&mut self) -> Option<Vec<ImpressionRecord>> {
        if self.next >= self.total {
            return None;
        }
        let size = (self.total - self.next).min(ROWS_PER_TRANSACTION as u64);
        Some((0..size).map(|_| self.next_row()).collect())
    }

    fn next_row(&mut self) -> ImpressionRecord {
        let offset = (self.next as f64 / self.total as f64 * self.received_span as f64) as i64;
        self.next += 1;
        let received_at = self.first_received + offset;
        let flag = self.popularity.sample(&mut self.rng);
        let treatments = treatments_of(flag);
        let machine = &self.machines[self.rng.gen_range(0..self.machines.len())];
        let meta = machine.metadata();
        ImpressionRecord {
            environment_id: self.environment_id,
            flag_id: self.flag_ids[flag],
            received_at,
            impression: Impression {
                flag: flag_name(flag),
                key: format!("user-{}", self.rng.gen_range(0..USERS)),
                bucketing_key: None,
                treatment: treatments[self.rng.gen_range(0..treatments.len())].to_owned(),
                label: Some(LABELS[self.labels.sample(&mut self.rng)].0.to_owned()),
                change_number: Some(change_number_of(flag)),
                timestamp: received_at - self.rng.gen_range(0..FLUSH_SPREAD_MS),
                traffic_type: None,
                properties: self
                    .rng
                    .gen_bool(PROPERTIES_SHARE)
                    .then(|| PROPERTIES.to_owned()),
                sdk: meta.sdk,
                machine_ip: meta.machine_ip,
                machine_name: meta.machine_name,
            },
            impressions_mode: None,
        }
    }
}
