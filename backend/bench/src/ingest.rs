//! The ingestion benchmark on one backend: the server under HTTP load on a fresh database,
//! then the storage ceiling on another. Databases and the server are cleaned up on every path.

use std::sync::Arc;

use anyhow::Context;

use crate::ceiling::{measure_ceiling, Ceiling};
use crate::cli::{Args, Backend};
use crate::database::FreshDatabase;
use crate::load::{closed_loop, open_loop, IngestTarget, Load};
use crate::process_stats::CpuMark;
use crate::report::{Durability, IngestReport, LoadFigures};
use crate::run::progress;
use crate::server::{MemoryPeak, ServerProcess};
use crate::setup::BenchEnvironment;
use crate::workload::{Workload, WorkloadShape};

struct HttpFigures {
    full_load: LoadFigures,
    half_load: LoadFigures,
    hostile_mix: LoadFigures,
    memory: MemoryPeak,
    durability: Durability,
    server_log_problems: usize,
}

pub async fn bench_ingest(args: &Args, backend: Backend) -> anyhow::Result<IngestReport> {
    let label = backend.label();
    // Generated per backend so its timestamps stay recent: the server refuses future ones and
    // counts usage per month.
    let workload = Arc::new(Workload::generate(
        &WorkloadShape {
            bodies: args.bodies,
            flags: args.flags,
            users: args.users,
            timestamp_spread_ms: args.timestamp_spread_ms(),
        },
        imprint_store::now_ms(),
    )?);
    progress(
        label,
        &format!(
            "{} bodies ready ({} impressions)",
            workload.bodies.len(),
            workload.impressions()
        ),
    );

    let database = FreshDatabase::create(backend, "http", &args.postgres_url).await?;
    let measured = measure_http(args, backend, database.url(), &workload).await;
    let removed = database.remove().await;
    let http = measured.with_context(|| format!("{label} over HTTP"))?;
    removed?;

    progress(label, "measuring the storage ceiling");
    let database = FreshDatabase::create(backend, "ceiling", &args.postgres_url).await?;
    let measured = measure_ceiling(
        database.url(),
        &workload,
        &args.ceiling_rows,
        args.warmup(),
        args.ceiling_duration(),
    )
    .await;
    let removed = database.remove().await;
    let ceiling: Ceiling = measured.with_context(|| format!("{label} storage ceiling"))?;
    removed?;

    let http_to_ceiling = ceiling
        .best()
        .map(|best| http.full_load.impressions_per_sec / best.impressions_per_sec);
    Ok(IngestReport {
        backend,
        full_load: http.full_load,
        half_load: http.half_load,
        hostile_mix: http.hostile_mix,
        memory: http.memory,
        durability: http.durability,
        server_log_problems: http.server_log_problems,
        ceiling,
        http_to_ceiling,
    })
}

async fn measure_http(
    args: &Args,
    backend: Backend,
    database_url: &str,
    workload: &Arc<Workload>,
) -> anyhow::Result<HttpFigures> {
    let log_path = args
        .out_dir
        .join(format!("server-{}.log", backend.label().to_lowercase()));
    let server = ServerProcess::start(&args.server, database_url, &log_path).await?;
    progress(
        backend.label(),
        &format!(
            "server up at {} (log: {})",
            server.address(),
            log_path.display()
        ),
    );
    let driven = drive(args, backend, &server, workload).await;
    // Read before the server stops: the kernel's high-water mark goes with the process.
    let memory = server.memory_peak();
    let log_tail = server.log_tail();
    let server_log_problems = server.log_problem_lines();
    let stopped = server.stop().await;
    let (full_load, half_load, hostile_mix, durability) =
        driven.with_context(|| format!("the server's log ends with:\n{log_tail}"))?;
    stopped?;
    Ok(HttpFigures {
        full_load,
        half_load,
        hostile_mix,
        memory: memory?,
        durability,
        server_log_problems,
    })
}

/// Warm-up, full load, half load, half load with 1% hostile posts, then the durability
/// check, on one set of connections.
async fn drive(
    args: &Args,
    backend: Backend,
    server: &ServerProcess,
    workload: &Arc<Workload>,
) -> anyhow::Result<(LoadFigures, LoadFigures, LoadFigures, Durability)> {
    let label = backend.label();
    let environment = BenchEnvironment::create(&server.base_url()).await?;
    let load = Load::new(
        IngestTarget::new(server.address(), &environment.server_key)?,
        Arc::clone(workload),
    );
    let connections = load.open_connections(args.connections).await?;

    progress(label, &format!("warming up for {} s", args.warmup_secs));
    let (connections, warmup) =
        closed_loop(&load, connections, args.warmup(), args.backoff()).await?;
    anyhow::ensure!(
        warmup.stats.posts_stored > 0,
        "no post was stored during the warm-up; first problem: {}",
        warmup.stats.first_problem.as_deref().unwrap_or("none seen")
    );

    progress(label, &format!("full load for {} s", args.duration_secs));
    let cpu = CpuMark::now(Some(server.pid()))?;
    let (connections, full) =
        closed_loop(&load, connections, args.duration(), args.backoff()).await?;
    let full_cpu = cpu.until_now()?;
    let full_load = LoadFigures::of(&full, full_cpu, None);
    progress(
        label,
        &format!(
            "{:.0} impressions/s, {:.0} posts/s, {} answers 503",
            full_load.impressions_per_sec, full_load.posts_per_sec, full_load.overloaded_503
        ),
    );

    let half_rate = full.posts_per_sec() / 2.0;
    progress(
        label,
        &format!(
            "half load for {} s at {half_rate:.0} posts/s",
            args.duration_secs
        ),
    );
    let cpu = CpuMark::now(Some(server.pid()))?;
    let (connections, half) = open_loop(&load, connections, half_rate, args.duration()).await?;
    let half_cpu = cpu.until_now()?;
    let half_load = LoadFigures::of(&half, half_cpu, Some(half_rate));

    progress(
        label,
        &format!(
            "half load with 1% hostile posts for {} s",
            args.duration_secs
        ),
    );
    load.set_hostile_every(HOSTILE_EVERY);
    let cpu = CpuMark::now(Some(server.pid()))?;
    let (connections, hostile) = open_loop(&load, connections, half_rate, args.duration()).await?;
    let hostile_mix = LoadFigures::of(&hostile, cpu.until_now()?, Some(half_rate));
    load.set_hostile_every(0);
    drop(connections);
    progress(
        label,
        &format!(
            "hostile mix: valid p99 {:.1} ms (clean {:.1} ms), {} of {} hostile posts mishandled",
            hostile_mix.latency.p99_ms,
            half_load.latency.p99_ms,
            hostile_mix.hostile_mishandled,
            hostile_mix.hostile_posts
        ),
    );

    let accepted = warmup.stats.impressions_accepted
        + full.stats.impressions_accepted
        + half.stats.impressions_accepted
        + hostile.stats.impressions_accepted;
    let stored = environment.stored_impressions().await?;
    let durability = Durability {
        accepted_by_server: accepted,
        stored_per_usage: stored,
        ok: u64::try_from(stored).is_ok_and(|stored| stored == accepted),
    };
    progress(
        label,
        &format!(
            "durability {}: {stored} stored, {accepted} accepted",
            if durability.ok { "OK" } else { "MISMATCH" }
        ),
    );
    Ok((full_load, half_load, hostile_mix, durability))
}

/// The hostile mix posts one hostile body in this many.
const HOSTILE_EVERY: u64 = 100;
