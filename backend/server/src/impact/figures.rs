//! From the database's per-treatment sums to the figures people read: each treatment's mean
//! with its interval, each treatment against the baseline, and the sample-ratio check.
//! Pure functions, unit-tested here.

use imprint_domain::definitions::{FlagDefinition, RuleKind, Serve};
use imprint_domain::stats::{compare, sample_ratio_mismatch, summarize, Sample, SRM_ALPHA};
use imprint_store::impact::MetricSums;
use imprint_types::{Direction, ImpactComparison, SrmCheck, TreatmentImpact, TreatmentShare};

/// What the console shows under "method".
pub const METHOD: &str = "Welch's t-test on per-user values, 95% intervals (fixed horizon); \
     sample-ratio mismatch: chi-square against the definition's split, p < 0.001";

/// The treatments to show: the definition's, in its order, then any other seen in the window
/// (such as `control`), by name.
pub fn treatments(definition: Option<&FlagDefinition>, sums: &MetricSums) -> Vec<String> {
    let mut names: Vec<String> = definition
        .map(|d| d.treatments.iter().map(|t| t.name.clone()).collect())
        .unwrap_or_default();
    for seen in &sums.treatments {
        if !names.contains(&seen.treatment) {
            names.push(seen.treatment.clone());
        }
    }
    names
}

/// The baseline when none is asked for: the definition's default treatment; without a
/// definition, `off` when it was seen, else the treatment with the most users.
pub fn default_baseline(definition: Option<&FlagDefinition>, sums: &MetricSums) -> String {
    if let Some(definition) = definition {
        return definition.default_treatment.clone();
    }
    if sums.treatments.iter().any(|t| t.treatment == "off") {
        return "off".to_owned();
    }
    sums.treatments
        .iter()
        .max_by(|a, b| {
            a.exposed
                .cmp(&b.exposed)
                .then(b.treatment.cmp(&a.treatment))
        })
        .map(|t| t.treatment.clone())
        .unwrap_or_else(|| "off".to_owned())
}

fn sample_of(sums: &MetricSums, treatment: &str) -> Sample {
    sums.treatments
        .iter()
        .find(|t| t.treatment == treatment)
        .map(|t| Sample::from_sums(t.users, t.sum, t.sum_of_squares))
        .unwrap_or_default()
}

pub fn treatment_impacts(names: &[String], sums: &MetricSums) -> Vec<TreatmentImpact> {
    names
        .iter()
        .map(|name| {
            let summary = summarize(&sample_of(sums, name));
            TreatmentImpact {
                treatment: name.clone(),
                users: summary.n,
                mean: summary.mean,
                ci_low: summary.ci.map(|ci| ci.low),
                ci_high: summary.ci.map(|ci| ci.high),
            }
        })
        .collect()
}

/// Every other treatment against the baseline. `better` says whether a significant lift goes
/// the metric's desired way.
pub fn comparisons(
    names: &[String],
    baseline: &str,
    sums: &MetricSums,
    direction: Direction,
) -> Vec<ImpactComparison> {
    let base = sample_of(sums, baseline);
    names
        .iter()
        .filter(|name| name.as_str() != baseline)
        .map(|name| {
            let c = compare(&sample_of(sums, name), &base);
            let better = c
                .lift
                .filter(|_| c.significant)
                .map(|lift| match direction {
                    Direction::Increase => lift > 0.0,
                    Direction::Decrease => lift < 0.0,
                });
            ImpactComparison {
                treatment: name.clone(),
                baseline: baseline.to_owned(),
                lift: c.lift,
                relative_lift: c.relative_lift,
                ci_low: c.ci.map(|ci| ci.low),
                ci_high: c.ci.map(|ci| ci.high),
                p_value: c.p_value,
                significant: c.significant,
                better,
            }
        })
        .collect()
}

