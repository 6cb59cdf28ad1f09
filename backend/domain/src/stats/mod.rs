//! Experiment statistics: pure functions over per-user metric values, no I/O.
//!
//! - [`Sample`]: count, mean and spread of one treatment's per-user values.
//! - [`summarize`]: a treatment's mean with its 95% confidence interval (Student t).
//! - [`compare`]: a treatment against the baseline, Welch's t-test (fixed horizon).
//! - [`sample_ratio_mismatch`]: chi-square of users per treatment against the split.
//! - [`sequential_compare`]: mSPRT, an always-valid p-value for alerts that look again and again.
//! - [`degradation`]: the alert rule, mSPRT plus the policy's relative threshold.
//!
//! Figures that cannot be computed (too few users, no spread, overflow) are `None`, never NaN
//! or infinity, so callers can serialize them as JSON `null` without checking.

mod comparison;
mod degradation;
mod sample;
mod sample_ratio;
mod sequential;
mod student_t;
mod summary;

pub use comparison::{compare, Comparison};
pub use degradation::{degradation, Degradation};
pub use sample::Sample;
pub use sample_ratio::{sample_ratio_mismatch, SampleRatio, SRM_ALPHA};
pub use sequential::{sequential_compare, SequentialComparison};
pub use summary::{summarize, TreatmentSummary};

/// Significance level of the fixed-horizon figures: 95% intervals, `significant` when p < 0.05.
pub const ALPHA: f64 = 0.05;

/// A closed interval `[low, high]`, both ends finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// `centre ± half_width`, or `None` when either end is not finite.
    fn around(centre: f64, half_width: f64) -> Option<Interval> {
        let (low, high) = (centre - half_width, centre + half_width);
        (low.is_finite() && high.is_finite()).then_some(Interval { low, high })
    }

    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

/// `Some(x)` when `x` is finite: every reported figure goes through here.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Two-sided Student t quantile for a `1 - ALPHA` interval with `df` degrees of freedom.
fn t_critical(df: f64) -> Option<f64> {
    student_t::upper_quantile(ALPHA / 2.0, df)
}
