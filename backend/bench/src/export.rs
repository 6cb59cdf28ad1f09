//! The export benchmark: millions of stored impressions in one environment, exported whole in
//! each format through `GET …/impressions/export`, read as fast as the client can and thrown
//! away. Rows per second, and the server's peak memory during each export: the export claims
//! constant memory whatever the size.

use std::time::{Duration, Instant};

use anyhow::Context;
use reqwest::header::ACCEPT_ENCODING;
use reqwest::StatusCode;
use serde::Serialize;

use crate::cli::{Args, Backend};
use crate::download::RowCounter;
use crate::process_stats::{reset_peak_rss, status_kib, RssSampler};
use crate::run::{on_fresh_server, progress};
use crate::scenario_args::ExportFormat;
use crate::seed::{seed, SeedPlan, Seeded};
use crate::server::ServerProcess;
use crate::setup::AdminSession;

const ENVIRONMENT: &str = "export";
/// The seeded rows arrived over the last week.
const SEEDED_SPAN_MS: i64 = 7 * 24 * 3_600_000;
/// Finer than the ingestion benchmark's sampling: an export's peak may be brief.
const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(20);

#[derive(Debug, Serialize)]
pub struct ExportReport {
    pub backend: Backend,
    pub seeded: Seeded,
    /// The server's resident memory before the first export, after signing in.
    pub idle_rss_mib: f64,
    pub runs: Vec<ExportRun>,
    pub server_log_problems: usize,
}

/// One whole export.
#[derive(Debug, Serialize)]
pub struct ExportRun {
    pub format: ExportFormat,
    pub rows: u64,
    /// Whether the export held exactly the seeded rows.
    pub rows_match: bool,
    pub bytes: u64,
    pub seconds: f64,
    pub first_byte_ms: f64,
    pub rows_per_sec: f64,
    pub mib_per_sec: f64,
    /// The kernel's high-water mark over the export (reset just before it), if allowed.
    pub peak_rss_mib: Option<f64>,
    /// The largest resident size seen by sampling every 20 ms.
    pub sampled_peak_rss_mib: f64,
    pub rss_before_mib: f64,
}

pub async fn bench_export(args: &Args, backend: Backend) -> anyhow::Result<ExportReport> {
    let label = backend.label();
    let rows = args.scenarios.export_rows;
    let served = on_fresh_server(
        args,
        backend,
        "export",
        async |database_url: &str| {
            progress(
                label,
                &format!("seeding {rows} impressions for the exports"),
            );
            let now = imprint_store::now_ms();
            let plan = SeedPlan {
                environment: ENVIRONMENT,
                retention_days: 3650,
                rows,
                received_between_ms: (now - SEEDED_SPAN_MS, now),
            };
            let seeded = seed(database_url, &plan).await?;
            progress(
                label,
                &format!(
                    "seeded in {:.0} s ({:.0} rows/s)",
                    seeded.seconds, seeded.rows_per_sec
                ),
            );
            Ok(seeded)
        },
        async |seeded: Seeded, server: &ServerProcess| {
            let session = AdminSession::sign_in(&server.base_url()).await?;
            let idle_rss_mib = status_kib(server.pid(), "VmRSS")? as f64 / 1024.0;
            let mut runs = Vec::new();
            for &format in &args.scenarios.export_formats {
                progress(label, &format!("exporting as {}", format.name()));
                let run = export_once(&session, server, format, seeded.rows).await?;
                progress(
                    label,
                    &format!(
                        "{}: {} rows in {:.1} s, {:.0} rows/s, peak RSS {:.0} MiB",
                        format.name(),
                        run.rows,
                        run.seconds,
                        run.rows_per_sec,
                        run.peak_rss_mib.unwrap_or(run.sampled_peak_rss_mib)
                    ),
                );
                runs.push(run);
            }
            Ok((seeded, idle_rss_mib, runs))
        },
    )
    .await?;
    let (seeded, idle_rss_mib, runs) = served.figures;
    Ok(ExportReport {
        backend,
        seeded,
        idle_rss_mib,
        runs,
        server_log_problems: served.log_problems,
    })
}

async fn export_once(
    session: &AdminSession,
    server: &ServerProcess,
    format: ExportFormat,
    expected_rows: u64,
) -> anyhow::Result<ExportRun> {
    let pid = server.pid();
    let rss_before_kib = status_kib(pid, "VmRSS")?;
    let high_water_reset = reset_peak_rss(pid).is_ok();
    let sampler = RssSampler::start(pid, RSS_SAMPLE_EVERY);

    let start = Instant::now();
    let mut response = session
        .get(&format!(
            "/api/v1/environments/{ENVIRONMENT}/impressions/export?format={}",
            format.name()
        ))
        // The rows' own encoding is measured, not a compression layer on top of it.
        .header(ACCEPT_ENCODING, "identity")
        .send()
        .await
        .context("requesting the export")?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "the export answered {}: {}",
        response.status(),
        response.text().await.unwrap_or_default()
    );
    let mut counter = RowCounter::new(format);
    let mut first_byte = None;
    while let Some(chunk) = response.chunk().await.context("reading the export")? {
        first_byte.get_or_insert_with(|| start.elapsed());
        counter.add(&chunk);
    }
    let seconds = start.elapsed().as_secs_f64().max(f64::EPSILON);

    let peak_rss_mib = if high_water_reset {
        Some(status_kib(pid, "VmHWM")? as f64 / 1024.0)
    } else {
        None
    };
    let rows = counter.rows()?;
    Ok(ExportRun {
        format,
        rows,
        rows_match: rows == expected_rows,
        bytes: counter.bytes(),
        seconds,
        first_byte_ms: first_byte.unwrap_or_default().as_secs_f64() * 1000.0,
        rows_per_sec: rows as f64 / seconds,
        mib_per_sec: counter.bytes() as f64 / (1024.0 * 1024.0) / seconds,
        peak_rss_mib,
        sampled_peak_rss_mib: sampler.peak_kib() as f64 / 1024.0,
        rss_before_mib: rss_before_kib as f64 / 1024.0,
    })
}
