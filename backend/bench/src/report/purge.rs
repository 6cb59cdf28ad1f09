//! The purge section: ingestion latency alone and while a retention purge runs.

use std::fmt::Write;

use super::format::{cores, group, latencies, problems, Table};
use super::Settings;
use crate::purge::PurgeReport;

pub fn render(settings: &Settings, backends: &[PurgeReport]) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason only.
    let _ = write(&mut out, settings, backends);
    out
}

fn write(out: &mut String, settings: &Settings, backends: &[PurgeReport]) -> std::fmt::Result {
    let s = &settings.scenarios;
    writeln!(out, "## Ingestion during a retention purge\n")?;
    writeln!(
        out,
        "- {} impressions received 31 to 60 days ago, written straight into the database, in \
         an environment keeping 30 days (on PostgreSQL, vacuumed and analysed afterwards, as \
         autovacuum would have).",
        group(s.purge_rows as f64)
    )?;
    writeln!(
        out,
        "- {} impressions/s to `POST /api/testImpressions/bulk` (open loop, 100 per body, \
         latency from each post's scheduled time): {} s alone, then while \
         `POST /api/v1/environments/{{env}}/retention/run` purges (the server's default chunk \
         of 5,000 rows per DELETE, 5 ms apart), until its answer.\n",
        group(s.purge_ingest_rate as f64),
        s.purge_baseline_secs
    )?;
    let table = Table {
        items: backends,
        backend: |b: &PurgeReport| b.backend,
    };
    table.header(out)?;
    table.row(out, "Post latency p50 / p99 / p99.9, ms, no purge", |b| {
        latencies(&b.without_purge.latency)
    })?;
    table.row(
        out,
        "Post latency p50 / p99 / p99.9, ms, during the purge",
        |b| latencies(&b.during_purge.latency),
    )?;
    table.row(out, "**p99 during / p99 without**", |b| {
        format!("**{:.2}**", b.p99_ratio)
    })?;
    table.row(out, "Max latency, ms: no purge / during", |b| {
        format!(
            "{:.1} / {:.1}",
            b.without_purge.latency.max_ms, b.during_purge.latency.max_ms
        )
    })?;
    table.row(out, "Impressions/s stored: no purge / during", |b| {
        format!(
            "{} / {}",
            group(b.without_purge.impressions_per_sec),
            group(b.during_purge.impressions_per_sec)
        )
    })?;
    table.row(out, "503 answers / other failures: no purge; during", |b| {
        format!(
            "{}; {}",
            problems(&b.without_purge),
            problems(&b.during_purge)
        )
    })?;
    table.row(out, "**Purge: rows deleted, seconds**", |b| {
        format!(
            "**{}, {:.1}**",
            group(b.impressions_deleted as f64),
            b.purge_seconds
        )
    })?;
    table.row(out, "Purge: rows deleted/s", |b| group(b.deleted_per_sec))?;
    table.row(
        out,
        "CPU cores busy during the purge: server / load generator / rest of machine",
        |b| cores(&b.during_purge.cpu),
    )?;
    table.row(out, "WARN/ERROR lines in the server log", |b| {
        b.server_log_problems.to_string()
    })?;
    writeln!(out)?;
    for b in backends {
        if b.impressions_deleted != b.seeded.rows as i64 {
            writeln!(
                out,
                "- **{}**: the purge deleted {} impressions of the {} past retention.",
                b.backend.label(),
                group(b.impressions_deleted as f64),
                group(b.seeded.rows as f64)
            )?;
        }
        for (phase, figures) in [("no purge", &b.without_purge), ("during", &b.during_purge)] {
            if let Some(problem) = &figures.first_problem {
                writeln!(
                    out,
                    "- {} ({phase}), first problem: {problem}",
                    b.backend.label()
                )?;
            }
        }
    }
    writeln!(out)
}
