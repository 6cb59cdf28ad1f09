//! One event type: its totals, a bar chart of its volume, and its properties.

use imprint_types::{EventPropertyView, EventTypeView};
use leptos::prelude::*;

use crate::components::format::{date_time, grouped};

const CHART_WIDTH: f64 = 600.0;
const CHART_HEIGHT: f64 = 60.0;

#[component]
pub fn EventTypeCard(event_type: EventTypeView, from: i64, bucket_ms: i64) -> impl IntoView {
    let t = event_type;
    let heading_id = format!(
        "event-type-{}",
        t.event_type
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let labelled_by = heading_id.clone();
    let totals = format!(
        "{} from {}",
        counted(t.events, "event", "events"),
        counted(t.distinct_keys, "key", "keys")
    );
    let seen = format!(
        "first {} · last {}",
        date_time(t.first_seen),
        date_time(t.last_seen)
    );
    view! {
        <li class="panel event-type" data-testid="event-type" data-event-type=t.event_type.clone()
            aria-labelledby=labelled_by>
            <div class="event-type-head">
                <h2 id=heading_id class="mono">{t.event_type.clone()}</h2>
                <span class="strong">{totals}</span>
                <span class="spacer"></span>
                <span class="muted small">{seen}</span>
            </div>
            <VolumeChart volume=t.volume from=from bucket_ms=bucket_ms />
            <Properties properties=t.properties sampled=t.sampled_rows />
        </li>
    }
    .into_any()
}

/// `1 event`, `1,200 events`.
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n as i64), if n == 1 { one } else { many })
}

/// Events per bucket as bars, with the window's ends and peak written beneath.
#[component]
fn VolumeChart(volume: Vec<u64>, from: i64, bucket_ms: i64) -> impl IntoView {
    let peak = volume.iter().copied().max().unwrap_or(0).max(1) as f64;
    let width = CHART_WIDTH / volume.len().max(1) as f64;
    let unit = if bucket_ms >= 86_400_000 {
        "day"
    } else {
        "hour"
    };
    let label = format!("Events per {unit}, peak {}", grouped(peak as i64));
    let end = from + volume.len() as i64 * bucket_ms;
    view! {
        <svg class="event-volume" viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}") preserveAspectRatio="none"
            role="img" aria-label=label>
            {volume.into_iter().enumerate().map(|(i, count)| {
                let height = (count as f64 / peak * CHART_HEIGHT).max(if count > 0 { 1.0 } else { 0.0 });
                view! {
                    <rect x=format!("{:.2}", i as f64 * width) y=format!("{:.2}", CHART_HEIGHT - height)
                        width=format!("{:.2}", (width - 1.0).max(0.5)) height=format!("{height:.2}") />
                }
            }).collect_view()}
        </svg>
        <p class="muted small event-volume-axis">
            <span>{date_time(from)}</span>
            <span>{format!("peak {} per {unit}", grouped(peak as i64))}</span>
            <span>{date_time(end)}</span>
        </p>
    }
}

#[component]
fn Properties(properties: Vec<EventPropertyView>, sampled: u64) -> impl IntoView {
    if properties.is_empty() {
        return view! { <p class="muted small">"No properties in its recent events."</p> }
            .into_any();
    }
    view! {
        <table class="table event-properties">
            <caption class="muted small">
                {format!("Properties of its {} most recent events with properties", grouped(sampled as i64))}
            </caption>
            <thead>
                <tr><th scope="col">"Property"</th><th scope="col">"Kinds"</th><th scope="col">"Seen in"</th></tr>
            </thead>
            <tbody>
                {properties.into_iter().map(|p| {
                    let name = p.name.clone();
                    view! {
                    <tr data-testid="event-property" data-property=name>
                        <td class="mono">{p.name}</td>
                        <td>{p.kinds.join(", ")}</td>
                        <td>{format!("{} of {}", grouped(p.seen_in as i64), grouped(sampled as i64))}</td>
                    </tr>
                }}).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
