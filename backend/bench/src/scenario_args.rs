//! Sizes of the export, live tail and purge benchmarks. The defaults are what issue 6 asks
//! for; smaller ones make a quick check possible.

use clap::{Args, ValueEnum};
use serde::Serialize;

/// Export formats of `GET …/impressions/export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Ndjson,
    Parquet,
}

impl ExportFormat {
    /// The `format=` query value.
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Parquet => "parquet",
        }
    }
}

#[derive(Debug, Clone, Args, Serialize)]
pub struct ScenarioArgs {
    /// Impressions stored (straight into the database) before the exports are measured.
    #[arg(long, default_value_t = 10_000_000)]
    pub export_rows: u64,

    /// Formats to export, each over the whole environment.
    #[arg(long, value_delimiter = ',', default_value = "csv,ndjson,parquet")]
    pub export_formats: Vec<ExportFormat>,

    /// Impressions per second posted while the live tail is open.
    #[arg(long, default_value_t = 10_000)]
    pub live_rate: u64,

    /// How long the live tail benchmark posts, in seconds (its first 2 s are a warm-up).
    #[arg(long, default_value_t = 20)]
    pub live_secs: u64,

    /// The unfiltered tail's `max_rate` (rows per second before it samples; the server caps
    /// it at 2,000).
    #[arg(long, default_value_t = 2_000)]
    pub live_max_rate: u32,

    /// Impressions stored past the retention window before the purge benchmark starts.
    #[arg(long, default_value_t = 3_000_000)]
    pub purge_rows: u64,

    /// Impressions per second posted before and during the purge: a moderate, steady load.
    #[arg(long, default_value_t = 20_000)]
    pub purge_ingest_rate: u64,

    /// Length of the phase without a purge, in seconds; the purge phase lasts as long as the
    /// purge does.
    #[arg(long, default_value_t = 15)]
    pub purge_baseline_secs: u64,

    /// Impressions per second posted in each phase of the sinks benchmark.
    #[arg(long, default_value_t = 10_000)]
    pub sinks_rate: u64,

    /// Impressions per second posted while a sink backfills: about half of what SQLite
    /// ingests at full load on two cores.
    #[arg(long, default_value_t = 35_000)]
    pub sinks_backfill_rate: u64,

    /// Length of each phase of the sinks benchmark, in seconds.
    #[arg(long, default_value_t = 15)]
    pub sinks_secs: u64,

    /// Users exposed to the impact benchmark's flag (seeded straight into the database).
    #[arg(long, default_value_t = 1_000_000)]
    pub impact_users: u64,

    /// Events seeded for the impact benchmark.
    #[arg(long, default_value_t = 10_000_000)]
    pub impact_events: u64,

    /// Computations of each metric's impact; the median is reported.
    #[arg(long, default_value_t = 3)]
    pub impact_runs: usize,
}

impl ScenarioArgs {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.export_rows > 0, "--export-rows must be at least 1");
        anyhow::ensure!(
            !self.export_formats.is_empty(),
            "--export-formats names none"
        );
        anyhow::ensure!(self.live_rate >= 100, "--live-rate must be at least 100");
        anyhow::ensure!(self.live_secs > 2, "--live-secs must be more than 2");
        anyhow::ensure!(self.live_max_rate > 0, "--live-max-rate must be at least 1");
        anyhow::ensure!(self.purge_rows > 0, "--purge-rows must be at least 1");
        anyhow::ensure!(self.sinks_rate >= 100, "--sinks-rate must be at least 100");
        anyhow::ensure!(self.sinks_secs > 0, "--sinks-secs must be at least 1");
        anyhow::ensure!(
            self.sinks_backfill_rate >= 100,
            "--sinks-backfill-rate must be at least 100"
        );
        anyhow::ensure!(
            self.purge_ingest_rate >= 100,
            "--purge-ingest-rate must be at least 100"
        );
        anyhow::ensure!(self.impact_users >= 2, "--impact-users must be at least 2");
        anyhow::ensure!(
            self.impact_events >= 1_000_000,
            "--impact-events must be at least 1,000,000 (400,000 go through the ingestion path)"
        );
        anyhow::ensure!(self.impact_runs > 0, "--impact-runs must be at least 1");
        anyhow::ensure!(
            self.purge_baseline_secs > 0,
            "--purge-baseline-secs must be at least 1"
        );
        Ok(())
    }
}
