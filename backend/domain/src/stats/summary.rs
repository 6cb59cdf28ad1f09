//! A treatment's mean with its confidence interval.

use super::{finite, t_critical, Interval, Sample};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TreatmentSummary {
    pub n: u64,
    /// `None` without users.
    pub mean: Option<f64>,
    /// Sample variance (n − 1); `None` below two users.
    pub variance: Option<f64>,
    /// 95% interval of the mean, `mean ± t(0.975, n − 1) · sqrt(variance / n)`; `None` below two
    /// users. Values that are all equal give the zero-width interval at the mean.
    pub ci: Option<Interval>,
}

pub fn summarize(sample: &Sample) -> TreatmentSummary {
    let n = sample.n();
    let mean = sample.mean();
    let variance = sample.variance();
    let ci = match (mean, variance) {
        (Some(mean), Some(variance)) => t_critical((n - 1) as f64)
            .and_then(|t| finite(t * (variance / n as f64).sqrt()))
            .and_then(|half_width| Interval::around(mean, half_width)),
        _ => None,
    };
    TreatmentSummary {
        n,
        mean,
        variance,
        ci,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_all_equal_give_a_zero_width_interval() {
        let s = summarize(&Sample::from_values(&[0.0; 8]));
        assert_eq!(
            s.ci,
            Some(Interval {
                low: 0.0,
                high: 0.0
            })
        );
    }

    #[test]
    fn one_user_has_a_mean_but_no_interval() {
        let s = summarize(&Sample::from_values(&[4.0]));
        assert_eq!((s.n, s.mean, s.variance, s.ci), (1, Some(4.0), None, None));
    }
}
