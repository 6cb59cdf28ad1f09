//! The impact benchmark: a million exposed users and ten million events (see `seed`), then
//! each metric's impact computed through `GET …/flags/{flag}/impact?refresh=true` a few times.
//! Reported: the median time of the request and the server's peak memory while it ran. The
//! issue's goal is 5 s on SQLite and on PostgreSQL.

mod seed;

use std::time::{Duration, Instant};

use anyhow::Context;
use imprint_types::ImpactView;
use reqwest::StatusCode;
use serde::Serialize;

use crate::cli::{Args, Backend};
use crate::process_stats::{reset_peak_rss, status_kib, RssSampler};
use crate::run::{on_fresh_server, progress};
use crate::server::ServerProcess;
use crate::setup::AdminSession;
pub use seed::{Seeded, Window};
use seed::{ENVIRONMENT, FLAG, METRICS};

pub const GOAL_SECONDS: f64 = 5.0;
const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(20);

#[derive(Debug, Serialize)]
pub struct ImpactReport {
    pub backend: Backend,
    pub seeded: Seeded,
    pub idle_rss_mib: f64,
    pub metrics: Vec<MetricRuns>,
    pub server_log_problems: usize,
}

/// One metric's computations.
#[derive(Debug, Serialize)]
pub struct MetricRuns {
    pub metric: &'static str,
    pub aggregation: &'static str,
    pub seconds: Vec<f64>,
    pub median_seconds: f64,
    /// The kernel's high-water mark over the runs (reset before each), if allowed.
    pub peak_rss_mib: Option<f64>,
    pub sampled_peak_rss_mib: f64,
    /// Users counted per treatment and excluded, from the last answer.
    pub users: Vec<(String, u64)>,
    pub excluded_users: u64,
}

pub async fn bench_impact(args: &Args, backend: Backend) -> anyhow::Result<ImpactReport> {
    let label = backend.label();
    let (users, events) = (args.scenarios.impact_users, args.scenarios.impact_events);
    let served = on_fresh_server(
        args,
        backend,
        "impact",
        async |database_url: &str| {
            progress(
                label,
                &format!("seeding {users} exposed users and {events} events"),
            );
            let seeded = seed::seed(database_url, users, events).await?;
            progress(label, &format!("seeded in {:.0} s", seeded.seconds));
            Ok(seeded)
        },
        async |seeded: Seeded, server: &ServerProcess| {
            let session = AdminSession::sign_in(&server.base_url()).await?;
            define_flag(&session).await?;
            let idle_rss_mib = status_kib(server.pid(), "VmRSS")? as f64 / 1024.0;
            let mut metrics = Vec::new();
            for (&(name, aggregation, _, _), &id) in METRICS.iter().zip(&seeded.metric_ids) {
                let runs = measure(
                    &session,
                    server,
                    id,
                    seeded.window,
                    args.scenarios.impact_runs,
                )
                .await
                .with_context(|| format!("computing the impact on `{name}`"))?;
                let runs = MetricRuns {
                    metric: name,
                    aggregation,
                    ..runs
                };
                progress(
                    label,
                    &format!(
                        "{name}: median {:.2} s, runs {:?}",
                        runs.median_seconds, runs.seconds
                    ),
                );
                metrics.push(runs);
            }
            Ok((seeded, idle_rss_mib, metrics))
        },
    )
    .await?;
    let (seeded, idle_rss_mib, metrics) = served.figures;
    Ok(ImpactReport {
        backend,
        seeded,
        idle_rss_mib,
        metrics,
        server_log_problems: served.log_problems,
    })
}

/// A 50/50 split with `off` as the default treatment: the sample-ratio check has a split.
async fn define_flag(session: &AdminSession) -> anyhow::Result<()> {
    let definition = serde_json::json!({
        "name": FLAG, "traffic_type": "user", "default_treatment": "off",
        "treatments": [{ "name": "on" }, { "name": "off" }], "rules": [],
        "default_rule": { "split": [{ "treatment": "on", "size": 50 }, { "treatment": "off", "size": 50 }] }
    });
    let response = session
        .put(&format!(
            "/api/v1/environments/{ENVIRONMENT}/flags/{FLAG}/definition"
        ))
        .json(&definition)
        .send()
        .await
        .context("defining the flag")?;
    anyhow::ensure!(
        response.status() == StatusCode::OK,
        "defining the flag answered {}",
        response.status()
    );
    Ok(())
}

async fn measure(
    session: &AdminSession,
    server: &ServerProcess,
    metric_id: i64,
    window: Window,
    runs: usize,
) -> anyhow::Result<MetricRuns> {
    let pid = server.pid();
    let path = format!(
        "/api/v1/environments/{ENVIRONMENT}/flags/{FLAG}/impact?metric={metric_id}&from={}&to={}&refresh=true",
        window.from, window.to
    );
    let high_water_reset = reset_peak_rss(pid).is_ok();
    let sampler = RssSampler::start(pid, RSS_SAMPLE_EVERY);
    let mut seconds = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let response = session
            .get(&path)
            .send()
            .await
            .context("asking for the impact")?;
        anyhow::ensure!(
            response.status() == StatusCode::OK,
            "the impact answered {}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
        let view: ImpactView = response.json().await.context("reading the impact")?;
        seconds.push(started.elapsed().as_secs_f64());
        last = Some(view);
    }
    let view = last.context("no run")?;
    let peak_rss_mib = if high_water_reset {
        Some(status_kib(pid, "VmHWM")? as f64 / 1024.0)
    } else {
        None
    };
    let mut sorted = seconds.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(MetricRuns {
        metric: "",
        aggregation: "",
        median_seconds: sorted[sorted.len() / 2],
        seconds,
        peak_rss_mib,
        sampled_peak_rss_mib: sampler.peak_kib() as f64 / 1024.0,
        users: view
            .treatments
            .iter()
            .map(|t| (t.treatment.clone(), t.users))
            .collect(),
        excluded_users: view.excluded_users,
    })
}
