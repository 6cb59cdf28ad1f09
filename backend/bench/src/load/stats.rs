//! Counting what each connection saw, then adding the connections up.

use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::connection::PostOutcome;

/// Latencies are kept in microseconds, from 1 µs to 10 minutes, to 3 significant digits.
const HIGHEST_LATENCY_US: u64 = 600_000_000;
const SIGNIFICANT_DIGITS: u8 = 3;

#[derive(Debug, Clone)]
pub struct PhaseStats {
    /// Latency of the posts the server stored (200 answers).
    pub latency_us: Histogram<u64>,
    pub posts_stored: u64,
    pub impressions_accepted: u64,
    /// Items the server refused one by one inside a stored post (should be none).
    pub impressions_rejected: u64,
    pub overloaded: u64,
    /// Answers other than 200 and 503.
    pub failed: u64,
    /// Connections that broke and were opened again.
    pub connection_errors: u64,
    pub first_problem: Option<String>,
    /// Hostile posts of the hostile mix, and those the server did not refuse cleanly (a 5xx,
    /// or an item accepted).
    pub hostile_posts: u64,
    pub hostile_mishandled: u64,
}

impl PhaseStats {
    pub fn new() -> anyhow::Result<PhaseStats> {
        Ok(PhaseStats {
            latency_us: Histogram::new_with_bounds(1, HIGHEST_LATENCY_US, SIGNIFICANT_DIGITS)?,
            posts_stored: 0,
            impressions_accepted: 0,
            impressions_rejected: 0,
            overloaded: 0,
            failed: 0,
            connection_errors: 0,
            first_problem: None,
            hostile_posts: 0,
            hostile_mishandled: 0,
        })
    }

    /// A hostile post must be refused: a 4xx, or a 200 that accepted nothing.
    pub fn record_hostile(&mut self, outcome: &PostOutcome) {
        self.hostile_posts += 1;
        let refused = match outcome {
            PostOutcome::Stored { accepted, .. } => *accepted == 0,
            PostOutcome::Overloaded => true,
            PostOutcome::Failed { status, .. } => status.is_client_error(),
        };
        if !refused {
            self.hostile_mishandled += 1;
            if let PostOutcome::Failed { status, body } = outcome {
                self.note_problem(|| format!("hostile post: HTTP {status}: {body}"));
            }
        }
    }

    pub fn record(&mut self, outcome: &PostOutcome, latency: Duration) {
        match outcome {
            PostOutcome::Stored { accepted, rejected } => {
                self.posts_stored += 1;
                self.impressions_accepted += accepted;
                self.impressions_rejected += rejected;
                let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
                self.latency_us.saturating_record(micros.max(1));
            }
            PostOutcome::Overloaded => self.overloaded += 1,
            PostOutcome::Failed { status, body } => {
                self.failed += 1;
                self.note_problem(|| format!("HTTP {status}: {body}"));
            }
        }
    }

    pub fn record_connection_error(&mut self, error: &anyhow::Error) {
        self.connection_errors += 1;
        self.note_problem(|| format!("connection error: {error:#}"));
    }

    fn note_problem(&mut self, describe: impl FnOnce() -> String) {
        if self.first_problem.is_none() {
            self.first_problem = Some(describe());
        }
    }

    pub fn add(&mut self, other: PhaseStats) -> anyhow::Result<()> {
        self.latency_us.add(&other.latency_us)?;
        self.posts_stored += other.posts_stored;
        self.impressions_accepted += other.impressions_accepted;
        self.impressions_rejected += other.impressions_rejected;
        self.overloaded += other.overloaded;
        self.failed += other.failed;
        self.connection_errors += other.connection_errors;
        self.hostile_posts += other.hostile_posts;
        self.hostile_mishandled += other.hostile_mishandled;
        if self.first_problem.is_none() {
            self.first_problem = other.first_problem;
        }
        Ok(())
    }

    pub fn latency(&self) -> LatencySummary {
        LatencySummary::of_micros(&self.latency_us)
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LatencySummary {
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl LatencySummary {
    /// The quantiles of a histogram of microseconds, in milliseconds.
    pub fn of_micros(histogram: &hdrhistogram::Histogram<u64>) -> LatencySummary {
        let ms = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1000.0;
        LatencySummary {
            p50_ms: ms(0.50),
            p99_ms: ms(0.99),
            p999_ms: ms(0.999),
            max_ms: histogram.max() as f64 / 1000.0,
        }
    }
}

/// A finished phase: the counts and the time they took.
#[derive(Debug, Clone)]
pub struct PhaseResult {
    pub stats: PhaseStats,
    /// From the phase's start to the last answer.
    pub elapsed: Duration,
}

impl PhaseResult {
    pub fn impressions_per_sec(&self) -> f64 {
        self.stats.impressions_accepted as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    pub fn posts_per_sec(&self) -> f64 {
        self.stats.posts_stored as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}
