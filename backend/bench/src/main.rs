//! `imprint-bench`: how many Split impressions per second Imprint accepts and stores, measured
//! over HTTP against a release build on SQLite and on PostgreSQL, next to the storage ceiling
//! of the same rows written without HTTP. `make bench` runs it; see scripts/bench.sh.

mod ceiling;
mod cli;
mod database;
mod load;
mod process_stats;
mod report;
mod run;
mod server;
mod setup;
mod workload;

use anyhow::Context;
use clap::Parser;

use cli::Args;
use report::{MachineInfo, Report, Settings};

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
    let machine = MachineInfo::collect();
    let mut backends = Vec::with_capacity(args.backends.len());
    for &backend in &args.backends {
        backends.push(run::bench_backend(&args, backend).await?);
    }
    let report = Report {
        machine,
        settings: Settings::of(&args),
        backends,
    };
    println!("{}", report.to_markdown());
    let (markdown, json) = report.save(&args.out_dir)?;
    eprintln!("Saved {} and {}", markdown.display(), json.display());

    let lost: Vec<&str> = report
        .backends
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
