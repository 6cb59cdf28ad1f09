//! From one flag's per-treatment sums to the alerts a policy should have open: every
//! treatment that is worse than the baseline by more than the threshold, in the metric's
//! undesired direction, with an always-valid p-value at or below α, once both groups have
//! the policy's minimum of users.

use imprint_domain::stats::{degradation, Sample};
use imprint_store::alerts::Finding;
use imprint_store::impact::MetricSums;
use imprint_types::Direction;

use super::ALERT_ALPHA;

/// What a policy asks, with the metric it watches.
#[derive(Debug, Clone)]
pub struct Rule<'a> {
    pub metric_name: &'a str,
    pub direction: Direction,
    /// Relative: 0.05 is 5% worse than the baseline.
    pub threshold: f64,
    pub min_users: u64,
}

fn sample_of(sums: &MetricSums, treatment: &str) -> Sample {
    sums.treatments
        .iter()
        .find(|t| t.treatment == treatment)
        .map(|t| Sample::from_sums(t.users, t.sum, t.sum_of_squares))
        .unwrap_or_default()
}

/// The findings for `flag`: one per degraded treatment.
pub fn degraded_treatments(
    rule: &Rule,
    flag: &str,
    baseline: &str,
    sums: &MetricSums,
) -> Vec<Finding> {
    let base = sample_of(sums, baseline);
    if base.n() < rule.min_users {
        return Vec::new();
    }
    let higher_is_better = rule.direction == Direction::Increase;
    sums.treatments
        .iter()
        .filter(|t| t.treatment != baseline)
        .filter_map(|t| {
            let sample = sample_of(sums, &t.treatment);
            if sample.n() < rule.min_users {
                return None;
            }
            let verdict = degradation(
                &sample,
                &base,
                higher_is_better,
                rule.threshold,
                ALERT_ALPHA,
            );
            verdict.degraded.then(|| Finding {
                flag: flag.to_owned(),
                treatment: t.treatment.clone(),
                baseline: baseline.to_owned(),
                relative_lift: verdict.relative_lift,
                p_value: verdict.p_value,
                summary: summary(rule, &t.treatment, baseline, verdict.relative_lift),
            })
        })
        .collect()
}

/// "Checkout conversion is 6.2% lower with `on` than with `off` (threshold 5%)".
fn summary(rule: &Rule, treatment: &str, baseline: &str, relative_lift: Option<f64>) -> String {
    let lift = relative_lift.unwrap_or(0.0);
    let way = if lift < 0.0 { "lower" } else { "higher" };
    format!(
        "{} is {} {way} with `{treatment}` than with `{baseline}` (threshold {})",
        rule.metric_name,
        percent(lift.abs()),
        percent(rule.threshold),
    )
}

/// 0.062 → "6.2%"; whole percentages without a decimal.
fn percent(share: f64) -> String {
    let tenths = (share * 1000.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use imprint_store::impact::TreatmentSums;

    use super::*;

    /// Conversion sums: each user is 0 or 1.
    fn conversions(treatment: &str, users: u64, converted: u64) -> TreatmentSums {
        TreatmentSums {
            treatment: treatment.to_owned(),
            exposed: users,
            users,
            sum: converted as f64,
            sum_of_squares: converted as f64,
        }
    }

    fn rule(direction: Direction) -> Rule<'static> {
        Rule {
            metric_name: "Checkout conversion",
            direction,
            threshold: 0.05,
            min_users: 100,
        }
    }

    fn sums(on: TreatmentSums, off: TreatmentSums) -> MetricSums {
        MetricSums {
            treatments: vec![off, on],
            excluded_users: 0,
        }
    }

    #[test]
    fn a_treatment_clearly_worse_in_the_undesired_direction_is_found() {
        let data = sums(conversions("on", 4000, 280), conversions("off", 4000, 400));
        let found = degraded_treatments(&rule(Direction::Increase), "checkout", "off", &data);
        assert_eq!(found.len(), 1);
        let finding = &found[0];
        assert_eq!(finding.treatment, "on");
        assert_eq!(finding.baseline, "off");
        assert!((finding.relative_lift.unwrap() + 0.3).abs() < 1e-12);
        assert!(finding.p_value.unwrap() <= ALERT_ALPHA);
        assert_eq!(
            finding.summary,
            "Checkout conversion is 30% lower with `on` than with `off` (threshold 5%)"
        );
        // When lower is better, the same drop is good news.
        let good = degraded_treatments(&rule(Direction::Decrease), "checkout", "off", &data);
        assert!(good.is_empty());
    }

    #[test]
    fn nothing_is_decided_below_the_minimum_of_users() {
        let data = sums(conversions("on", 99, 1), conversions("off", 4000, 400));
        assert!(degraded_treatments(&rule(Direction::Increase), "f", "off", &data).is_empty());
    }

    #[test]
    fn an_equal_treatment_is_not_found() {
        let data = sums(conversions("on", 4000, 400), conversions("off", 4000, 400));
        assert!(degraded_treatments(&rule(Direction::Increase), "f", "off", &data).is_empty());
    }

    #[test]
    fn percentages_read_like_people_write_them() {
        assert_eq!(percent(0.062), "6.2%");
        assert_eq!(percent(0.05), "5%");
        assert_eq!(percent(0.1234), "12.3%");
    }
}
