//! Student t tail and quantile over statrs, guarded for the very large degrees of freedom that
//! experiments with millions of users reach. statrs 0.18's `StudentsT::inverse_cdf` drifts from
//! df ≈ 1e5 (1.95985 instead of 1.95997 at 1e6) and does not return at 1e8; its `sf` stays
//! accurate to about 1e8. So the quantile is polished with Newton steps on `sf`, and past
//! `NORMAL_DF` both come from the normal distribution, which differs from t there by < 1e-6.

use statrs::distribution::{Continuous, ContinuousCDF, Normal, StudentsT};

/// Past this many degrees of freedom the t distribution is taken as normal: the quantile moves
/// by (z³ + z) / (4 df) ≈ 2e-7 and tail probabilities by a relative (x² + 1) / (4 df).
const NORMAL_DF: f64 = 1e7;

enum Distribution {
    T(StudentsT),
    Normal(Normal),
}

impl Distribution {
    fn new(df: f64) -> Option<Distribution> {
        if df.is_nan() || df <= 0.0 {
            return None;
        }
        if df > NORMAL_DF {
            return Normal::new(0.0, 1.0).ok().map(Distribution::Normal);
        }
        StudentsT::new(0.0, 1.0, df).ok().map(Distribution::T)
    }

    fn sf(&self, x: f64) -> f64 {
        match self {
            Distribution::T(t) => t.sf(x),
            Distribution::Normal(n) => n.sf(x),
        }
    }
}

/// `P(T > x)` for `df` degrees of freedom.
pub(super) fn upper_tail(x: f64, df: f64) -> Option<f64> {
    let p = Distribution::new(df)?.sf(x);
    p.is_finite().then_some(p)
}

/// The `x` with `P(T > x) = tail`, for `0 < tail < 0.5`.
pub(super) fn upper_quantile(tail: f64, df: f64) -> Option<f64> {
    let x = match Distribution::new(df)? {
        Distribution::Normal(n) => n.inverse_cdf(1.0 - tail),
        Distribution::T(t) => {
            let mut x = t.inverse_cdf(1.0 - tail);
            // Quadratic convergence from a start within 1e-3: three steps reach machine precision.
            for _ in 0..3 {
                let step = (t.sf(x) - tail) / t.pdf(x);
                if !step.is_finite() {
                    break;
                }
                x += step;
            }
            x
        }
    };
    x.is_finite().then_some(x)
}
