//! The live tail benchmark: two tails open on an environment (one unfiltered, one filtered on
//! a flag), then impressions posted at a steady rate through the Split bulk endpoint. Each
//! impression's delay from its post to its arrival on the stream, p50 and p99; how many came
//! through of those stored; and what the stream said about its sampling.
//!
//! The unfiltered tail sees the whole rate, past the server's cap of 2,000 rows per second,
//! so it samples and must say so. The filtered one carries a tenth of the rate, under the
//! cap: every matching impression must come through.

mod sender;
mod tail;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::cli::{Args, Backend};
use crate::load::IngestTarget;
use crate::process_stats::CpuMark;
use crate::report::LoadFigures;
use crate::run::{on_fresh_server, progress};
use crate::server::ServerProcess;
use crate::setup::{BenchEnvironment, ENVIRONMENT};
use crate::workload::IMPRESSIONS_PER_BODY;
use sender::{flag_of, nudge, FLAGS};
pub use sender::{micros_since, post_steadily, sent_micros};
pub use tail::TailReport;
use tail::TailStream;

/// Impressions sent in the first seconds warm the server up; their delays are not recorded.
const WARMUP: Duration = Duration::from_secs(2);
/// Time after the last post for the last impressions to arrive.
const DRAIN: Duration = Duration::from_secs(3);
/// The filtered tail asks for the server's highest rate, so only a rate past it samples.
const FILTERED_MAX_RATE: u32 = 2_000;

#[derive(Debug, Serialize)]
pub struct LiveReport {
    pub backend: Backend,
    pub offered_impressions_per_sec: u64,
    /// The posts: impressions stored, their latency, 503s and failures.
    pub ingest: LoadFigures,
    pub unfiltered: TailReport,
    pub filtered: TailReport,
    /// Impressions of the filtered flag the server stored: what the filtered tail should get.
    pub filtered_expected: u64,
    pub server_log_problems: usize,
}

pub async fn bench_live(args: &Args, backend: Backend) -> anyhow::Result<LiveReport> {
    let served = on_fresh_server(
        args,
        backend,
        "live",
        async |_: &str| Ok(()),
        async |(), server: &ServerProcess| measure(args, backend, server).await,
    )
    .await?;
    let (ingest, unfiltered, filtered) = served.figures;
    Ok(LiveReport {
        backend,
        offered_impressions_per_sec: args.scenarios.live_rate,
        // Impression n of every body goes to flag n % FLAGS, and bodies are whole.
        filtered_expected: ingest.impressions_accepted / FLAGS as u64,
        ingest,
        unfiltered,
        filtered,
        server_log_problems: served.log_problems,
    })
}

/// Opens the tails, posts, lets the last impressions arrive, closes the tails.
async fn measure(
    args: &Args,
    backend: Backend,
    server: &ServerProcess,
) -> anyhow::Result<(LoadFigures, TailReport, TailReport)> {
    let label = backend.label();
    let rate = args.scenarios.live_rate;
    let duration = Duration::from_secs(args.scenarios.live_secs);
    let environment = BenchEnvironment::create(&server.base_url()).await?;
    let session = &environment.session;
    let clock = Instant::now();
    let record_from = micros_since(clock) + WARMUP.as_micros() as u64;
    let (stop, stopped) = watch::channel(false);
    let follow = async |query: String| -> anyhow::Result<JoinHandle<_>> {
        let tail = TailStream::open(session, ENVIRONMENT, &query).await?;
        Ok(tokio::spawn(tail.follow(
            clock,
            record_from,
            stopped.clone(),
        )))
    };
    let unfiltered = follow(format!("max_rate={}", args.scenarios.live_max_rate)).await?;
    let filtered = follow(format!("flag={}&max_rate={FILTERED_MAX_RATE}", flag_of(0))).await?;

    progress(
        label,
        &format!(
            "posting {rate} impressions/s for {} s with two tails open",
            duration.as_secs()
        ),
    );
    let target = Arc::new(IngestTarget::new(
        server.address(),
        &environment.server_key,
    )?);
    let cpu = CpuMark::now(Some(server.pid()))?;
    let posted = post_steadily(Arc::clone(&target), rate, duration, clock).await;
    let cpu = cpu.until_now()?;
    tokio::time::sleep(DRAIN).await;
    // The tails stop even when posting failed, so no task outlives the server.
    let _ = stop.send(true);
    let unfiltered = unfiltered.await??;
    let filtered = filtered.await??;
    nudge(&target, clock).await?;

    let posts_per_sec = rate as f64 / IMPRESSIONS_PER_BODY as f64;
    let ingest = LoadFigures::of(&posted?, cpu, Some(posts_per_sec));
    for tail in [&unfiltered, &filtered] {
        progress(
            label,
            &format!(
                "tail `{}`: {} received, p50 {:.1} ms, p99 {:.1} ms, {} skipped",
                tail.query,
                tail.impressions_received,
                tail.latency.p50_ms,
                tail.latency.p99_ms,
                tail.skipped
            ),
        );
    }
    Ok((ingest, unfiltered, filtered))
}
