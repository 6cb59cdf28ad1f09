//! The figures of a run, printed as Markdown on stdout and saved per benchmark as Markdown
//! and JSON (`ingest.md`, `export.json`, …), so running one benchmark leaves the others'
//! last results in place.

mod export;
mod format;
mod impact;
mod ingest;
mod live;
mod purge;
mod sinks;

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::ceiling::Ceiling;
use crate::cli::{Args, Backend, Benchmark};
use crate::export::ExportReport;
use crate::impact::ImpactReport;
use crate::live::LiveReport;
use crate::load::{LatencySummary, PhaseResult};
use crate::process_stats::CpuUse;
use crate::purge::PurgeReport;
use crate::scenario_args::ScenarioArgs;
use crate::server::MemoryPeak;
use crate::sinks::SinksReport;
use crate::workload::IMPRESSIONS_PER_BODY;

/// What the issue asks of ingestion (the goals of the ingestion section).
pub const GOAL_SQLITE_IMPRESSIONS_PER_SEC: f64 = 500_000.0;
pub const GOAL_HTTP_TO_CEILING: f64 = 0.8;
/// The hostile mix's valid posts: p99 within this factor of the clean half load's.
pub const GOAL_HOSTILE_P99_FACTOR: f64 = 1.2;

/// Every benchmark's figures, one entry per backend it ran on.
#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: MachineInfo,
    pub settings: Settings,
    pub ingest: Vec<IngestReport>,
    pub export: Vec<ExportReport>,
    pub live: Vec<LiveReport>,
    pub purge: Vec<PurgeReport>,
    pub sinks: Vec<SinksReport>,
    pub impact: Vec<ImpactReport>,
}

#[derive(Debug, Serialize)]
pub struct MachineInfo {
    pub date: String,
    pub cores: usize,
    pub cpu_model: Option<String>,
}

