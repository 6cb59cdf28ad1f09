//! Always-valid comparison for alerts: the mixture sequential probability ratio test (mSPRT)
//! of Johari, Koomen, Pekelis and Walsh, "Always valid inference" (2017/2022).
//!
//! An alert checks the same experiment again and again as data arrives. A fixed-horizon p-value
//! checked at every look crosses 0.05 far more often than 5% of the time when nothing differs;
//! the mSPRT's does not. The difference of means `d` is treated as normal with variance
//! `V = var_t / n_t + var_b / n_b` (central limit; the variances are plugged in), and the
//! likelihood ratio of "the lift is θ" against "the lift is 0" is averaged over θ ~ N(0, τ²):
//!
//! ```text
//! Λ = sqrt(V / (V + τ²)) · exp(τ² d² / (2 V (V + τ²)))
//! ```
//!
//! Under no difference (and normal `d` with known `V`) Λ is a nonnegative martingale with mean
//! 1, so by Ville's inequality the chance that it *ever* exceeds 1/α is at most α. With the
//! variances estimated the guarantee is approximate; the A/A simulation in
//! `tests/stats_sequential_aa.rs` measures it (about 2% false alarms at α = 5%). Hence the p-value `min(1, 1/Λ)` may be checked
//! after every batch: the chance that it is ever ≤ α is at most α. It is not monotone; callers
//! wanting the textbook always-valid p-value keep the running minimum over looks, while an alert
//! that fires at ≤ α and resolves above it needs no state.

use super::{finite, Interval, Sample};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SequentialComparison {
    /// `min(1, 1/Λ)`; `None` when a group has fewer than two users or neither group varies.
    pub p_value: Option<f64>,
    /// The lifts θ₀ that the test at level `alpha` does not reject: a confidence sequence, so
    /// the chance that it ever excludes the true lift is at most `alpha`. `None` with `p_value`.
    pub ci: Option<Interval>,
}

/// `mixture_sd` (τ) is the size of lift, in the metric's units, that the test is tuned to
/// find: validity holds for any τ > 0, power is best near the true effect. Fix it when the
/// alert policy is made (e.g. its threshold), not from the data at each look.
pub fn sequential_compare(
    treatment: &Sample,
    baseline: &Sample,
    mixture_sd: f64,
    alpha: f64,
) -> SequentialComparison {
    let none = SequentialComparison {
        p_value: None,
        ci: None,
    };
    if !(mixture_sd > 0.0 && mixture_sd.is_finite() && alpha > 0.0 && alpha < 1.0) {
        return none;
    }
    let Some(parts) = Parts::of(treatment, baseline, mixture_sd) else {
        return none;
    };
    SequentialComparison {
        p_value: parts.p_value(),
        ci: parts.interval(alpha),
    }
}

/// The pieces of Λ, written with `r = τ² / V` so that ln Λ = ½ (z² r / (1 + r) − ln(1 + r)),
/// where z = d / sqrt(V): no huge or tiny intermediate values.
struct Parts {
    lift: f64,
    variance: f64,
    ratio: f64,
}

impl Parts {
    fn of(treatment: &Sample, baseline: &Sample, mixture_sd: f64) -> Option<Parts> {
        let lift = finite(treatment.mean()? - baseline.mean()?)?;
        let variance = treatment.variance()? / treatment.n() as f64
            + baseline.variance()? / baseline.n() as f64;
        if !(variance > 0.0 && variance.is_finite()) {
            return None;
        }
        let ratio = finite(mixture_sd * mixture_sd / variance)?;
        Some(Parts {
            lift,
            variance,
            ratio,
        })
    }

    fn p_value(&self) -> Option<f64> {
        let z2 = self.lift * self.lift / self.variance;
        let r = self.ratio;
        let log_lambda = 0.5 * (z2 * r / (1.0 + r) - r.ln_1p());
        // exp(−∞) is 0: an overwhelming difference is p = 0, not a failure.
        let p_value = (-log_lambda).exp().min(1.0);
        (!p_value.is_nan()).then_some(p_value)
    }

    /// Solving Λ(θ₀) < 1/α for θ₀: |d − θ₀|² < V (1 + r) / r · (2 ln(1/α) + ln(1 + r)).
    fn interval(&self, alpha: f64) -> Option<Interval> {
        let r = self.ratio;
        let squared = self.variance * (1.0 + r) / r * (2.0 * (1.0 / alpha).ln() + r.ln_1p());
        Interval::around(self.lift, finite(squared.sqrt())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_value_at_alpha_puts_the_boundary_on_zero() {
        let treatment = Sample::from_values(&[1.0, 2.0, 3.0, 4.0, 5.5]);
        let baseline = Sample::from_values(&[0.0, 1.0, 1.5, 2.0, 2.5, 3.0]);
        let seq = sequential_compare(&treatment, &baseline, 1.0, 0.05);
        let p = seq.p_value.unwrap();
        // At alpha = p the interval's nearer end touches zero.
        let at_p = sequential_compare(&treatment, &baseline, 1.0, p)
            .ci
            .unwrap();
        assert!(at_p.low.abs() < 1e-9 || at_p.high.abs() < 1e-9, "{at_p:?}");
    }

    #[test]
    fn no_spread_or_bad_settings_give_no_figures() {
        let flat = Sample::from_values(&[1.0, 1.0, 1.0]);
        let none = SequentialComparison {
            p_value: None,
            ci: None,
        };
        assert_eq!(sequential_compare(&flat, &flat, 1.0, 0.05), none);
        let varied = Sample::from_values(&[1.0, 2.0, 3.0]);
        assert_eq!(sequential_compare(&varied, &varied, 0.0, 0.05), none);
        assert_eq!(sequential_compare(&varied, &varied, 1.0, 1.0), none);
    }
}
