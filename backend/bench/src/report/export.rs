//! The export section: rows per second and the server's peak memory for each format.

use std::fmt::Write;

use super::format::{group, Table};
use super::Settings;
use crate::export::{ExportReport, ExportRun};

pub fn render(settings: &Settings, backends: &[ExportReport]) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored for that reason only.
    let _ = write(&mut out, settings, backends);
    out
}

fn write(out: &mut String, settings: &Settings, backends: &[ExportReport]) -> std::fmt::Result {
    let rows = settings.scenarios.export_rows;
    writeln!(out, "## Export\n")?;
    writeln!(
        out,
        "- {} impressions in one environment, written straight into the database through the \
         store's ingestion path before the server starts (the ingestion benchmark's mix of \
         flags, keys, labels and properties, received over a week). On PostgreSQL the table \
         is then vacuumed and analysed, as autovacuum keeps a table filled over days.",
        group(rows as f64)
    )?;
    writeln!(
        out,
        "- Each format exported whole: `GET /api/v1/environments/{{env}}/impressions/export?format=…`, \
         no criteria, no gzip, one client reading as fast as it can and discarding the bytes \
         (rows counted from newlines, or from the Parquet footer)."
    )?;
    writeln!(
        out,
        "- Peak RSS: the server's VmHWM, reset (`/proc/<pid>/clear_refs`) just before each \
         export; in parentheses the largest VmRSS sampled every 20 ms.\n"
    )?;
    let table = Table {
        items: backends,
        backend: |b: &ExportReport| b.backend,
    };
    table.header(out)?;
    table.row(out, "Seeding, rows/s (outside the server)", |b| {
        group(b.seeded.rows_per_sec)
    })?;
    table.row(out, "Server RSS before the exports, MiB", |b| {
        format!("{:.0}", b.idle_rss_mib)
    })?;
    for &format in &settings.scenarios.export_formats {
        let name = format.name().to_uppercase();
        let run = |b: &ExportReport| b.runs.iter().find(|r| r.format == format).map(cell_of);
        table.row(out, &format!("**{name}: rows/s**"), |b| {
            run(b).map_or_else(|| "-".into(), |c| format!("**{}**", c.rows_per_sec))
        })?;
        table.row(out, &format!("{name}: MiB/s, total MiB, seconds"), |b| {
            run(b).map_or_else(|| "-".into(), |c| c.volume)
        })?;
        table.row(out, &format!("{name}: first byte, ms"), |b| {
            run(b).map_or_else(|| "-".into(), |c| c.first_byte)
        })?;
        table.row(out, &format!("{name}: server peak RSS, MiB"), |b| {
            run(b).map_or_else(|| "-".into(), |c| c.peak_rss)
        })?;
    }
    table.row(out, "Rows exported = rows stored, every format", |b| {
        let all = b.runs.iter().all(|r| r.rows_match);
        if all { "OK" } else { "MISMATCH" }.to_owned()
    })?;
    table.row(out, "WARN/ERROR lines in the server log", |b| {
        b.server_log_problems.to_string()
    })?;
    writeln!(out)?;
    for b in backends {
        for run in b.runs.iter().filter(|r| !r.rows_match) {
            writeln!(
                out,
                "- **{}**: the {} export held {} rows, not {}.",
                b.backend.label(),
                run.format.name(),
                group(run.rows as f64),
                group(rows as f64)
            )?;
        }
    }
    if backends
        .iter()
        .any(|b| b.runs.iter().any(|r| r.peak_rss_mib.is_none()))
    {
        writeln!(
            out,
            "- The kernel refused to reset VmHWM; peak RSS is the sampled figure only."
        )?;
    }
    writeln!(out)
}

/// The cells of one export, formatted.
struct Cells {
    rows_per_sec: String,
    volume: String,
    first_byte: String,
    peak_rss: String,
}

fn cell_of(run: &ExportRun) -> Cells {
    let mib = run.bytes as f64 / (1024.0 * 1024.0);
    Cells {
        rows_per_sec: group(run.rows_per_sec),
        volume: format!("{:.0}, {}, {:.1}", run.mib_per_sec, group(mib), run.seconds),
        first_byte: format!("{:.0}", run.first_byte_ms),
        peak_rss: match run.peak_rss_mib {
            Some(peak) => format!("{peak:.0} ({:.0})", run.sampled_peak_rss_mib),
            None => format!("({:.0})", run.sampled_peak_rss_mib),
        },
    }
}
