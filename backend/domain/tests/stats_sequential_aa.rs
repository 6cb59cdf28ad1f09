//! Simulated experiments for the alerts' sequential test. In A/A experiments (no real
//! difference) checked after every batch, the fixed-horizon Welch p-value raises false alarms
//! far above its 5%, while the mSPRT's always-valid p-value stays at or below 5%. With a real
//! difference the mSPRT still finds it, so its low alarm rate is not bought by never alarming.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use imprint_domain::stats::{compare, sequential_compare, Sample, ALPHA};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use statrs::distribution::Normal;

const EXPERIMENTS: usize = 1000;
const LOOKS: usize = 50;
/// Users per treatment added between looks: 20 at the first look, 1000 at the last.
const BATCH: usize = 20;
/// τ: tuned to lifts of about a fifth of a standard deviation.
const MIXTURE_SD: f64 = 0.2;

/// Share of experiments in which each method alarmed at some look: (fixed-horizon, sequential).
fn alarm_rates(seed: u64, experiments: usize, lift: f64) -> (f64, f64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let baseline_values = Normal::new(0.0, 1.0).unwrap();
    let treatment_values = Normal::new(lift, 1.0).unwrap();
    let (mut naive_alarms, mut sequential_alarms) = (0, 0);
    for _ in 0..experiments {
        let (mut treatment, mut baseline) = (Sample::default(), Sample::default());
        let (mut naive, mut sequential) = (false, false);
        for _ in 0..LOOKS {
            for _ in 0..BATCH {
                treatment.push(rng.sample(treatment_values));
                baseline.push(rng.sample(baseline_values));
            }
            naive |= compare(&treatment, &baseline).significant;
            let always_valid = sequential_compare(&treatment, &baseline, MIXTURE_SD, ALPHA);
            sequential |= always_valid.p_value.is_some_and(|p| p <= ALPHA);
        }
        naive_alarms += usize::from(naive);
        sequential_alarms += usize::from(sequential);
    }
    let share = |alarms: usize| alarms as f64 / experiments as f64;
    (share(naive_alarms), share(sequential_alarms))
}

#[test]
fn repeated_checks_of_aa_experiments_keep_sequential_false_alarms_at_alpha() {
    let (naive, sequential) = alarm_rates(13, EXPERIMENTS, 0.0);
    println!(
        "A/A, {EXPERIMENTS} experiments x {LOOKS} looks: fixed-horizon {naive}, mSPRT {sequential}"
    );
    // The binomial standard error at 5% over 1000 experiments is 0.7 points; allow two.
    assert!(
        sequential <= ALPHA + 0.014,
        "mSPRT false alarms {sequential}"
    );
    // Fixed-horizon at every look: several times alpha (about 0.3 for 50 looks).
    assert!(naive >= 3.0 * ALPHA, "fixed-horizon false alarms {naive}");
}

#[test]
fn sequential_test_finds_a_real_lift() {
    let (_, sequential) = alarm_rates(14, 200, 0.25);
    println!("lift of 0.25 sd, 200 experiments: mSPRT alarms {sequential}");
    assert!(sequential >= 0.9, "mSPRT power {sequential}");
}
