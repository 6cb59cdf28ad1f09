//! The month's impression volume beside the usage figures: Amplitude's estimate M × E × P
//! from this month's measurements, the impressions stored so far and their projection.

use imprint_types::VolumeEstimate;
use leptos::prelude::*;

use crate::components::format::grouped;

#[component]
pub fn Volume(volume: VolumeEstimate) -> impl IntoView {
    let v = volume;
    let formula = format!(
        "M {} keys × E {} flags × P {:.1} impressions per key per flag",
        grouped(v.monthly_keys),
        grouped(v.active_flags),
        v.impressions_per_key_per_flag
    );
    let projection = format!(
        "Linear: so far ÷ the {:.0}% of the month elapsed",
        v.month_elapsed * 100.0
    );
    view! {
        <dl class="usage-stats usage-volume" aria-label="Impression volume this month">
            <div class="usage-stat volume-estimate">
                <dt>"Estimate (M × E × P)"</dt>
                <dd class="usage-value">{grouped(v.estimate.round() as i64)}</dd>
                <dd class="usage-note">{formula}</dd>
                <dd class="usage-note">"An upper bound: as if every key met every active flag"</dd>
            </div>
            <div class="usage-stat">
                <dt>"Impressions so far"</dt>
                <dd class="usage-value">{grouped(v.actual)}</dd>
                <dd class="usage-note">"Stored this month"</dd>
            </div>
            <div class="usage-stat">
                <dt>"Projected this month"</dt>
                <dd class="usage-value">{grouped(v.projected)}</dd>
                <dd class="usage-note">{projection}</dd>
            </div>
        </dl>
    }
}
