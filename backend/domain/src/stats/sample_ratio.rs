//! Sample-ratio mismatch: are users split across treatments as the definition says? A split
//! that is off means assignment or logging is broken, and every other figure is suspect.

use super::finite;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A mismatch is reported below this p-value. Strict on purpose: the check runs on every
/// refresh of every flag, and a false warning teaches people to ignore it.
pub const SRM_ALPHA: f64 = 0.001;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleRatio {
    /// Pearson's chi-square; `None` when a treatment with weight 0 has users (infinite).
    pub chi_square: Option<f64>,
    pub degrees_of_freedom: u64,
    pub p_value: f64,
    /// `p_value < SRM_ALPHA`.
    pub mismatch: bool,
}

/// `users[i]` users were seen with treatment `i`, whose share of the split is `weights[i]`
/// (percentages or any non-negative scale). Treatments with weight 0 and no users are left out;
/// users in a treatment with weight 0 are a certain mismatch (p-value 0).
///
/// `None` when the input cannot be tested: lengths differ, a weight is negative or not finite,
/// no users, or fewer than two treatments with a positive weight.
pub fn sample_ratio_mismatch(users: &[u64], weights: &[f64]) -> Option<SampleRatio> {
    if users.len() != weights.len() || weights.iter().any(|w| !(w.is_finite() && *w >= 0.0)) {
        return None;
    }
    let total_users: f64 = users.iter().map(|&u| u as f64).sum();
    let total_weight: f64 = weights.iter().sum();
    let weighted = weights.iter().filter(|&&w| w > 0.0).count() as u64;
    if total_users == 0.0 || weighted < 2 || !total_weight.is_finite() {
        return None;
    }
    let degrees_of_freedom = weighted - 1;
    let unexpected_users = users.iter().zip(weights).any(|(&u, &w)| w == 0.0 && u > 0);
    if unexpected_users {
        return Some(SampleRatio {
            chi_square: None,
            degrees_of_freedom,
            p_value: 0.0,
            mismatch: true,
        });
    }
    let chi_square: f64 = users
        .iter()
        .zip(weights)
        .filter(|(_, &w)| w > 0.0)
        .map(|(&u, &w)| {
            let expected = total_users * (w / total_weight);
            let gap = u as f64 - expected;
            gap * gap / expected
        })
        .sum();
    let chi_square = finite(chi_square)?;
    let distribution = ChiSquared::new(degrees_of_freedom as f64).ok()?;
    let p_value = finite(distribution.sf(chi_square))?.clamp(0.0, 1.0);
    Some(SampleRatio {
        chi_square: Some(chi_square),
        degrees_of_freedom,
        p_value,
        mismatch: p_value < SRM_ALPHA,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_in_a_treatment_outside_the_split_are_a_mismatch() {
        let r = sample_ratio_mismatch(&[500, 480, 3], &[50.0, 50.0, 0.0]).unwrap();
        assert_eq!((r.chi_square, r.p_value, r.mismatch), (None, 0.0, true));
        assert_eq!(r.degrees_of_freedom, 1);
    }

    #[test]
    fn an_empty_treatment_outside_the_split_is_left_out() {
        let with = sample_ratio_mismatch(&[500, 480, 0], &[50.0, 50.0, 0.0]).unwrap();
        let without = sample_ratio_mismatch(&[500, 480], &[50.0, 50.0]).unwrap();
        assert_eq!(with, without);
    }

    #[test]
    fn untestable_inputs_have_no_answer() {
        assert_eq!(sample_ratio_mismatch(&[1, 2], &[50.0]), None);
        assert_eq!(sample_ratio_mismatch(&[0, 0], &[50.0, 50.0]), None);
        assert_eq!(sample_ratio_mismatch(&[10], &[100.0]), None);
        assert_eq!(sample_ratio_mismatch(&[10, 0], &[100.0, 0.0]), None);
        assert_eq!(sample_ratio_mismatch(&[10, 10], &[-1.0, 50.0]), None);
        assert_eq!(sample_ratio_mismatch(&[10, 10], &[f64::NAN, 50.0]), None);
    }
}
