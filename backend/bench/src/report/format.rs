//! Pieces every section of the Markdown report uses: the header, one-column-per-backend
//! tables and number formats.

use std::fmt::Write;

use super::{LoadFigures, MachineInfo, Settings};
use crate::cli::Backend;
use crate::load::LatencySummary;
use crate::process_stats::CpuUse;

/// The title and the machine the figures come from.
pub fn header(title: &str, machine: &MachineInfo, settings: &Settings) -> String {
    format!(
        "# {title}\n\n- Run: {}, {} cores ({}); the load generator and the server share them.\n\
         - Server: `{}`\n\n",
        machine.date,
        machine.cores,
        machine.cpu_model.as_deref().unwrap_or("unknown CPU"),
        settings.server_binary.display()
    )
}

/// A table with a column per backend: `rows` are (label, cell of each backend).
pub struct Table<'a, T> {
    pub items: &'a [T],
    pub backend: fn(&T) -> Backend,
}

impl<T> Table<'_, T> {
    pub fn header(&self, out: &mut String) -> std::fmt::Result {
        let labels: Vec<&str> = self
            .items
            .iter()
            .map(|item| (self.backend)(item).label())
            .collect();
        writeln!(out, "| | {} |", labels.join(" | "))?;
        writeln!(out, "|---|{}", "---:|".repeat(self.items.len()))
    }

    pub fn row(
        &self,
        out: &mut String,
        label: &str,
        cell: impl Fn(&T) -> String,
    ) -> std::fmt::Result {
        let cells: Vec<String> = self.items.iter().map(cell).collect();
        writeln!(out, "| {label} | {} |", cells.join(" | "))
    }
}

pub fn cores(cpu: &CpuUse) -> String {
    format!(
        "{:.2} / {:.2} / {:.2}",
        cpu.server_cores, cpu.bench_cores, cpu.other_cores
    )
}

pub fn latencies(l: &LatencySummary) -> String {
    format!("{:.1} / {:.1} / {:.1}", l.p50_ms, l.p99_ms, l.p999_ms)
}

/// 503 answers / other failures (HTTP errors and broken connections).
pub fn problems(figures: &LoadFigures) -> String {
    format!(
        "{} / {}",
        group(figures.overloaded_503 as f64),
        group((figures.failed + figures.connection_errors) as f64)
    )
}

pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "not met"
    }
}

/// A whole number with thousands separators: 1234567.8 → "1,234,568".
pub fn group(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < -0.5 {
        grouped.insert(0, '-');
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn thousands_are_separated() {
        assert_eq!(group(0.0), "0");
        assert_eq!(group(999.4), "999");
        assert_eq!(group(1_000.0), "1,000");
        assert_eq!(group(1_234_567.8), "1,234,568");
        assert_eq!(group(-12_345.0), "-12,345");
    }
}