impl MachineInfo {
    pub fn collect() -> MachineInfo {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|line| line.strip_prefix("model name")?.split_once(':'))
                    .map(|(_, model)| model.trim().to_owned())
            });
        MachineInfo {
            date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Settings {
    pub server_binary: PathBuf,
    pub benchmarks: Vec<Benchmark>,
    pub connections: usize,
    pub duration_secs: u64,
    pub warmup_secs: u64,
    pub client_threads: usize,
    pub impressions_per_body: usize,
    pub bodies: usize,
    pub flags: usize,
    pub users: usize,
    pub timestamp_spread_secs: u64,
    pub backoff_ms: u64,
    pub ceiling_rows: Vec<usize>,
    pub ceiling_secs: u64,
    pub scenarios: ScenarioArgs,
}

impl Settings {
    pub fn of(args: &Args) -> Settings {
        Settings {
            server_binary: args.server.clone(),
            benchmarks: args.only.clone(),
            connections: args.connections,
            duration_secs: args.duration_secs,
            warmup_secs: args.warmup_secs,
            client_threads: args.client_threads,
            impressions_per_body: IMPRESSIONS_PER_BODY,
            bodies: args.bodies,
            flags: args.flags,
            users: args.users,
            timestamp_spread_secs: args.timestamp_spread_secs,
            backoff_ms: args.backoff_ms,
            ceiling_rows: args.ceiling_rows.clone(),
            ceiling_secs: args.ceiling_secs,
            scenarios: args.scenarios.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct IngestReport {
    pub backend: Backend,
    pub full_load: LoadFigures,
    pub half_load: LoadFigures,
    /// Half load again, one post in a hundred hostile.
    pub hostile_mix: LoadFigures,
    pub memory: MemoryPeak,
    pub durability: Durability,
    /// WARN and ERROR lines in the server's log (bench-results/server-<backend>.log).
    pub server_log_problems: usize,
    pub ceiling: Ceiling,
    /// Full-load impressions/s over the HTTP API divided by the best ceiling.
    pub http_to_ceiling: Option<f64>,
}

/// One load phase, as reported.
#[derive(Debug, Serialize)]
pub struct LoadFigures {
    /// The open loop's schedule; none for the closed loop, which offers all it can.
    pub offered_posts_per_sec: Option<f64>,
    pub seconds: f64,
    pub impressions_per_sec: f64,
    pub posts_per_sec: f64,
    pub impressions_accepted: u64,
    pub impressions_rejected: u64,
    pub overloaded_503: u64,
    pub failed: u64,
    pub connection_errors: u64,
    pub first_problem: Option<String>,
    pub latency: LatencySummary,
    pub cpu: CpuUse,
    pub hostile_posts: u64,
    pub hostile_mishandled: u64,
}

impl LoadFigures {
    pub fn of(phase: &PhaseResult, cpu: CpuUse, offered_posts_per_sec: Option<f64>) -> Self {
        let stats = &phase.stats;
        LoadFigures {
            offered_posts_per_sec,
            seconds: phase.elapsed.as_secs_f64(),
            impressions_per_sec: phase.impressions_per_sec(),
            posts_per_sec: phase.posts_per_sec(),
            impressions_accepted: stats.impressions_accepted,
            impressions_rejected: stats.impressions_rejected,
            overloaded_503: stats.overloaded,
            failed: stats.failed,
            connection_errors: stats.connection_errors,
            first_problem: stats.first_problem.clone(),
            latency: stats.latency(),
            cpu,
            hostile_posts: stats.hostile_posts,
            hostile_mishandled: stats.hostile_mishandled,
        }
    }

    /// Valid posts that did not end in a 200: 503s, other failures and broken connections.
    pub fn error_rate(&self) -> f64 {
        let failed = self.overloaded_503 + self.failed + self.connection_errors;
        let stored = (self.posts_per_sec * self.seconds).round() as u64;
        failed as f64 / (stored + failed).max(1) as f64
    }
}

/// Whether everything the server acknowledged is counted as stored.
#[derive(Debug, Serialize)]
pub struct Durability {
    /// Sum of `accepted` over every 200 answer of the run, warm-up included.
    pub accepted_by_server: u64,
    /// `impressions_stored` of the environment's usage, read after the load.
    pub stored_per_usage: i64,
    pub ok: bool,
}

impl Report {
    pub fn new(args: &Args) -> Report {
        Report {
            machine: MachineInfo::collect(),
            settings: Settings::of(args),
            ingest: Vec::new(),
            export: Vec::new(),
            live: Vec::new(),
            purge: Vec::new(),
            sinks: Vec::new(),
            impact: Vec::new(),
        }
    }

    /// Every section that has figures, under one header.
    pub fn to_markdown(&self) -> String {
        let mut out = format::header("Imprint benchmarks", &self.machine, &self.settings);
        for benchmark in self.benchmarks_run() {
            out.push_str(&self.section(benchmark));
        }
        // Sections end with a blank line; one newline is enough at the very end.
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    fn benchmarks_run(&self) -> Vec<Benchmark> {
        let ran = [
            (Benchmark::Ingest, !self.ingest.is_empty()),
            (Benchmark::Export, !self.export.is_empty()),
            (Benchmark::Live, !self.live.is_empty()),
            (Benchmark::Purge, !self.purge.is_empty()),
            (Benchmark::Sinks, !self.sinks.is_empty()),
            (Benchmark::Impact, !self.impact.is_empty()),
        ];
        ran.into_iter()
            .filter_map(|(benchmark, ran)| ran.then_some(benchmark))
            .collect()
    }

    fn section(&self, benchmark: Benchmark) -> String {
        match benchmark {
            Benchmark::Ingest => ingest::render(&self.settings, &self.ingest),
            Benchmark::Export => export::render(&self.settings, &self.export),
            Benchmark::Live => live::render(&self.settings, &self.live),
            Benchmark::Purge => purge::render(&self.settings, &self.purge),
            Benchmark::Sinks => sinks::render(&self.settings, &self.sinks),
            Benchmark::Impact => impact::render(&self.settings, &self.impact),
        }
    }

    fn section_json(&self, benchmark: Benchmark) -> serde_json::Result<serde_json::Value> {
        match benchmark {
            Benchmark::Ingest => serde_json::to_value(&self.ingest),
            Benchmark::Export => serde_json::to_value(&self.export),
            Benchmark::Live => serde_json::to_value(&self.live),
            Benchmark::Purge => serde_json::to_value(&self.purge),
            Benchmark::Sinks => serde_json::to_value(&self.sinks),
            Benchmark::Impact => serde_json::to_value(&self.impact),
        }
    }

    /// Writes `<benchmark>.md` and `<benchmark>.json` into `dir` for each benchmark that ran;
    /// returns their paths.
    pub fn save(&self, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut saved = Vec::new();
        for benchmark in self.benchmarks_run() {
            let title = format!("Imprint {} benchmark", benchmark.name());
            let mut markdown = format::header(&title, &self.machine, &self.settings);
            markdown.push_str(&self.section(benchmark));
            let json = serde_json::json!({
                "machine": &self.machine,
                "settings": &self.settings,
                "results": self.section_json(benchmark)?,
            });
            let md_path = dir.join(format!("{}.md", benchmark.name()));
            let json_path = dir.join(format!("{}.json", benchmark.name()));
            std::fs::write(&md_path, markdown)
                .with_context(|| format!("writing {}", md_path.display()))?;
            std::fs::write(&json_path, serde_json::to_string_pretty(&json)?)
                .with_context(|| format!("writing {}", json_path.display()))?;
            saved.extend([md_path, json_path]);
        }
        Ok(saved)
    }
}
