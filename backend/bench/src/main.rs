//! `imprint-bench`: Imprint's benchmarks against a release build on SQLite and on PostgreSQL.
//! How many Split impressions per second it accepts and stores (next to the storage ceiling of
//! the same rows written without HTTP), how fast it exports millions of stored impressions,
//! how quickly the live tail delivers what was just posted, and what a retention purge does
//! to ingestion latency. `make bench` runs it; see scripts/bench.sh.

mod ceiling;
mod cli;
mod database;
mod download;
mod export;
mod impact;
mod ingest;
mod live;
mod load;
mod process_stats;
mod purge;
mod report;
mod run;
mod scenario_args;
mod seed;
mod server;
mod setup;
mod sinks;
mod workload;

use anyhow::Context;
use clap::Parser;

use cli::Args;
use report::Report;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    args.validate()?;
    // Sized by the flag rather than the core count: every client thread competes with the
    // server for the same cores.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads)
        .enable_all()
        .build()
        .context("starting the load generator's runtime")?;
    runtime.block_on(bench(args))
}

async fn bench(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("creating {}", args.out_dir.display()))?;
    let mut report = Report::new(&args);
    for &backend in &args.backends {
        run::bench_backend(&args, backend, &mut report).await?;
    }
    println!("{}", report.to_markdown());
    for path in report.save(&args.out_dir)? {
        eprintln!("Saved {}", path.display());
    }

    let lost: Vec<&str> = report
        .ingest
        .iter()
        .filter(|b| !b.durability.ok)
        .map(|b| b.backend.label())
        .collect();
    anyhow::ensure!(
        lost.is_empty(),
        "the server's stored count differs from what it acknowledged on {}",
        lost.join(", ")
    );
    Ok(())
}
