//! The alert rule: is a treatment significantly worse than the baseline, in the metric's
//! undesired direction, by more than a relative threshold?
//!
//! "Significantly" is the mSPRT's always-valid p-value at or below `alpha`, so the rule may be
//! checked after every batch of data without raising false alarms (see
//! `tests/alert_rule_aa.rs`). The mixture's τ is the threshold on the relative scale, i.e.
//! `threshold · |baseline mean|` in the metric's units: the test is tuned to find the smallest
//! degradation the policy cares about. (Λ depends only on d²/V and τ²/V, so testing the
//! relative lift with τ = threshold is the same test.)

use super::{sequential_compare, Sample};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Degradation {
    /// `(treatment − baseline) / |baseline|`; `None` when the baseline mean is 0 or unknown.
    pub relative_lift: Option<f64>,
    /// mSPRT always-valid p-value; `None` when it cannot be computed.
    pub p_value: Option<f64>,
    /// Worse than the threshold in the undesired direction, and significant at `alpha`.
    pub degraded: bool,
}

/// `higher_is_better`: the metric's desired direction is an increase (so a drop is worse).
/// `threshold` > 0 is relative (0.05: 5% worse).
pub fn degradation(
    treatment: &Sample,
    baseline: &Sample,
    higher_is_better: bool,
    threshold: f64,
    alpha: f64,
) -> Degradation {
    let none = Degradation {
        relative_lift: None,
        p_value: None,
        degraded: false,
    };
    let (Some(treatment_mean), Some(baseline_mean)) = (treatment.mean(), baseline.mean()) else {
        return none;
    };
    let scale = baseline_mean.abs();
    if !(scale > 0.0 && threshold > 0.0) {
        return none;
    }
    let relative_lift = (treatment_mean - baseline_mean) / scale;
    if !relative_lift.is_finite() {
        return none;
    }
    let p_value = sequential_compare(treatment, baseline, threshold * scale, alpha).p_value;
    let worse = if higher_is_better {
        relative_lift < -threshold
    } else {
        relative_lift > threshold
    };
    Degradation {
        relative_lift: Some(relative_lift),
        p_value,
        degraded: worse && p_value.is_some_and(|p| p <= alpha),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversions(users: u64, converted: u64) -> Sample {
        // Conversion: each user is 0 or 1, so the sum of squares is the sum.
        Sample::from_sums(users, converted as f64, converted as f64)
    }

    #[test]
    fn a_clear_drop_of_a_higher_is_better_metric_is_a_degradation() {
        let baseline = conversions(5000, 1000);
        let treatment = conversions(5000, 700);
        let verdict = degradation(&treatment, &baseline, true, 0.05, 0.05);
        assert!(verdict.degraded, "{verdict:?}");
        assert!((verdict.relative_lift.unwrap() + 0.3).abs() < 1e-12);
        // The same drop is an improvement when lower is better.
        assert!(!degradation(&treatment, &baseline, false, 0.05, 0.05).degraded);
    }

    #[test]
    fn a_significant_drop_smaller_than_the_threshold_is_not_a_degradation() {
        let baseline = conversions(200_000, 40_000);
        let treatment = conversions(200_000, 38_000);
        let small = degradation(&treatment, &baseline, true, 0.2, 0.05);
        assert!(small.p_value.unwrap() < 0.05, "{small:?}");
        assert!(!small.degraded);
    }

    #[test]
    fn without_a_baseline_mean_nothing_is_decided() {
        let zero = conversions(100, 0);
        let verdict = degradation(&conversions(100, 10), &zero, false, 0.05, 0.05);
        assert_eq!(verdict.relative_lift, None);
        assert!(!verdict.degraded);
    }
}
