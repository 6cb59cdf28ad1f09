//! The sinks section: what three sinks cost ingestion, how late impressions reach their
//! receivers, and how fast a backfill goes while ingestion continues.

use std::fmt::Write;

use super::format::{group, latencies, problems, verdict, Table};
use super::Settings;
use crate::sinks::{Backfill, SinksReport};

/// Post latency p99 with three sinks within this factor of none (issue 12).
pub const GOAL_P99_FACTOR: f64 = 1.2;
/// Delivery delay p99 at the steady rate (issue 12).
pub const GOAL_DELAY_P99_MS: f64 = 2_000.0;

pub fn render(settings: &Settings, backends: &[SinksReport]) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason only.
    let _ = write(&mut out, settings, backends);
    out
}

fn write(out: &mut String, settings: &Settings, backends: &[SinksReport]) -> std::fmt::Result {
    let s = &settings.scenarios;
    writeln!(out, "## Sinks\n")?;
    writeln!(
        out,
        "- {} impressions/s for {} s to `POST /api/testImpressions/bulk` without a sink, then \
         again with three webhook sinks (Split body, NDJSON, gzipped NDJSON) delivering to \
         receivers in the load generator's process. Delay: from an impression's post to its \
         arrival at a receiver (default batching: 1,000 rows or 1 s).",
        group(s.sinks_rate as f64),
        s.sinks_secs
    )?;
    writeln!(
        out,
        "- Then a fourth sink replays everything stored (`POST …/replay {{\"from\": 0}}`, \
         NDJSON, 10,000 rows per batch) while {} impressions/s arrive: its delivery rate; \
         then the same with an S3 sink writing Parquet objects (100,000 rows or 1 s) into \
         moto's S3 server.\n",
        group(s.sinks_backfill_rate as f64)
    )?;
    let table = Table {
        items: backends,
        backend: |b: &SinksReport| b.backend,
    };
    table.header(out)?;
    table.row(
        out,
        "Post latency without sinks p50 / p99 / p99.9, ms",
        |b| latencies(&b.without_sinks.latency),
    )?;
    table.row(
        out,
        "Post latency with three sinks p50 / p99 / p99.9, ms",
        |b| latencies(&b.with_sinks.latency),
    )?;
    table.row(out, "503 answers / other failures (with sinks)", |b| {
        problems(&b.with_sinks)
    })?;
    table.row(
        out,
        &format!("**p99 with / without** (goal ≤ {GOAL_P99_FACTOR}×)"),
        |b| {
            format!(
                "**{:.2}×** ({})",
                b.p99_ratio,
                verdict(b.p99_ratio <= GOAL_P99_FACTOR)
            )
        },
    )?;
    for i in 0..3 {
        let name = backends
            .first()
            .and_then(|b| b.receivers.get(i))
            .map_or("receiver", |(name, _)| name.as_str());
        table.row(out, &format!("{name}: delivered / stored"), |b| {
            b.receivers.get(i).map_or(String::new(), |(_, r)| {
                format!(
                    "{} / {}",
                    group(r.impressions as f64),
                    group(b.with_sinks.impressions_accepted as f64)
                )
            })
        })?;
        table.row(
            out,
            &format!("**{name}: delay p50 / p99, ms** (goal p99 ≤ {GOAL_DELAY_P99_MS:.0})"),
            |b| {
                b.receivers.get(i).map_or(String::new(), |(_, r)| {
                    format!(
                        "**{:.0} / {:.0}** ({})",
                        r.delay.p50_ms,
                        r.delay.p99_ms,
                        verdict(r.delay.p99_ms <= GOAL_DELAY_P99_MS)
                    )
                })
            },
        )?;
    }
    for (name, backfill) in [
        (
            "Webhook backfill",
            (|b: &SinksReport| &b.backfill) as fn(&SinksReport) -> &Backfill,
        ),
        ("S3 (Parquet, moto) backfill", |b: &SinksReport| {
            &b.s3_backfill
        }),
    ] {
        table.row(
            out,
            &format!("{name}: delivered / rows to replay + new"),
            |b| {
                let f = backfill(b);
                format!(
                    "{} / {} + {}",
                    group(f.delivered as f64),
                    group(f.rows as f64),
                    group(f.ingest.impressions_accepted as f64)
                )
            },
        )?;
        table.row(out, &format!("**{name}: impressions/s delivered**"), |b| {
            format!("**{}**", group(backfill(b).impressions_per_sec))
        })?;
        table.row(out, &format!("{name}: ingestion p99 meanwhile, ms"), |b| {
            format!("{:.1}", backfill(b).ingest.latency.p99_ms)
        })?;
    }
    table.row(out, "Server log WARN/ERROR lines", |b| {
        group(b.server_log_problems as f64)
    })?;
    writeln!(out)
}
