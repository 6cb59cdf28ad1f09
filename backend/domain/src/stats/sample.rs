//! One treatment's per-user values reduced to count, mean and sum of squared deviations.

use super::finite;

/// Count, mean and spread of per-user values. Build it from the values themselves, or from
/// aggregates a database computed (so 1M users need not be loaded into memory).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sample {
    n: u64,
    mean: f64,
    /// Sum of squared deviations from the mean.
    m2: f64,
}

impl Sample {
    /// Welford's one-pass update: no `sum of squares − square of sum` cancellation, which loses
    /// every digit when the values are large and close together (page load times in ms).
    pub fn from_values(values: &[f64]) -> Sample {
        let mut sample = Sample::default();
        values.iter().for_each(|&value| sample.push(value));
        sample
    }

    /// Adds one user's value (Welford's update).
    pub fn push(&mut self, value: f64) {
        self.n += 1;
        let delta = value - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (value - self.mean);
    }

    /// From `COUNT(x)`, `SUM(x)` and `SUM(x * x)`. Cancellation can make the spread slightly
    /// negative in floating point; it is clamped to zero.
    pub fn from_sums(n: u64, sum: f64, sum_of_squares: f64) -> Sample {
        if n == 0 {
            return Sample::default();
        }
        let mean = sum / n as f64;
        let m2 = (sum_of_squares - sum * mean).max(0.0);
        Sample { n, mean, m2 }
    }

    /// From `COUNT(x)`, `AVG(x)` and the sample variance (`VAR_SAMP(x)`, divisor n − 1).
    /// The variance is ignored when `n < 2`.
    pub fn from_mean_and_variance(n: u64, mean: f64, variance: f64) -> Sample {
        if n == 0 {
            return Sample::default();
        }
        let m2 = if n < 2 {
            0.0
        } else {
            variance.max(0.0) * (n - 1) as f64
        };
        Sample { n, mean, m2 }
    }

    pub fn n(&self) -> u64 {
        self.n
    }

    /// `None` without users, or when the values overflowed.
    pub fn mean(&self) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        finite(self.mean)
    }

    /// Sample variance (divisor n − 1); `None` below two users.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        self.mean()?;
        finite(self.m2 / (self.n - 1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_close_values_keep_their_variance() {
        let values: Vec<f64> = (0..1000).map(|i| 1e9 + (i % 2) as f64).collect();
        let sample = Sample::from_values(&values);
        let variance = sample.variance().unwrap();
        // 500 ones among 1000 values: 500 · 0.25 / 999.
        assert!((variance - 250.0 / 999.0).abs() < 1e-9, "{variance}");
    }

    #[test]
    fn the_three_constructors_agree() {
        let values = [1.0, 2.0, 4.0, 8.0];
        let a = Sample::from_values(&values);
        let b = Sample::from_sums(4, 15.0, 85.0);
        let c = Sample::from_mean_and_variance(4, 3.75, a.variance().unwrap());
        for s in [b, c] {
            assert_eq!(s.n(), 4);
            assert!((s.mean().unwrap() - 3.75).abs() < 1e-12);
            assert!((s.variance().unwrap() - a.variance().unwrap()).abs() < 1e-12);
        }
    }

    #[test]
    fn empty_and_single_samples_have_no_variance() {
        assert_eq!(Sample::from_values(&[]).mean(), None);
        let one = Sample::from_values(&[3.0]);
        assert_eq!(one.mean(), Some(3.0));
        assert_eq!(one.variance(), None);
    }
}