/// The share of users each treatment should get, from the definition.
///
/// Impressions do not say which rule served a user, so one rule stands for all: the default
/// rule (the catch-all, which serves most traffic in the usual experiment) when it splits;
/// otherwise the first rollout rule that splits; otherwise what the default rule serves. A
/// killed flag serves its default treatment. Keys outside the traffic allocation get the
/// default treatment, so the split applies to the allocated share only. Users served by other
/// rules (targets, segments) make the check approximate when they are many.
pub fn expected_shares(definition: &FlagDefinition) -> Vec<TreatmentShare> {
    let default = &definition.default_treatment;
    let mut shares: Vec<TreatmentShare> = definition
        .treatments
        .iter()
        .map(|t| TreatmentShare {
            treatment: t.name.clone(),
            share: 0.0,
        })
        .collect();
    let mut add =
        |treatment: &str, share: f64| match shares.iter_mut().find(|s| s.treatment == treatment) {
            Some(existing) => existing.share += share,
            None => shares.push(TreatmentShare {
                treatment: treatment.to_owned(),
                share,
            }),
        };
    if definition.killed {
        add(default, 1.0);
        return shares;
    }
    let splits = |serve: &Serve| matches!(serve, Serve::Split(parts) if parts.len() > 1);
    let serve = definition
        .default_rule
        .as_ref()
        .filter(|s| splits(s))
        .or_else(|| {
            definition
                .rules
                .iter()
                .find(|r| r.kind == RuleKind::Rollout && splits(&r.serve))
                .map(|r| &r.serve)
        })
        .or(definition.default_rule.as_ref());
    let allocated = f64::from(definition.traffic_allocation.min(100)) / 100.0;
    match serve {
        Some(Serve::Split(parts)) => {
            let total: f64 = parts.iter().map(|p| f64::from(p.size)).sum();
            for part in parts.iter().filter(|_| total > 0.0) {
                add(&part.treatment, allocated * f64::from(part.size) / total);
            }
        }
        Some(Serve::Treatment(treatment)) => add(treatment, allocated),
        None => add(default, allocated),
    }
    add(default, 1.0 - allocated);
    shares
}

