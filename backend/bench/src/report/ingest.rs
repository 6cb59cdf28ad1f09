//! The ingestion section: one column per backend, so the two read side by side.

use std::fmt::Write;

use super::format::{cores, group, latencies, problems, verdict};
use super::{
    IngestReport, Settings, GOAL_HOSTILE_P99_FACTOR, GOAL_HTTP_TO_CEILING,
    GOAL_SQLITE_IMPRESSIONS_PER_SEC,
};
use crate::cli::Backend;

pub fn render(settings: &Settings, backends: &[IngestReport]) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason only.
    let _ = write_settings(&mut out, settings);
    let _ = write_main_table(&mut out, backends);
    let _ = write_ceiling_table(&mut out, backends);
    let _ = write_goals(&mut out, backends);
    let _ = write_notes(&mut out, backends);
    out
}

fn write_settings(out: &mut String, s: &Settings) -> std::fmt::Result {
    writeln!(out, "## Ingestion\n")?;
    writeln!(
        out,
        "- Load: `POST /api/testImpressions/bulk` with {} impressions per body (a pool of {} \
         bodies, {} flags, {} users, evaluation times spread over {} s, Node SDK headers, \
         DEBUG mode), {} keep-alive HTTP/1.1 connections, {} client thread(s).",
        s.impressions_per_body,
        group(s.bodies as f64),
        s.flags,
        group(s.users as f64),
        s.timestamp_spread_secs,
        s.connections,
        s.client_threads
    )?;
    writeln!(
        out,
        "- Phases: {} s warm-up, {} s at full load (closed loop: every connection posts again \
         on its answer), {} s at half load (open loop at half the full-load post rate, latency \
         from each post's scheduled time). A 503 makes a full-load connection pause {} ms.",
        s.warmup_secs, s.duration_secs, s.duration_secs, s.backoff_ms
    )?;
    writeln!(
        out,
        "- Storage ceiling: the same rows written through the store's ingestion path \
         (`IngestStore::write`, as the server's writer does) into a fresh database of the same \
         backend, no HTTP, {} s per transaction size ({} impressions), best size reported.\n",
        s.ceiling_secs,
        s.ceiling_rows
            .iter()
            .map(|n| group(*n as f64))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn write_main_table(out: &mut String, backends: &[IngestReport]) -> std::fmt::Result {
    let row = |out: &mut String, label: &str, cell: &dyn Fn(&IngestReport) -> String| {
        let cells: Vec<String> = backends.iter().map(cell).collect();
        writeln!(out, "| {label} | {} |", cells.join(" | "))
    };
    let header: Vec<&str> = backends.iter().map(|b| b.backend.label()).collect();
    writeln!(out, "| | {} |", header.join(" | "))?;
    writeln!(out, "|---|{}", "---:|".repeat(backends.len()))?;

    row(
        out,
        "**Impressions/s accepted and stored (full load)**",
        &|b| format!("**{}**", group(b.full_load.impressions_per_sec)),
    )?;
    row(out, "Posts/s (full load)", &|b| {
        group(b.full_load.posts_per_sec)
    })?;
    row(out, "Latency p50 / p99 / p99.9, ms (full load)", &|b| {
        latencies(&b.full_load.latency)
    })?;
    row(out, "503 answers / other failures (full load)", &|b| {
        problems(&b.full_load)
    })?;
    row(out, "Half load: posts/s offered", &|b| {
        b.half_load
            .offered_posts_per_sec
            .map_or_else(|| "-".into(), group)
    })?;
    row(out, "Half load: impressions/s stored", &|b| {
        group(b.half_load.impressions_per_sec)
    })?;
    row(out, "Latency p50 / p99 / p99.9, ms (half load)", &|b| {
        latencies(&b.half_load.latency)
    })?;
    row(out, "503 answers / other failures (half load)", &|b| {
        problems(&b.half_load)
    })?;
    row(
        out,
        "Hostile mix (half load, 1% hostile): valid p50 / p99 / p99.9, ms",
        &|b| latencies(&b.hostile_mix.latency),
    )?;
    row(out, "Hostile mix: valid posts failed (error rate)", &|b| {
        format!(
            "{} ({:.3}%)",
            problems(&b.hostile_mix),
            b.hostile_mix.error_rate() * 100.0
        )
    })?;
    row(
        out,
        "Hostile mix: hostile posts / not refused cleanly",
        &|b| {
            format!(
                "{} / {}",
                group(b.hostile_mix.hostile_posts as f64),
                b.hostile_mix.hostile_mishandled
            )
        },
    )?;
    row(
        out,
        "CPU cores busy at full load: server / load generator / rest of machine",
        &|b| cores(&b.full_load.cpu),
    )?;
    row(
        out,
        "CPU cores busy at half load: server / load generator / rest of machine",
        &|b| cores(&b.half_load.cpu),
    )?;
    row(out, "WARN/ERROR lines in the server log", &|b| {
        b.server_log_problems.to_string()
    })?;
    row(out, "Server peak RSS, MiB (VmHWM; sampled)", &|b| {
        format!(
            "{:.0} ({:.0})",
            b.memory.peak_rss_mib, b.memory.sampled_peak_rss_mib
        )
    })?;
    row(
        out,
        "**Storage ceiling, impressions/s** (best size)",
        &|b| match b.ceiling.best() {
            Some(best) => format!(
                "**{}** ({}/txn)",
                group(best.impressions_per_sec),
                group(best.impressions_per_transaction as f64)
            ),
            None => "-".into(),
        },
    )?;
    row(out, "**HTTP / ceiling**", &|b| {
        b.http_to_ceiling
            .map_or_else(|| "-".into(), |r| format!("**{r:.2}**"))
    })?;
    row(out, "Durability: usage says stored = accepted", &|b| {
        let d = &b.durability;
        format!(
            "{} ({} = {})",
            if d.ok { "OK" } else { "MISMATCH" },
            group(d.stored_per_usage as f64),
            group(d.accepted_by_server as f64)
        )
    })?;
    writeln!(out)
}

fn write_ceiling_table(out: &mut String, backends: &[IngestReport]) -> std::fmt::Result {
    writeln!(
        out,
        "Storage ceiling per transaction size (impressions/s):\n"
    )?;
    writeln!(out, "| Impressions per transaction | {} |", {
        let labels: Vec<&str> = backends.iter().map(|b| b.backend.label()).collect();
        labels.join(" | ")
    })?;
    writeln!(out, "|---:|{}", "---:|".repeat(backends.len()))?;
    let mut sizes: Vec<usize> = backends
        .iter()
        .flat_map(|b| b.ceiling.runs.iter().map(|r| r.impressions_per_transaction))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    for size in sizes {
        let cells: Vec<String> = backends
            .iter()
            .map(|b| {
                b.ceiling
                    .runs
                    .iter()
                    .find(|r| r.impressions_per_transaction == size)
                    .map_or_else(
                        || "-".into(),
                        |r| {
                            format!(
                                "{} ({:.2} + {:.2})",
                                group(r.impressions_per_sec),
                                r.cpu.bench_cores,
                                r.cpu.other_cores
                            )
                        },
                    )
            })
            .collect();
        writeln!(out, "| {} | {} |", group(size as f64), cells.join(" | "))?;
    }
    writeln!(out)
}

fn write_goals(out: &mut String, backends: &[IngestReport]) -> std::fmt::Result {
    writeln!(out, "### Goals\n")?;
    for b in backends {
        if b.backend == Backend::Sqlite {
            writeln!(
                out,
                "- SQLite at ≥ {} impressions/s: {} ({}).",
                group(GOAL_SQLITE_IMPRESSIONS_PER_SEC),
                verdict(b.full_load.impressions_per_sec >= GOAL_SQLITE_IMPRESSIONS_PER_SEC),
                group(b.full_load.impressions_per_sec)
            )?;
        }
        let (clean, hostile) = (&b.half_load, &b.hostile_mix);
        writeln!(
            out,
            "- {}: hostile mix, no valid post failed: {}; valid p99 within \
             {GOAL_HOSTILE_P99_FACTOR}× of the clean half load: {} ({:.1} vs {:.1} ms).",
            b.backend.label(),
            verdict(hostile.error_rate() == 0.0 && hostile.hostile_mishandled == 0),
            verdict(hostile.latency.p99_ms <= clean.latency.p99_ms * GOAL_HOSTILE_P99_FACTOR),
            hostile.latency.p99_ms,
            clean.latency.p99_ms
        )?;
        if let Some(ratio) = b.http_to_ceiling {
            writeln!(
                out,
                "- {} at ≥ {GOAL_HTTP_TO_CEILING} of its storage ceiling: {} ({ratio:.2}).",
                b.backend.label(),
                verdict(ratio >= GOAL_HTTP_TO_CEILING)
            )?;
        }
    }
    writeln!(out)
}

fn write_notes(out: &mut String, backends: &[IngestReport]) -> std::fmt::Result {
    writeln!(out, "### Notes\n")?;
    writeln!(
        out,
        "- A 200 answer means the batch has committed; the durability row compares the sum of \
         `accepted` over all 200 answers (warm-up included) with the environment's usage."
    )?;
    writeln!(
        out,
        "- Server CPU is the `imprint` process only; PostgreSQL's own processes are not in it. \
         The ceiling runs after the server has stopped, so it has the cores to itself."
    )?;
    writeln!(
        out,
        "- Half-load latencies include up to ~1 ms of timer granularity: posts are scheduled \
         on tokio's millisecond timer."
    )?;
    writeln!(
        out,
        "- \"Rest of machine\" is PostgreSQL's processes on PostgreSQL; on SQLite anything well \
         above zero was another program competing for the cores, and the figures are low."
    )?;
    for b in backends {
        if b.backend == Backend::Sqlite {
            let ceiling_noise = b.ceiling.runs.iter().map(|r| r.cpu.other_cores);
            let noise = [b.full_load.cpu.other_cores, b.half_load.cpu.other_cores]
                .into_iter()
                .chain(ceiling_noise)
                .fold(0.0, f64::max);
            if noise > BUSY_MACHINE_CORES {
                writeln!(
                    out,
                    "- **Warning**: up to {noise:.2} cores were busy outside Imprint and the \
                     benchmark during the SQLite measurements; run again on an idle machine."
                )?;
            }
        }
        for (phase, figures) in [
            ("full", &b.full_load),
            ("half", &b.half_load),
            ("hostile-mix half", &b.hostile_mix),
        ] {
            if let Some(problem) = &figures.first_problem {
                writeln!(
                    out,
                    "- {} at {phase} load, first problem: {problem}",
                    b.backend.label()
                )?;
            }
            if figures.impressions_rejected > 0 {
                writeln!(
                    out,
                    "- {} at {phase} load: the server rejected {} impressions item by item.",
                    b.backend.label(),
                    figures.impressions_rejected
                )?;
            }
        }
    }
    Ok(())
}

/// Cores busy elsewhere past which a SQLite measurement is flagged as disturbed.
const BUSY_MACHINE_CORES: f64 = 0.25;
