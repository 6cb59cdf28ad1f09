//! One backend from start to finish: each selected benchmark in turn, each on a fresh database
//! and server of its own, so no figure is skewed by the rows of another.

use std::path::PathBuf;

use anyhow::Context;

use crate::cli::{Args, Backend, Benchmark};
use crate::database::FreshDatabase;
use crate::report::Report;
use crate::server::ServerProcess;

/// Runs the selected benchmarks on `backend` and adds their figures to `report`.
pub async fn bench_backend(
    args: &Args,
    backend: Backend,
    report: &mut Report,
) -> anyhow::Result<()> {
    let label = backend.label();
    if args.runs(Benchmark::Ingest) {
        let figures = crate::ingest::bench_ingest(args, backend).await;
        report
            .ingest
            .push(figures.with_context(|| format!("{label}: ingestion"))?);
    }
    if args.runs(Benchmark::Export) {
        let figures = crate::export::bench_export(args, backend).await;
        report
            .export
            .push(figures.with_context(|| format!("{label}: export"))?);
    }
    if args.runs(Benchmark::Live) {
        let figures = crate::live::bench_live(args, backend).await;
        report
            .live
            .push(figures.with_context(|| format!("{label}: live tail"))?);
    }
    if args.runs(Benchmark::Purge) {
        let figures = crate::purge::bench_purge(args, backend).await;
        report
            .purge
            .push(figures.with_context(|| format!("{label}: purge"))?);
    }
    if args.runs(Benchmark::Sinks) {
        let figures = crate::sinks::bench_sinks(args, backend).await;
        report
            .sinks
            .push(figures.with_context(|| format!("{label}: sinks"))?);
    }
    if args.runs(Benchmark::Impact) {
        let figures = crate::impact::bench_impact(args, backend).await;
        report
            .impact
            .push(figures.with_context(|| format!("{label}: impact"))?);
    }
    Ok(())
}

/// What a benchmark's body returns, with the server's complaints while it ran.
pub struct Served<T> {
    pub figures: T,
    /// WARN and ERROR lines in the server's log.
    pub log_problems: usize,
}

/// Creates a fresh database, fills it with `prepare` while no server runs (the server's caches
/// then load it at start), starts the server on it, and runs `body`. The server is stopped and
/// the database removed on every path.
pub async fn on_fresh_server<P, T>(
    args: &Args,
    backend: Backend,
    purpose: &str,
    prepare: impl AsyncFnOnce(&str) -> anyhow::Result<P>,
    body: impl AsyncFnOnce(P, &ServerProcess) -> anyhow::Result<T>,
) -> anyhow::Result<Served<T>> {
    let database = FreshDatabase::create(backend, purpose, &args.postgres_url).await?;
    let log_path = args.out_dir.join(format!(
        "server-{purpose}-{}.log",
        backend.label().to_lowercase()
    ));
    let served = serve(args, backend, database.url(), log_path, prepare, body).await;
    let removed = database.remove().await;
    let served = served?;
    removed?;
    Ok(served)
}

async fn serve<P, T>(
    args: &Args,
    backend: Backend,
    database_url: &str,
    log_path: PathBuf,
    prepare: impl AsyncFnOnce(&str) -> anyhow::Result<P>,
    body: impl AsyncFnOnce(P, &ServerProcess) -> anyhow::Result<T>,
) -> anyhow::Result<Served<T>> {
    let prepared = prepare(database_url).await?;
    let server = ServerProcess::start(&args.server, database_url, &log_path).await?;
    progress(
        backend.label(),
        &format!(
            "server up at {} (log: {})",
            server.address(),
            log_path.display()
        ),
    );
    let result = body(prepared, &server).await;
    let log_tail = server.log_tail();
    let log_problems = server.log_problem_lines();
    let stopped = server.stop().await;
    let figures = result.with_context(|| format!("the server's log ends with:\n{log_tail}"))?;
    stopped?;
    Ok(Served {
        figures,
        log_problems,
    })
}

/// Progress goes to stderr; stdout carries only the report.
pub fn progress(backend: &str, message: &str) {
    eprintln!("[{backend}] {message}");
}