/// Users per treatment against the expected shares; no answer without a split of two or more
/// treatments, or without users.
pub fn sample_ratio(expected: Vec<TreatmentShare>, sums: &MetricSums) -> SrmCheck {
    let mut expected = expected;
    // A treatment seen but outside the definition is expected at 0%: any user there is a
    // mismatch.
    for seen in &sums.treatments {
        if !expected.iter().any(|e| e.treatment == seen.treatment) {
            expected.push(TreatmentShare {
                treatment: seen.treatment.clone(),
                share: 0.0,
            });
        }
    }
    let users: Vec<u64> = expected
        .iter()
        .map(|e| {
            sums.treatments
                .iter()
                .find(|t| t.treatment == e.treatment)
                .map_or(0, |t| t.exposed)
        })
        .collect();
    let weights: Vec<f64> = expected.iter().map(|e| e.share).collect();
    let result = sample_ratio_mismatch(&users, &weights);
    SrmCheck {
        p_value: result.map(|r| r.p_value),
        mismatch: result.is_some_and(|r| r.p_value < SRM_ALPHA && r.mismatch),
        expected: expected.into_iter().filter(|e| e.share > 0.0).collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use imprint_store::impact::TreatmentSums;

    fn definition(json: serde_json::Value) -> FlagDefinition {
        serde_json::from_value(json).unwrap()
    }

    fn sums(rows: &[(&str, u64, &[f64])]) -> MetricSums {
        MetricSums {
            treatments: rows
                .iter()
                .map(|(name, exposed, values)| TreatmentSums {
                    treatment: (*name).to_owned(),
                    exposed: *exposed,
                    users: values.len() as u64,
                    sum: values.iter().sum(),
                    sum_of_squares: values.iter().map(|v| v * v).sum(),
                })
                .collect(),
            excluded_users: 0,
        }
    }

    fn share_of(shares: &[TreatmentShare], name: &str) -> f64 {
        shares.iter().find(|s| s.treatment == name).unwrap().share
    }

    #[test]
    fn the_default_rule_split_sets_the_shares_and_the_allocation_feeds_the_default() {
        let d = definition(serde_json::json!({
            "name": "f", "traffic_type": "user", "default_treatment": "off",
            "treatments": [{"name": "on"}, {"name": "off"}], "traffic_allocation": 50,
            "default_rule": {"split": [{"treatment": "on", "size": 20}, {"treatment": "off", "size": 80}]}
        }));
        let shares = expected_shares(&d);
        assert!((share_of(&shares, "on") - 0.1).abs() < 1e-12);
        assert!((share_of(&shares, "off") - 0.9).abs() < 1e-12);
    }

    #[test]
    fn a_split_rule_stands_in_when_the_default_rule_serves_one_treatment() {
        let d = definition(serde_json::json!({
            "name": "f", "traffic_type": "user", "default_treatment": "off",
            "treatments": [{"name": "on"}, {"name": "off"}],
            "rules": [{"matchers": [{"condition": {"type": "all_keys"}}],
                       "serve": {"split": [{"treatment": "on", "size": 50}, {"treatment": "off", "size": 50}]}}],
            "default_rule": {"treatment": "off"}
        }));
        let shares = expected_shares(&d);
        assert_eq!(share_of(&shares, "on"), 0.5);
        assert_eq!(share_of(&shares, "off"), 0.5);
        let killed = FlagDefinition { killed: true, ..d };
        assert_eq!(share_of(&expected_shares(&killed), "off"), 1.0);
    }

    #[test]
    fn a_skewed_split_is_a_mismatch_and_a_fair_one_is_not() {
        let half = vec![
            TreatmentShare {
                treatment: "on".into(),
                share: 0.5,
            },
            TreatmentShare {
                treatment: "off".into(),
                share: 0.5,
            },
        ];
        let fair = sample_ratio(half.clone(), &sums(&[("on", 1010, &[]), ("off", 990, &[])]));
        assert!(!fair.mismatch && fair.p_value.unwrap() > 0.5);
        let skewed = sample_ratio(half.clone(), &sums(&[("on", 1200, &[]), ("off", 800, &[])]));
        assert!(skewed.mismatch && skewed.p_value.unwrap() < 1e-10);
        let stray = sample_ratio(
            half,
            &sums(&[("on", 10, &[]), ("off", 10, &[]), ("control", 1, &[])]),
        );
        assert!(stray.mismatch);
        assert_eq!(
            stray.expected.len(),
            2,
            "only treatments of the split are listed"
        );
    }

    #[test]
    fn better_follows_the_direction_only_when_significant() {
        let s = sums(&[
            ("off", 5, &[1.0, 2.0, 1.0, 2.0, 1.0]),
            ("on", 5, &[5.0, 6.0, 5.0, 6.0, 5.0]),
            ("same", 5, &[1.0, 2.0, 2.0, 1.0, 1.5]),
        ]);
        let names = vec!["off".to_owned(), "on".to_owned(), "same".to_owned()];
        let up = comparisons(&names, "off", &s, Direction::Increase);
        assert_eq!(up.len(), 2);
        assert_eq!((up[0].significant, up[0].better), (true, Some(true)));
        assert_eq!((up[1].significant, up[1].better), (false, None));
        let down = comparisons(&names, "off", &s, Direction::Decrease);
        assert_eq!(down[0].better, Some(false));
    }

    #[test]
    fn the_baseline_defaults_to_the_default_treatment_then_off_then_the_largest() {
        let s = sums(&[("a", 5, &[]), ("b", 9, &[])]);
        assert_eq!(default_baseline(None, &s), "b");
        let with_off = sums(&[("off", 1, &[]), ("b", 9, &[])]);
        assert_eq!(default_baseline(None, &with_off), "off");
        let d = definition(serde_json::json!({
            "name": "f", "traffic_type": "user", "default_treatment": "a",
            "treatments": [{"name": "a"}, {"name": "b"}]
        }));
        assert_eq!(default_baseline(Some(&d), &s), "a");
        assert_eq!(
            treatments(Some(&d), &sums(&[("control", 1, &[])])),
            ["a", "b", "control"]
        );
    }
}
