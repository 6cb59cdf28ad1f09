//! A treatment against the baseline: lift and Welch's t-test, for a fixed-horizon readout.
//! Welch rather than Student because treatments differ in size and spread.

use super::{finite, student_t, t_critical, Interval, Sample, ALPHA};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// `mean(treatment) − mean(baseline)`; `None` when either group has no users.
    pub lift: Option<f64>,
    /// `lift / mean(baseline)`; `None` when the baseline mean is zero.
    pub relative_lift: Option<f64>,
    pub t_statistic: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom.
    pub degrees_of_freedom: Option<f64>,
    /// Two-sided. `None` when a group has fewer than two users or neither group varies
    /// (the test is undefined there, as in scipy, which returns NaN).
    pub p_value: Option<f64>,
    /// 95% interval of the lift; `None` exactly when `p_value` is.
    pub ci: Option<Interval>,
    /// `p_value < ALPHA`; false when there is no p-value.
    pub significant: bool,
}

pub fn compare(treatment: &Sample, baseline: &Sample) -> Comparison {
    let lift = treatment
        .mean()
        .zip(baseline.mean())
        .and_then(|(t, b)| finite(t - b));
    let relative_lift = lift
        .zip(baseline.mean())
        .filter(|&(_, b)| b != 0.0)
        .and_then(|(lift, b)| finite(lift / b));
    let test = lift.and_then(|lift| welch(lift, treatment, baseline));
    Comparison {
        lift,
        relative_lift,
        t_statistic: test.map(|w| w.t),
        degrees_of_freedom: test.map(|w| w.df),
        p_value: test.map(|w| w.p_value),
        ci: test.map(|w| w.ci),
        significant: test.is_some_and(|w| w.p_value < ALPHA),
    }
}

#[derive(Clone, Copy)]
struct Welch {
    t: f64,
    df: f64,
    p_value: f64,
    ci: Interval,
}

fn welch(lift: f64, treatment: &Sample, baseline: &Sample) -> Option<Welch> {
    let (vt, nt) = (treatment.variance()?, treatment.n() as f64);
    let (vb, nb) = (baseline.variance()?, baseline.n() as f64);
    let (et, eb) = (vt / nt, vb / nb);
    let se2 = et + eb;
    if !(se2 > 0.0 && se2.is_finite()) {
        return None;
    }
    // Shares of the squared standard error rather than the raw terms, whose squares underflow
    // for tiny variances and turn the ratio into 0/0.
    let (wt, wb) = (et / se2, eb / se2);
    let df = finite(1.0 / (wt * wt / (nt - 1.0) + wb * wb / (nb - 1.0)))?;
    let se = se2.sqrt();
    let t = finite(lift / se)?;
    let p_value = (2.0 * student_t::upper_tail(t.abs(), df)?).clamp(0.0, 1.0);
    let ci = Interval::around(lift, t_critical(df)? * se)?;
    Some(Welch { t, df, p_value, ci })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(values: &[f64]) -> Sample {
        Sample::from_values(values)
    }

    #[test]
    fn a_group_of_one_has_a_lift_but_no_test() {
        let c = compare(&sample(&[2.0]), &sample(&[1.0, 1.5, 0.5]));
        assert_eq!(c.lift, Some(1.0));
        assert_eq!(c.relative_lift, Some(1.0));
        assert_eq!((c.p_value, c.ci, c.significant), (None, None, false));
    }

    #[test]
    fn groups_without_any_spread_have_no_test_even_when_they_differ() {
        let c = compare(&sample(&[1.0; 5]), &sample(&[0.0; 5]));
        assert_eq!(c.lift, Some(1.0));
        assert_eq!(c.relative_lift, None, "baseline mean is zero");
        assert_eq!(
            (c.t_statistic, c.p_value, c.ci, c.significant),
            (None, None, None, false)
        );
    }

    #[test]
    fn empty_groups_have_nothing() {
        let c = compare(&Sample::default(), &sample(&[1.0, 2.0]));
        assert_eq!((c.lift, c.relative_lift, c.p_value), (None, None, None));
    }
}
