//! The sinks benchmark: what delivering to three sinks costs ingestion, how late impressions
//! reach the receivers at a steady rate, and how fast a sink catches up on a backlog while
//! ingestion goes on.
//!
//! 1. Impressions at a steady rate with no sink: the post latency baseline.
//! 2. Three webhook sinks (Split body, NDJSON, gzipped NDJSON) to receivers in this process,
//!    the same rate again: post latency next to the baseline, and each impression's delay
//!    from its post to Imprint to its arrival at a receiver.
//! 3. A fourth sink replays everything stored while ingestion goes on at about half load:
//!    its delivery rate.

mod receiver;
mod s3;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use serde_json::{json, Value};

use crate::cli::{Args, Backend};
use crate::live::post_steadily;
use crate::load::IngestTarget;
use crate::process_stats::CpuMark;
use crate::report::LoadFigures;
use crate::run::{on_fresh_server, progress};
use crate::server::ServerProcess;
use crate::setup::{AdminSession, BenchEnvironment, ENVIRONMENT};
use crate::workload::IMPRESSIONS_PER_BODY;
pub use receiver::Received;
use receiver::Receiver;

/// How long the receivers may take to get the last impressions after the posts end.
const DRAIN: Duration = Duration::from_secs(30);

#[derive(Debug, Serialize)]
pub struct SinksReport {
    pub backend: Backend,
    pub offered_impressions_per_sec: u64,
    pub without_sinks: LoadFigures,
    pub with_sinks: LoadFigures,
    /// Post latency p99 with three sinks over without.
    pub p99_ratio: f64,
    /// The three sinks' receivers: delivered impressions and their delays.
    pub receivers: Vec<(String, Received)>,
    pub backfill: Backfill,
    /// A Parquet S3 sink replaying everything stored into moto, with the same ingestion.
    pub s3_backfill: Backfill,
    pub server_log_problems: usize,
}

#[derive(Debug, Serialize)]
pub struct Backfill {
    /// Rows the replay had to deliver.
    pub rows: i64,
    pub delivered: u64,
    pub impressions_per_sec: f64,
    /// The ingestion going on meanwhile.
    pub ingest: LoadFigures,
}

pub async fn bench_sinks(args: &Args, backend: Backend) -> anyhow::Result<SinksReport> {
    let served = on_fresh_server(
        args,
        backend,
        "sinks",
        async |_: &str| Ok(()),
        async |(), server: &ServerProcess| measure(args, backend, server).await,
    )
    .await?;
    let mut report = served.figures;
    report.server_log_problems = served.log_problems;
    Ok(report)
}

async fn create_webhook(
    session: &AdminSession,
    name: &str,
    receiver: &Receiver,
    config: Value,
) -> anyhow::Result<i64> {
    let mut full = json!({ "url": receiver.url() });
    if let (Some(full), Some(extra)) = (full.as_object_mut(), config.as_object()) {
        full.extend(extra.clone());
    }
    let response = session
        .post(&format!("/api/v1/environments/{ENVIRONMENT}/sinks"))
        .json(&json!({ "kind": "webhook", "name": name, "config": full }))
        .send()
        .await
        .context("creating a sink")?;
    let status = response.status();
    let body: Value = response.json().await.context("reading the new sink")?;
    anyhow::ensure!(status.is_success(), "creating sink {name}: {status} {body}");
    body["id"].as_i64().context("the new sink has no id")
}

