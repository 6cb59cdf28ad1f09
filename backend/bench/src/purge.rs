//! The purge benchmark: millions of impressions past the retention window, then ingestion at a
//! steady moderate rate, first alone and then while `POST …/retention/run` deletes them. The
//! retention actor deletes in bounded chunks so that ingestion keeps its latency; the ratio of
//! the two p99s shows whether it does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use imprint_types::RetentionRunView;
use reqwest::StatusCode;
use serde::Serialize;

use crate::cli::{Args, Backend};
use crate::load::{open_loop, open_loop_until, IngestTarget, Load};
use crate::process_stats::CpuMark;
use crate::report::LoadFigures;
use crate::run::{on_fresh_server, progress};
use crate::seed::{seed, SeedPlan, Seeded};
use crate::server::ServerProcess;
use crate::setup::{expect_json, AdminSession};
use crate::workload::{Workload, WorkloadShape, IMPRESSIONS_PER_BODY};

const ENVIRONMENT: &str = "purge";
const RETENTION_DAYS: i32 = 30;
const DAY_MS: i64 = 24 * 3_600_000;
/// Posts in flight at most: enough that a stalled post does not hold the schedule back.
const CONNECTIONS: usize = 32;
const WARMUP: Duration = Duration::from_secs(3);
/// The longest a purge may take before the benchmark gives up (the server's own limit for a
/// manual run is 10 minutes).
const PURGE_LIMIT: Duration = Duration::from_secs(15 * 60);
/// The server's default `IMPRINT_RETENTION_CHUNK_ROWS`, which the benchmark leaves as it is.
const CHUNK_ROWS: u64 = 5_000;

#[derive(Debug, Serialize)]
pub struct PurgeReport {
    pub backend: Backend,
    pub seeded: Seeded,
    pub offered_impressions_per_sec: u64,
    pub without_purge: LoadFigures,
    pub during_purge: LoadFigures,
    /// p99 during the purge over p99 without it.
    pub p99_ratio: f64,
    /// From the request to the answer, as the admin sees it.
    pub purge_seconds: f64,
    pub impressions_deleted: i64,
    pub deleted_per_sec: f64,
    pub chunk_rows: u64,
    pub server_log_problems: usize,
}

pub async fn bench_purge(args: &Args, backend: Backend) -> anyhow::Result<PurgeReport> {
    let label = backend.label();
    let rows = args.scenarios.purge_rows;
    let served = on_fresh_server(
        args,
        backend,
        "purge",
        async |database_url: &str| {
            progress(label, &format!("seeding {rows} impressions past retention"));
            let now = imprint_store::now_ms();
            let plan = SeedPlan {
                environment: ENVIRONMENT,
                retention_days: RETENTION_DAYS,
                rows,
                // Between one and two retention windows old: all of them past the cutoff.
                received_between_ms: (now - 2 * 30 * DAY_MS, now - 31 * DAY_MS),
            };
            let seeded = seed(database_url, &plan).await?;
            progress(label, &format!("seeded in {:.0} s", seeded.seconds));
            Ok(seeded)
        },
        async |seeded: Seeded, server: &ServerProcess| {
            Ok((seeded, measure(args, backend, server).await?))
        },
    )
    .await?;
    let (seeded, phases) = served.figures;
    let purge_seconds = phases.purge_took.as_secs_f64();
    let deleted = phases.run.impressions_deleted;
    let p99_without = phases.without_purge.latency.p99_ms;
    Ok(PurgeReport {
        backend,
        seeded,
        offered_impressions_per_sec: args.scenarios.purge_ingest_rate,
        p99_ratio: phases.during_purge.latency.p99_ms / p99_without.max(f64::EPSILON),
        without_purge: phases.without_purge,
        during_purge: phases.during_purge,
        purge_seconds,
        impressions_deleted: deleted,
        deleted_per_sec: deleted as f64 / purge_seconds.max(f64::EPSILON),
        chunk_rows: CHUNK_ROWS,
        server_log_problems: served.log_problems,
    })
}

struct Phases {
    without_purge: LoadFigures,
    during_purge: LoadFigures,
    run: RetentionRunView,
    purge_took: Duration,
}

/// Warm-up, the phase without a purge, then the phase that lasts as long as the purge, all at
/// the same rate on the same connections.
async fn measure(args: &Args, backend: Backend, server: &ServerProcess) -> anyhow::Result<Phases> {
    let label = backend.label();
    let rate = args.scenarios.purge_ingest_rate;
    let posts_per_sec = rate as f64 / IMPRESSIONS_PER_BODY as f64;
    let baseline = Duration::from_secs(args.scenarios.purge_baseline_secs);
    let session = AdminSession::sign_in(&server.base_url()).await?;
    let key = session.new_server_key(ENVIRONMENT).await?;
    let shape = WorkloadShape {
        bodies: args.bodies,
        flags: args.flags,
        users: args.users,
        timestamp_spread_ms: args.timestamp_spread_ms(),
    };
    let workload = Workload::generate(&shape, imprint_store::now_ms())?;
    let load = Load::new(
        IngestTarget::new(server.address(), &key)?,
        Arc::new(workload),
    );
    let connections = load.open_connections(CONNECTIONS).await?;
    let (connections, _) = open_loop(&load, connections, posts_per_sec, WARMUP).await?;

    progress(
        label,
        &format!(
            "{rate} impressions/s for {} s without a purge",
            baseline.as_secs()
        ),
    );
    let cpu = CpuMark::now(Some(server.pid()))?;
    let (connections, alone) = open_loop(&load, connections, posts_per_sec, baseline).await?;
    let without_purge = LoadFigures::of(&alone, cpu.until_now()?, Some(posts_per_sec));

    progress(label, &format!("{rate} impressions/s while the purge runs"));
    let done = Arc::new(AtomicBool::new(false));
    let purge = tokio::spawn(run_purge(session.clone(), Arc::clone(&done)));
    let cpu = CpuMark::now(Some(server.pid()))?;
    let (_, during) = open_loop_until(&load, connections, posts_per_sec, PURGE_LIMIT, done).await?;
    let during_purge = LoadFigures::of(&during, cpu.until_now()?, Some(posts_per_sec));
    let (run, purge_took) = purge.await.context("the purge task panicked")??;
    progress(
        label,
        &format!(
            "purged {} impressions in {:.1} s; ingest p99 {:.1} ms alone, {:.1} ms during it",
            run.impressions_deleted,
            purge_took.as_secs_f64(),
            without_purge.latency.p99_ms,
            during_purge.latency.p99_ms
        ),
    );
    Ok(Phases {
        without_purge,
        during_purge,
        run,
        purge_took,
    })
}

/// Asks the server to purge now and waits for the answer; `done` turns true either way, so
/// the load ends with the purge.
async fn run_purge(
    session: AdminSession,
    done: Arc<AtomicBool>,
) -> anyhow::Result<(RetentionRunView, Duration)> {
    let start = Instant::now();
    let answer = session
        .post(&format!("/api/v1/environments/{ENVIRONMENT}/retention/run"))
        .timeout(PURGE_LIMIT)
        .send()
        .await;
    let took = start.elapsed();
    done.store(true, Ordering::Relaxed);
    let answer = answer.context("running the purge")?;
    let run: RetentionRunView = expect_json(answer, StatusCode::OK, "running the purge").await?;
    Ok((run, took))
}
