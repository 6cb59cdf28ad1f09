//! A comparison's lift drawn against zero: the 95% interval as a bar, the estimate as a point
//! and a dashed line at no change, relative to the baseline when its mean is not zero.

use imprint_types::{ImpactComparison, ImpactView};
use leptos::prelude::*;

use crate::components::stats::{p_equation, relative_interval, signed_relative, signed_value};

const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 28.0;
const PAD: f64 = 8.0;

/// (estimate, low, high) and how to word a value: relative when possible.
fn figures(view: &ImpactView, c: &ImpactComparison) -> Option<(f64, f64, f64, bool)> {
    match (c.relative_lift, relative_interval(view, c)) {
        (Some(rel), Some((low, high))) => Some((rel, low, high, true)),
        _ => Some((c.lift?, c.ci_low?, c.ci_high?, false)),
    }
}

/// Where `value` falls on a scale symmetric about zero that holds `extent`.
fn x_of(value: f64, extent: f64) -> f64 {
    WIDTH / 2.0 + value / extent * (WIDTH / 2.0 - PAD)
}

#[component]
pub fn LiftBar(
    view: ImpactView,
    comparison: ImpactComparison,
    tone: &'static str,
) -> impl IntoView {
    let Some((point, low, high, relative)) = figures(&view, &comparison) else {
        return ().into_any();
    };
    let aggregation = view.metric.aggregation;
    let word = move |v: f64| {
        if relative {
            signed_relative(v)
        } else {
            signed_value(aggregation, v)
        }
    };
    let extent = [point, low, high]
        .iter()
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .max(1e-9)
        * 1.1;
    let (x_low, x_high, x_point) = (x_of(low, extent), x_of(high, extent), x_of(point, extent));
    let (mid, center) = ((HEIGHT / 2.0).to_string(), (WIDTH / 2.0).to_string());
    let caption = format!(
        "Lift {}, 95% interval {} to {}{}",
        word(point),
        word(low),
        word(high),
        comparison
            .p_value
            .map(|p| format!(", {}", p_equation(p)))
            .unwrap_or_default()
    );
    view! {
        <svg class=format!("lift-bar {tone}") viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img" aria-label=caption.clone()>
            <line class="axis" x1=PAD.to_string() y1=mid.clone() x2=(WIDTH - PAD).to_string() y2=mid.clone() />
            <rect class="interval" x=format!("{x_low:.1}") y="8" rx="3"
                width=format!("{:.1}", (x_high - x_low).max(2.0)) height="12" />
            <line class="zero" x1=center.clone() y1="2" x2=center y2=(HEIGHT - 2.0).to_string() />
            <circle class="point" cx=format!("{x_point:.1}") cy=mid r="5" />
        </svg>
        <p class="muted small lift-caption">{caption}</p>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::x_of;

    #[test]
    fn zero_sits_in_the_middle_and_the_extent_at_the_edges() {
        assert_eq!(x_of(0.0, 1.0), 210.0);
        assert_eq!(x_of(1.0, 1.0), 412.0);
        assert_eq!(x_of(-1.0, 1.0), 8.0);
    }
}
