//! The live tail section: delivery delay from the post to the stream, and what the stream
//! reported about its own sampling.

use std::fmt::Write;

use super::format::{cores, group, latencies, problems, Table};
use super::Settings;
use crate::live::{LiveReport, TailReport};

pub fn render(settings: &Settings, backends: &[LiveReport]) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason only.
    let _ = write(&mut out, settings, backends);
    out
}

fn write(out: &mut String, settings: &Settings, backends: &[LiveReport]) -> std::fmt::Result {
    let s = &settings.scenarios;
    writeln!(out, "## Live tail\n")?;
    writeln!(
        out,
        "- Two tails of `GET /api/v1/environments/{{env}}/impressions/live` open under the \
         admin's session: one unfiltered with `max_rate={}`, one filtered on one flag of ten \
         (a tenth of the traffic) with `max_rate=2000`, the server's cap.",
        s.live_max_rate
    )?;
    writeln!(
        out,
        "- Then {} impressions/s for {} s to `POST /api/testImpressions/bulk` (100 per body, \
         bodies built as they are sent), each impression's key stamped with its send time. \
         Delay: from the post's send to the event's arrival at the client, for impressions \
         sent after a 2 s warm-up.\n",
        group(s.live_rate as f64),
        s.live_secs
    )?;
    let table = Table {
        items: backends,
        backend: |b: &LiveReport| b.backend,
    };
    table.header(out)?;
    table.row(out, "Impressions/s stored", |b| {
        group(b.ingest.impressions_per_sec)
    })?;
    table.row(out, "Post latency p50 / p99 / p99.9, ms", |b| {
        latencies(&b.ingest.latency)
    })?;
    table.row(out, "503 answers / other failures", |b| problems(&b.ingest))?;
    for (name, tail) in [
        (
            "Unfiltered",
            (|b: &LiveReport| &b.unfiltered) as fn(&LiveReport) -> &TailReport,
        ),
        ("Filtered", |b: &LiveReport| &b.filtered),
    ] {
        table.row(out, &format!("**{name} tail: delay p50 / p99, ms**"), |b| {
            let l = &tail(b).latency;
            format!("**{:.1} / {:.1}**", l.p50_ms, l.p99_ms)
        })?;
        table.row(out, &format!("{name} tail: delay p99.9 / max, ms"), |b| {
            let l = &tail(b).latency;
            format!("{:.1} / {:.1}", l.p999_ms, l.max_ms)
        })?;
        table.row(
            out,
            &format!("{name} tail: received / stored that match"),
            |b| {
                let expected = match name {
                    "Filtered" => b.filtered_expected,
                    _ => b.ingest.impressions_accepted,
                };
                format!(
                    "{} / {}",
                    group(tail(b).impressions_received as f64),
                    group(expected as f64)
                )
            },
        )?;
        table.row(
            out,
            &format!("{name} tail: stats matched / sent / skipped (over rate, slow client)"),
            |b| {
                let t = tail(b);
                format!(
                    "{} / {} / {} ({}, {})",
                    group(t.matched as f64),
                    group(t.sent as f64),
                    group(t.skipped as f64),
                    group(t.skipped_over_rate as f64),
                    group(t.skipped_slow_client as f64)
                )
            },
        )?;
        table.row(
            out,
            &format!("{name} tail: seconds sampling / notices / diagnostics"),
            |b| {
                let t = tail(b);
                format!("{} / {} / {}", t.seconds_sampling, t.notices, t.diagnostics)
            },
        )?;
    }
    table.row(
        out,
        "CPU cores busy: server / load generator and tails / rest of machine",
        |b| cores(&b.ingest.cpu),
    )?;
    table.row(out, "WARN/ERROR lines in the server log", |b| {
        b.server_log_problems.to_string()
    })?;
    writeln!(out)?;
    writeln!(
        out,
        "- `received` counts every impression event, warm-up and drain included; `stats` are \
         the sums of the stream's per-second reports. A tail that samples past `max_rate` \
         sends the first rows of each second and reports the rest as skipped."
    )?;
    for b in backends {
        for tail in [&b.unfiltered, &b.filtered] {
            if let Some(notice) = &tail.first_notice {
                writeln!(
                    out,
                    "- {} tail `{}`, first notice: {notice}",
                    b.backend.label(),
                    tail.query
                )?;
            }
        }
        if let Some(problem) = &b.ingest.first_problem {
            writeln!(
                out,
                "- {}, first ingestion problem: {problem}",
                b.backend.label()
            )?;
        }
    }
    writeln!(out)
}
