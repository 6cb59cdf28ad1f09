//! Property tests of the experiment statistics: whatever finite values and sizes come in,
//! nothing panics and no reported figure is NaN or infinite; probabilities stay in [0, 1].
#![allow(clippy::unwrap_used, clippy::expect_used)]

use imprint_domain::stats::{
    compare, sample_ratio_mismatch, sequential_compare, summarize, Interval, Sample,
};
use proptest::prelude::*;

/// Ordinary metric values most of the time, extremes (1e308, subnormals, ±0) some of the time.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e6..1e6f64,
        1 => prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
        1 => prop::sample::select(vec![0.0, 1.0, f64::MAX, f64::MIN, f64::MIN_POSITIVE]),
    ]
}

fn values() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        prop::collection::vec(value(), 0..4),
        prop::collection::vec(value(), 0..60),
        // No spread at all.
        (value(), 0usize..20).prop_map(|(v, n)| vec![v; n]),
    ]
}

fn sample() -> impl Strategy<Value = Sample> {
    prop_oneof![
        values().prop_map(|v| Sample::from_values(&v)),
        (any::<u64>(), value(), value()).prop_map(|(n, s, q)| Sample::from_sums(n, s, q)),
        (0u64..5, value(), value()).prop_map(|(n, m, v)| Sample::from_mean_and_variance(n, m, v)),
    ]
}

fn check(what: &str, figure: Option<f64>) {
    if let Some(x) = figure {
        assert!(x.is_finite(), "{what} = {x}");
    }
}

fn check_probability(what: &str, p: Option<f64>) {
    if let Some(p) = p {
        assert!((0.0..=1.0).contains(&p), "{what} = {p}");
    }
}

fn check_interval(what: &str, interval: Option<Interval>) {
    if let Some(i) = interval {
        assert!(
            i.low.is_finite() && i.high.is_finite() && i.low <= i.high,
            "{what} = {i:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn summaries_and_comparisons_report_only_finite_figures(t in sample(), b in sample()) {
        let s = summarize(&t);
        check("mean", s.mean);
        check("variance", s.variance);
        check_interval("mean ci", s.ci);
        let c = compare(&t, &b);
        check("lift", c.lift);
        check("relative lift", c.relative_lift);
        check("t", c.t_statistic);
        check("df", c.degrees_of_freedom);
        check_probability("p", c.p_value);
        check_interval("lift ci", c.ci);
        prop_assert_eq!(c.p_value.is_some(), c.ci.is_some());
        prop_assert!(!c.significant || c.p_value.is_some());
    }

    #[test]
    fn sequential_comparisons_report_only_finite_figures(
        t in sample(),
        b in sample(),
        mixture_sd in value(),
        alpha in prop_oneof![0.0..1.0f64, value()],
    ) {
        let s = sequential_compare(&t, &b, mixture_sd, alpha);
        check_probability("always-valid p", s.p_value);
        check_interval("confidence sequence", s.ci);
    }

    #[test]
    fn sample_ratio_checks_report_only_finite_figures(
        (users, weights) in (0usize..6).prop_flat_map(|k| (
            prop::collection::vec(prop_oneof![0u64..10_000, any::<u64>()], k),
            prop::collection::vec(prop_oneof![0.0..100.0f64, Just(0.0), value()], k),
        )),
    ) {
        if let Some(r) = sample_ratio_mismatch(&users, &weights) {
            check("chi-square", r.chi_square);
            check_probability("p", Some(r.p_value));
            prop_assert_eq!(r.mismatch, r.p_value < imprint_domain::stats::SRM_ALPHA);
        }
    }
}
