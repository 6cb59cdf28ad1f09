//! Command-line settings. `--only` picks the benchmarks; the sizes of each have their own
//! flags, so a quick run (e.g. `--only export --export-rows 200000`) takes seconds.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The benchmarks `make bench` can run; each runs on fresh databases of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Benchmark {
    /// Split bulk posts at full and half load, against the storage ceiling.
    Ingest,
    /// Streaming exports of many stored impressions in each format.
    Export,
    /// Live tail delivery latency at a steady ingestion rate.
    Live,
    /// Ingestion latency while a retention purge deletes millions of rows.
    Purge,
    /// Ingestion with three sinks against none, delivery delay, and a backfill's rate.
    Sinks,
    /// Metric impact over a million exposed users and ten million events.
    Impact,
}

impl Benchmark {
    pub fn name(self) -> &'static str {
        match self {
            Benchmark::Ingest => "ingest",
            Benchmark::Export => "export",
            Benchmark::Live => "live",
            Benchmark::Purge => "purge",
            Benchmark::Sinks => "sinks",
            Benchmark::Impact => "impact",
        }
    }
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "imprint-bench",
    about = "Benchmarks a release build of Imprint: ingestion, export, live tail, ingestion during a purge, sinks, metric impact"
)]
pub struct Args {
    /// The `imprint` server binary to benchmark; a release build gives meaningful figures.
    #[arg(long)]
    pub server: PathBuf,

    /// Backends to measure, in order.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    pub backends: Vec<Backend>,

    /// Benchmarks to run, in this order whatever the order given.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ingest,export,live,purge,sinks,impact"
    )]
    pub only: Vec<Benchmark>,

    #[command(flatten)]
    pub scenarios: crate::scenario_args::ScenarioArgs,

    /// Concurrent HTTP connections, each with one request in flight.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,

    /// Length of the full-load and of the half-load phase, in seconds.
    #[arg(long, default_value_t = 15)]
    pub duration_secs: u64,

    /// Full-load warm-up before measuring, in seconds; its posts count only for durability.
    #[arg(long, default_value_t = 3)]
    pub warmup_secs: u64,

    /// Bodies generated before the timed phases and posted in turn.
    #[arg(long, default_value_t = 1000)]
    pub bodies: usize,

    /// Distinct flags the impressions are spread over.
    #[arg(long, default_value_t = 20)]
    pub flags: usize,

    /// Distinct user keys the impressions are drawn from.
    #[arg(long, default_value_t = 50_000)]
    pub users: usize,

    /// How far back evaluation times (`m`) reach, in seconds: an SDK flushing every minute
    /// sends up to a minute's worth. It decides how scattered the inserts into the
    /// impressions' (flag, time) index are.
    #[arg(long, default_value_t = 60)]
    pub timestamp_spread_secs: u64,

    /// Threads of the load generator's runtime. It shares the machine's cores with the server,
    /// so every thread it takes is one the server may miss.
    #[arg(long, default_value_t = 1)]
    pub client_threads: usize,

    /// Pause of a connection after a 503 before it posts again, in milliseconds.
    #[arg(long, default_value_t = 100)]
    pub backoff_ms: u64,

    /// Impressions per transaction for the storage ceiling; the best size is reported.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,20000")]
    pub ceiling_rows: Vec<usize>,

    /// How long each ceiling transaction size is measured, in seconds.
    #[arg(long, default_value_t = 5)]
    pub ceiling_secs: u64,

    /// PostgreSQL server whose `postgres` database is used to create and drop the benchmark's
    /// own databases.
    #[arg(
        long,
        env = "IMPRINT_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pub postgres_url: String,

    /// Folder for the reports (`<benchmark>.md` and `.json`) and the server logs.
    #[arg(long, default_value = "bench-results")]
    pub out_dir: PathBuf,
}

impl Args {
    pub fn runs(&self, benchmark: Benchmark) -> bool {
        self.only.contains(&benchmark)
    }

    pub fn duration(&self) -> Duration {
        Duration::from_secs(self.duration_secs)
    }

    pub fn warmup(&self) -> Duration {
        Duration::from_secs(self.warmup_secs)
    }

    pub fn timestamp_spread_ms(&self) -> i64 {
        i64::try_from(self.timestamp_spread_secs.saturating_mul(1000)).unwrap_or(i64::MAX)
    }

    pub fn backoff(&self) -> Duration {
        Duration::from_millis(self.backoff_ms)
    }

    pub fn ceiling_duration(&self) -> Duration {
        Duration::from_secs(self.ceiling_secs)
    }

    /// Rejects settings that would make the run meaningless rather than failing halfway.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.connections > 0, "--connections must be at least 1");
        anyhow::ensure!(self.duration_secs > 0, "--duration-secs must be at least 1");
        anyhow::ensure!(self.bodies > 0, "--bodies must be at least 1");
        anyhow::ensure!(self.flags > 0, "--flags must be at least 1");
        anyhow::ensure!(self.users > 0, "--users must be at least 1");
        anyhow::ensure!(
            self.client_threads > 0,
            "--client-threads must be at least 1"
        );
        anyhow::ensure!(!self.backends.is_empty(), "--backends names none");
        anyhow::ensure!(!self.only.is_empty(), "--only names no benchmark");
        self.scenarios.validate()?;
        anyhow::ensure!(
            self.ceiling_rows.iter().all(|&rows| rows > 0),
            "--ceiling-rows sizes must be positive"
        );
        anyhow::ensure!(
            self.server.is_file(),
            "the server binary {} does not exist (build it with `cargo build --release -p imprint-server`)",
            self.server.display()
        );
        Ok(())
    }
}
