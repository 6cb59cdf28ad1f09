//! Every figure of the experiment statistics against scipy's, recorded in
//! fixtures/stats/reference.json by fixtures/stats/generate.py. No Python at test time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use imprint_domain::stats::{
    compare, sample_ratio_mismatch, summarize, Interval, Sample, TreatmentSummary,
};
use serde::Deserialize;

const REFERENCE: &str = include_str!("fixtures/stats/reference.json");

/// Relative to the expected figure, with an absolute floor for figures near zero (p-values of
/// 1e-89, lifts that are almost nothing) where relative error is meaningless.
fn assert_close(what: &str, actual: f64, expected: f64) {
    let tolerance = 1e-6 * expected.abs().max(1e-3);
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} differs from scipy's {expected} by more than {tolerance}"
    );
}

#[derive(Deserialize)]
struct Reference {
    comparisons: Vec<ComparisonCase>,
    from_aggregates: Vec<AggregateCase>,
    sample_ratios: Vec<SampleRatioCase>,
}

#[derive(Deserialize)]
struct ComparisonCase {
    name: String,
    treatment: Vec<f64>,
    baseline: Vec<f64>,
    expected: ExpectedComparison,
}

/// `(n, mean, variance)` per treatment, as the database returns them for millions of users.
#[derive(Deserialize)]
struct AggregateCase {
    name: String,
    treatment: (u64, f64, f64),
    baseline: (u64, f64, f64),
    expected: ExpectedComparison,
}

#[derive(Deserialize)]
struct ExpectedComparison {
    treatment: ExpectedSummary,
    baseline: ExpectedSummary,
    lift: f64,
    relative_lift: Option<f64>,
    t_statistic: f64,
    degrees_of_freedom: f64,
    p_value: f64,
    ci_low: f64,
    ci_high: f64,
    significant: bool,
}

#[derive(Deserialize)]
struct ExpectedSummary {
    n: u64,
    mean: f64,
    variance: f64,
    ci_low: f64,
    ci_high: f64,
}

#[derive(Deserialize)]
struct SampleRatioCase {
    name: String,
    users: Vec<u64>,
    weights: Vec<f64>,
    expected: ExpectedSampleRatio,
}

#[derive(Deserialize)]
struct ExpectedSampleRatio {
    chi_square: f64,
    degrees_of_freedom: u64,
    p_value: f64,
    mismatch: bool,
}

fn reference() -> Reference {
    serde_json::from_str(REFERENCE).unwrap()
}

fn check_interval(what: &str, actual: Option<Interval>, low: f64, high: f64) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no interval"));
    assert_close(&format!("{what} low"), actual.low, low);
    assert_close(&format!("{what} high"), actual.high, high);
}

fn check_summary(what: &str, actual: TreatmentSummary, expected: &ExpectedSummary) {
    assert_eq!(actual.n, expected.n, "{what} n");
    assert_close(&format!("{what} mean"), actual.mean.unwrap(), expected.mean);
    assert_close(
        &format!("{what} variance"),
        actual.variance.unwrap(),
        expected.variance,
    );
    check_interval(
        &format!("{what} ci"),
        actual.ci,
        expected.ci_low,
        expected.ci_high,
    );
}

fn check_comparison(name: &str, treatment: &Sample, baseline: &Sample, e: &ExpectedComparison) {
    check_summary(
        &format!("{name} treatment"),
        summarize(treatment),
        &e.treatment,
    );
    check_summary(
        &format!("{name} baseline"),
        summarize(baseline),
        &e.baseline,
    );
    let c = compare(treatment, baseline);
    assert_close(&format!("{name} lift"), c.lift.unwrap(), e.lift);
    match e.relative_lift {
        Some(expected) => assert_close(
            &format!("{name} relative"),
            c.relative_lift.unwrap(),
            expected,
        ),
        None => assert_eq!(c.relative_lift, None, "{name} relative lift"),
    }
    assert_close(&format!("{name} t"), c.t_statistic.unwrap(), e.t_statistic);
    let df = c.degrees_of_freedom.unwrap();
    assert_close(&format!("{name} df"), df, e.degrees_of_freedom);
    assert_close(&format!("{name} p"), c.p_value.unwrap(), e.p_value);
    check_interval(&format!("{name} lift ci"), c.ci, e.ci_low, e.ci_high);
    assert_eq!(c.significant, e.significant, "{name} significant");
}

#[test]
fn summaries_and_welch_comparisons_match_scipy() {
    let reference = reference();
    assert!(reference.comparisons.len() >= 10);
    for case in &reference.comparisons {
        let treatment = Sample::from_values(&case.treatment);
        let baseline = Sample::from_values(&case.baseline);
        check_comparison(&case.name, &treatment, &baseline, &case.expected);
    }
}

/// The database path: the same cases from `COUNT`, `SUM` and `SUM(x * x)`.
#[test]
fn comparisons_from_database_sums_match_scipy() {
    let from_sums = |values: &[f64]| {
        let sum = values.iter().sum();
        let sum_of_squares = values.iter().map(|v| v * v).sum();
        Sample::from_sums(values.len() as u64, sum, sum_of_squares)
    };
    for case in reference().comparisons {
        let (treatment, baseline) = (from_sums(&case.treatment), from_sums(&case.baseline));
        check_comparison(&case.name, &treatment, &baseline, &case.expected);
    }
}

/// Up to a billion users per treatment: degrees of freedom where statrs's own t quantile drifts.
#[test]
fn comparisons_of_millions_of_users_match_scipy() {
    let reference = reference();
    assert!(reference.from_aggregates.len() >= 5);
    for case in &reference.from_aggregates {
        let sample = |(n, mean, variance)| Sample::from_mean_and_variance(n, mean, variance);
        let (treatment, baseline) = (sample(case.treatment), sample(case.baseline));
        check_comparison(&case.name, &treatment, &baseline, &case.expected);
    }
}

#[test]
fn sample_ratio_checks_match_scipy() {
    let reference = reference();
    assert!(reference.sample_ratios.iter().any(|c| c.expected.mismatch));
    assert!(reference.sample_ratios.iter().any(|c| !c.expected.mismatch));
    for case in &reference.sample_ratios {
        let name = &case.name;
        let e = &case.expected;
        let actual = sample_ratio_mismatch(&case.users, &case.weights).unwrap();
        assert_close(
            &format!("{name} chi-square"),
            actual.chi_square.unwrap(),
            e.chi_square,
        );
        assert_eq!(actual.degrees_of_freedom, e.degrees_of_freedom, "{name} df");
        assert_close(&format!("{name} p"), actual.p_value, e.p_value);
        assert_eq!(actual.mismatch, e.mismatch, "{name} mismatch");
    }
}
