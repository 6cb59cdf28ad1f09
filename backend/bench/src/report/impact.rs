//! The impact section: the median time of each metric's impact and the server's peak memory.

use std::fmt::Write;

use super::format::{group, verdict, Table};
use super::Settings;
use crate::impact::{ImpactReport, MetricRuns, GOAL_SECONDS};

pub fn render(settings: &Settings, backends: &[ImpactReport]) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason only.
    let _ = write(&mut out, settings, backends);
    out
}

fn write(out: &mut String, settings: &Settings, backends: &[ImpactReport]) -> std::fmt::Result {
    let s = &settings.scenarios;
    writeln!(out, "## Metric impact\n")?;
    writeln!(
        out,
        "- {} users exposed to one flag (50/50, one in five with a second impression, one in a \
         hundred with both treatments) and {} events (80% of the metric's type, a tenth of the \
         keys never exposed, half with properties) over 12 days, written with bulk SQL before \
         the server starts; the last 400,000 events go through the store's ingestion path, half \
         without the events' (type, key) index and half with it. PostgreSQL tables are then \
         vacuumed and analysed.",
        group(s.impact_users as f64),
        group(s.impact_events as f64)
    )?;
    writeln!(
        out,
        "- Each metric: `GET …/flags/{{flag}}/impact?metric=…&refresh=true` {} times, one after \
         the other; the median is reported. Peak RSS: the server's VmHWM, reset before the runs \
         (in parentheses the largest VmRSS sampled every 20 ms). Goal: ≤ {GOAL_SECONDS} s.\n",
        s.impact_runs
    )?;
    let table = Table {
        items: backends,
        backend: |b: &ImpactReport| b.backend,
    };
    table.header(out)?;
    table.row(out, "Seeding (bulk SQL), s", |b| {
        format!("{:.0}", b.seeded.seconds)
    })?;
    table.row(
        out,
        "Event ingestion without / with the index, rows/s",
        |b| {
            format!(
                "{} / {}",
                group(b.seeded.ingest.without_index_rows_per_sec),
                group(b.seeded.ingest.with_index_rows_per_sec)
            )
        },
    )?;
    table.row(out, "Building the index over the events, s", |b| {
        format!("{:.0}", b.seeded.ingest.index_build_seconds)
    })?;
    table.row(out, "Server RSS before, MiB", |b| {
        format!("{:.0}", b.idle_rss_mib)
    })?;
    let names: Vec<&str> = backends
        .first()
        .map(|b| b.metrics.iter().map(|m| m.metric).collect())
        .unwrap_or_default();
    for name in names {
        table.row(out, &format!("**{name}: median s**"), |b| {
            runs_of(b, name).map_or("-".into(), |m| {
                format!(
                    "**{:.2}** ({})",
                    m.median_seconds,
                    verdict(m.median_seconds <= GOAL_SECONDS)
                )
            })
        })?;
        table.row(out, &format!("{name}: every run, s"), |b| {
            runs_of(b, name).map_or("-".into(), |m| {
                m.seconds
                    .iter()
                    .map(|s| format!("{s:.2}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        })?;
        table.row(out, &format!("{name}: server peak RSS, MiB"), |b| {
            runs_of(b, name).map_or("-".into(), |m| match m.peak_rss_mib {
                Some(peak) => format!("{peak:.0} ({:.0})", m.sampled_peak_rss_mib),
                None => format!("({:.0})", m.sampled_peak_rss_mib),
            })
        })?;
        table.row(
            out,
            &format!("{name}: users per treatment, excluded"),
            |b| {
                runs_of(b, name).map_or("-".into(), |m| {
                    let users: Vec<String> = m
                        .users
                        .iter()
                        .map(|(t, n)| format!("{t} {}", group(*n as f64)))
                        .collect();
                    format!("{}; {}", users.join(", "), group(m.excluded_users as f64))
                })
            },
        )?;
    }
    table.row(out, "WARN/ERROR lines in the server log", |b| {
        b.server_log_problems.to_string()
    })?;
    writeln!(out)
}

fn runs_of<'a>(report: &'a ImpactReport, name: &str) -> Option<&'a MetricRuns> {
    report.metrics.iter().find(|m| m.metric == name)
}
