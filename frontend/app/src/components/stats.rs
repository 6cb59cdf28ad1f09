//! How the console words statistics: relative changes, p-values, means and the sentences that
//! say what a comparison of treatments found.

use imprint_types::{Aggregation, ImpactComparison, ImpactView};

/// `4.1%` for 0.041; one decimal below 100 %, none above.
pub fn relative(share: f64) -> String {
    let p = share.abs() * 100.0;
    if p >= 100.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// `+1.2%`, `−0.4%`: a signed relative change.
pub fn signed_relative(share: f64) -> String {
    let sign = if share < 0.0 { "−" } else { "+" };
    format!("{sign}{}", relative(share))
}

/// `0.31`, `0.042`, `< 0.001`.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else if p < 0.01 {
        format!("{p:.3}")
    } else {
        format!("{p:.2}")
    }
}

/// `p = 0.31` or `p < 0.001`.
pub fn p_equation(p: f64) -> String {
    let text = p_value(p);
    if text.starts_with('<') {
        format!("p {text}")
    } else {
        format!("p = {text}")
    }
}

/// A per-user value: conversions as a percentage, other values with three significant digits.
pub fn metric_value(aggregation: Aggregation, value: f64) -> String {
    if aggregation == Aggregation::Conversion {
        return format!("{:.1}%", value * 100.0);
    }
    let abs = value.abs();
    if abs >= 1000.0 {
        format!("{value:.0}")
    } else if abs >= 100.0 {
        format!("{value:.1}")
    } else if abs >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// A signed absolute difference, in the metric's unit (percentage points for conversion).
pub fn signed_value(aggregation: Aggregation, value: f64) -> String {
    let sign = if value < 0.0 { "−" } else { "+" };
    let text = metric_value(aggregation, value.abs());
    if aggregation == Aggregation::Conversion {
        format!("{sign}{} pp", text.trim_end_matches('%'))
    } else {
        format!("{sign}{text}")
    }
}

/// The comparison's interval relative to the baseline's mean, when that mean is not zero.
pub fn relative_interval(view: &ImpactView, c: &ImpactComparison) -> Option<(f64, f64)> {
    let base = view
        .treatments
        .iter()
        .find(|t| t.treatment == c.baseline)
        .and_then(|t| t.mean)
        .filter(|m| *m != 0.0)?;
    Some((c.ci_low? / base.abs(), c.ci_high? / base.abs()))
}

/// What one comparison found, in one sentence; treatment names between backticks.
///
/// "Sign up rate is 4.1% higher with `on` than with `off`, 95% interval +1.2% to +7.0%", or
/// "No significant difference yet between `on` and `off` (p = 0.31)".
pub fn verdict(view: &ImpactView, c: &ImpactComparison) -> String {
    let (t, b) = (&c.treatment, &c.baseline);
    let aggregation = view.metric.aggregation;
    let Some(lift) = c.lift else {
        return format!("Not enough data yet to compare `{t}` with `{b}`");
    };
    if !c.significant {
        return match c.p_value {
            Some(p) => format!(
                "No significant difference yet between `{t}` and `{b}` ({})",
                p_equation(p)
            ),
            None => format!("No significant difference yet between `{t}` and `{b}`"),
        };
    }
    let way = if lift < 0.0 { "lower" } else { "higher" };
    let name = &view.metric.name;
    match (c.relative_lift, relative_interval(view, c)) {
        (Some(rel), Some((low, high))) => format!(
            "{name} is {} {way} with `{t}` than with `{b}`, 95% interval {} to {}",
            relative(rel),
            signed_relative(low),
            signed_relative(high)
        ),
        _ => {
            let interval = match (c.ci_low, c.ci_high) {
                (Some(low), Some(high)) => format!(
                    ", 95% interval {} to {}",
                    signed_value(aggregation, low),
                    signed_value(aggregation, high)
                ),
                _ => String::new(),
            };
            let amount = signed_value(aggregation, lift.abs());
            format!(
                "{name} is {} {way} with `{t}` than with `{b}`{interval}",
                amount.trim_start_matches('+')
            )
        }
    }
}

/// Splits a sentence at its backticks: (text, is_code) pieces, for `<code>` spans.
pub fn code_pieces(sentence: &str) -> Vec<(String, bool)> {
    sentence
        .split('`')
        .enumerate()
        .filter(|(_, piece)| !piece.is_empty())
        .map(|(i, piece)| (piece.to_owned(), i % 2 == 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use imprint_types::{Direction, ImpactWindow, MetricView, SrmCheck, TreatmentImpact};

    fn view(aggregation: Aggregation, base_mean: f64) -> ImpactView {
        let treatment = |name: &str, mean: f64| TreatmentImpact {
            treatment: name.into(),
            users: 200,
            mean: Some(mean),
            ci_low: Some(mean - 0.01),
            ci_high: Some(mean + 0.01),
        };
        ImpactView {
            metric: MetricView {
                id: 1,
                name: "Sign up rate".into(),
                description: None,
                event_type: "signup".into(),
                aggregation,
                property: None,
                filter: Default::default(),
                direction: Direction::Increase,
                created_at: String::new(),
                updated_at: String::new(),
            },
            flag: "f".into(),
            baseline: "off".into(),
            treatments: vec![
                treatment("off", base_mean),
                treatment("on", base_mean * 1.041),
            ],
            comparisons: vec![],
            srm: SrmCheck {
                p_value: None,
                mismatch: false,
                expected: vec![],
            },
            excluded_users: 0,
            window: ImpactWindow {
                from: String::new(),
                to: String::new(),
            },
            tracked: true,
            computed_at: String::new(),
            method: String::new(),
        }
    }

    fn comparison(lift: f64, low: f64, high: f64, p: f64, significant: bool) -> ImpactComparison {
        ImpactComparison {
            treatment: "on".into(),
            baseline: "off".into(),
            lift: Some(lift),
            relative_lift: None,
            ci_low: Some(low),
            ci_high: Some(high),
            p_value: Some(p),
            significant,
            better: significant.then_some(lift > 0.0),
        }
    }

    #[test]
    fn a_significant_lift_reads_as_a_relative_change_with_its_interval() {
        let v = view(Aggregation::Mean, 10.0);
        let mut c = comparison(0.41, 0.12, 0.70, 0.002, true);
        c.relative_lift = Some(0.041);
        assert_eq!(
            verdict(&v, &c),
            "Sign up rate is 4.1% higher with `on` than with `off`, 95% interval +1.2% to +7.0%"
        );
    }

    #[test]
    fn a_drop_reads_as_lower_and_no_difference_gives_the_p_value() {
        let v = view(Aggregation::Mean, 10.0);
        let mut c = comparison(-0.62, -1.0, -0.2, 0.0001, true);
        c.relative_lift = Some(-0.062);
        assert_eq!(
            verdict(&v, &c),
            "Sign up rate is 6.2% lower with `on` than with `off`, 95% interval −10.0% to −2.0%"
        );
        let c = comparison(0.1, -0.2, 0.4, 0.3149, false);
        assert_eq!(
            verdict(&v, &c),
            "No significant difference yet between `on` and `off` (p = 0.31)"
        );
    }

    #[test]
    fn a_zero_baseline_falls_back_to_the_absolute_change() {
        let v = view(Aggregation::Conversion, 0.0);
        let c = comparison(0.05, 0.02, 0.08, 0.001, true);
        assert_eq!(
            verdict(&v, &c),
            "Sign up rate is 5.0 pp higher with `on` than with `off`, 95% interval +2.0 pp to +8.0 pp"
        );
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(p_equation(0.0004), "p < 0.001");
        assert_eq!(p_equation(0.0042), "p = 0.004");
        assert_eq!(metric_value(Aggregation::Count, 2.3456), "2.35");
        assert_eq!(metric_value(Aggregation::Conversion, 0.125), "12.5%");
        assert_eq!(
            code_pieces("a `on` b"),
            vec![
                ("a ".into(), false),
                ("on".into(), true),
                (" b".into(), false)
            ]
        );
    }
}