/// Waits until every receiver has `expected` impressions, or `DRAIN` has passed.
async fn drain(receivers: &[&Receiver], expected: u64) {
    let deadline = Instant::now() + DRAIN;
    while Instant::now() < deadline && receivers.iter().any(|r| r.impressions() < expected) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn post_phase(
    server: &ServerProcess,
    target: &Arc<IngestTarget>,
    rate: u64,
    seconds: u64,
    clock: Instant,
) -> anyhow::Result<LoadFigures> {
    let cpu = CpuMark::now(Some(server.pid()))?;
    let posted = post_steadily(
        Arc::clone(target),
        rate,
        Duration::from_secs(seconds),
        clock,
    )
    .await?;
    let posts_per_sec = rate as f64 / IMPRESSIONS_PER_BODY as f64;
    Ok(LoadFigures::of(
        &posted,
        cpu.until_now()?,
        Some(posts_per_sec),
    ))
}

async fn measure(
    args: &Args,
    backend: Backend,
    server: &ServerProcess,
) -> anyhow::Result<SinksReport> {
    let label = backend.label();
    let rate = args.scenarios.sinks_rate;
    let seconds = args.scenarios.sinks_secs;
    let environment = BenchEnvironment::create(&server.base_url()).await?;
    let session = &environment.session;
    let target = Arc::new(IngestTarget::new(
        server.address(),
        &environment.server_key,
    )?);
    let clock = Instant::now();

    progress(
        label,
        &format!("{rate} impressions/s for {seconds} s without sinks"),
    );
    let without_sinks = post_phase(server, &target, rate, seconds, clock).await?;

    let split = Receiver::start(clock).await?;
    let ndjson = Receiver::start(clock).await?;
    let gzipped = Receiver::start(clock).await?;
    create_webhook(session, "split", &split, json!({})).await?;
    create_webhook(session, "ndjson", &ndjson, json!({ "format": "ndjson" })).await?;
    create_webhook(
        session,
        "gzipped",
        &gzipped,
        json!({ "format": "ndjson", "gzip": true }),
    )
    .await?;
    progress(
        label,
        &format!("{rate} impressions/s for {seconds} s with three sinks"),
    );
    let with_sinks = post_phase(server, &target, rate, seconds, clock).await?;
    drain(
        &[&split, &ndjson, &gzipped],
        with_sinks.impressions_accepted,
    )
    .await;
    let receivers: Vec<(String, Received)> = [
        ("webhook, Split body", &split),
        ("webhook, NDJSON", &ndjson),
        ("webhook, gzipped NDJSON", &gzipped),
    ]
    .into_iter()
    .map(|(name, r)| (name.to_owned(), r.received()))
    .collect();
    for (name, received) in &receivers {
        progress(
            label,
            &format!(
                "{name}: {} of {} impressions, delay p50 {:.0} ms, p99 {:.0} ms",
                received.impressions,
                with_sinks.impressions_accepted,
                received.delay.p50_ms,
                received.delay.p99_ms
            ),
        );
    }

    let backfill_rate = args.scenarios.sinks_backfill_rate;
    progress(
        label,
        &format!("a new sink replays everything while {backfill_rate} impressions/s arrive"),
    );
    let backfill = backfill(session, server, &target, backfill_rate, seconds, clock).await?;
    progress(
        label,
        &format!(
            "webhook backfill: {} of {} rows at {:.0} impressions/s",
            backfill.delivered, backfill.rows, backfill.impressions_per_sec
        ),
    );
    let s3_backfill = s3_backfill(session, server, &target, backfill_rate, seconds, clock).await?;
    progress(
        label,
        &format!(
            "S3 backfill: {} of {} rows at {:.0} impressions/s",
            s3_backfill.delivered, s3_backfill.rows, s3_backfill.impressions_per_sec
        ),
    );
    Ok(SinksReport {
        backend,
        offered_impressions_per_sec: rate,
        p99_ratio: with_sinks.latency.p99_ms / without_sinks.latency.p99_ms.max(f64::EPSILON),
        without_sinks,
        with_sinks,
        receivers,
        backfill,
        s3_backfill,
        server_log_problems: 0,
    })
}

/// A new sink replays everything stored while ingestion goes on at `rate`.
async fn backfill(
    session: &AdminSession,
    server: &ServerProcess,
    target: &Arc<IngestTarget>,
    rate: u64,
    seconds: u64,
    clock: Instant,
) -> anyhow::Result<Backfill> {
    let receiver = Receiver::start(clock).await?;
    let id = create_webhook(
        session,
        "backfill",
        &receiver,
        json!({ "format": "ndjson", "max_batch": 10000 }),
    )
    .await?;
    let replay: Value = session
        .post(&format!(
            "/api/v1/environments/{ENVIRONMENT}/sinks/{id}/replay"
        ))
        .json(&json!({ "from": 0 }))
        .send()
        .await
        .context("replaying")?
        .json()
        .await
        .context("reading the replay's answer")?;
    let rows = replay["rows_to_deliver"].as_i64().unwrap_or(0);
    let ingest = post_phase(server, target, rate, seconds, clock).await?;
    let expected = u64::try_from(rows).unwrap_or(0) + ingest.impressions_accepted;
    drain(&[&receiver], expected).await;
    let received = receiver.received();
    Ok(Backfill {
        rows,
        delivered: received.impressions,
        impressions_per_sec: received.impressions_per_sec,
        ingest,
    })
}

/// An S3 sink (Parquet into moto) replays everything stored while ingestion goes on.
async fn s3_backfill(
    session: &AdminSession,
    server: &ServerProcess,
    target: &Arc<IngestTarget>,
    rate: u64,
    seconds: u64,
    clock: Instant,
) -> anyhow::Result<Backfill> {
    let moto = s3::Moto::start().await?;
    let start = Instant::now();
    let (id, rows) = s3::replaying_sink(session, &moto).await?;
    let ingest = post_phase(server, target, rate, seconds, clock).await?;
    let expected = rows + i64::try_from(ingest.impressions_accepted).unwrap_or(0);
    let (delivered, took) = s3::delivered_by(session, id, expected, start).await?;
    Ok(Backfill {
        rows,
        delivered: u64::try_from(delivered).unwrap_or(0),
        impressions_per_sec: delivered as f64 / took.as_secs_f64().max(f64::EPSILON),
        ingest,
    })
}
