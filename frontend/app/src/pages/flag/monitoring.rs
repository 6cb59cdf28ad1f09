//! The Monitoring tab: traffic per treatment over time, unique keys per treatment and the
//! labels breakdown, refreshed every 10 seconds.

use std::time::Duration;

use imprint_types::Monitoring;
use leptos::prelude::*;

use super::chart::{treatment_color, TrafficChart};
use super::FlagCtx;
use crate::api;
use crate::components::format::{clock, day_time, grouped, now_ms, percent};

const HOUR: i64 = 3_600_000;
const REFRESH: Duration = Duration::from_secs(10);

/// (id, button text, hours, hours per bar). Hourly counts outlive the raw impressions (13
/// months by default), so the long ranges show traffic past the environment's retention.
const RANGES: [(&str, &str, i64, i64); 5] = [
    ("24h", "24 hours", 24, 1),
    ("7d", "7 days", 24 * 7, 1),
    ("30d", "30 days", 24 * 30, 6),
    ("90d", "90 days", 24 * 90, 24),
    ("13m", "13 months", 24 * 396, 24 * 7),
];

#[component]
pub fn MonitoringTab() -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let range = RwSignal::new(0usize);
    let fetched_at = RwSignal::new(None::<i64>);
    let data = LocalResource::new(move || {
        let (_, _, hours, _) = RANGES[range.get()];
        let path = ctx.api_path("/monitoring");
        async move {
            let to = now_ms();
            let from = to - hours * HOUR;
            let answer = api::get::<Monitoring>(&format!("{path}?from={from}&to={to}")).await;
            fetched_at.set(Some(now_ms()));
            answer
        }
    });
    // New impressions show up without a reload; the interval ends with the tab.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || data.refetch(), REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    let tracking_off = move || ctx.loaded().is_some_and(|d| !d.tracking_enabled);
    // Polls that bring nothing new leave the chart alone (hover and focus stay).
    let current = Memo::new(move |_| data.get());

    view! {
        <div class="monitoring-toolbar">
            <div class="segmented" role="group" aria-label="Time range">
                {RANGES.iter().enumerate().map(|(i, (_, text, _, _))| view! {
                    <button
                        type="button"
                        class="segment"
                        class:checked=move || range.get() == i
                        aria-pressed=move || (range.get() == i).to_string()
                        on:click=move |_| range.set(i)
                    >{*text}</button>
                }).collect_view()}
            </div>
            <span class="spacer"></span>
            <span class="muted small refresh-note" aria-live="off">
                {move || fetched_at.get().map(|t| format!("Updated {} · refreshes every 10 s", clock(t)))}
            </span>
            <button type="button" class="secondary small" on:click=move |_| data.refetch()>"Refresh"</button>
        </div>
        <Show when=tracking_off>
            <div class="banner warn" role="status">
                <strong>"Impression tracking is off for this flag. "</strong>
                "SDKs still serve it, but Imprint stores none of its impressions, so nothing new appears here. "
                "Evaluated keys still count toward MTK."
            </div>
        </Show>
        {move || match current.get() {
            None => view! {
                <div class="panel loading-panel" aria-busy="true"><p class="muted">"Loading traffic…"</p></div>
            }.into_any(),
            Some(Err(e)) => view! {
                <div class="panel error-panel" role="alert">
                    <h2>"Traffic could not be loaded"</h2>
                    <p>{e.sentence()}</p>
                    <button type="button" class="secondary" on:click=move |_| data.refetch()>"Try again"</button>
                </div>
            }.into_any(),
            Some(Ok(m)) => {
                let (_, text, _, bucket_hours) = RANGES[range.get_untracked()];
                view! { <MonitoringView m=m range_text=text bucket_hours=bucket_hours /> }.into_any()
            }
        }}
    }
    .into_any()
}

#[component]
fn MonitoringView(m: Monitoring, range_text: &'static str, bucket_hours: i64) -> impl IntoView {
    let stored: i64 = m.hours.iter().flat_map(|h| h.treatments.values()).sum();
    let counted: i64 = m.hours.iter().map(|h| h.counted_by_sdk).sum();
    let busiest = m
        .hours
        .iter()
        .map(|h| (h.treatments.values().sum::<i64>(), h.hour))
        .filter(|(n, _)| *n > 0)
        .max();
    let names = m.treatments.clone();
    let off_notes: Vec<String> = m
        .tracking_off
        .iter()
        .map(|p| match p.to {
            Some(to) => format!("was off from {} to {}", day_time(p.from), day_time(to)),
            None => format!("has been off since {}", day_time(p.from)),
        })
        .collect();
    let partial_raw = m.raw_data_since > m.from;
    let raw_since = day_time(m.raw_data_since);
    let unique = m.unique_keys.clone();
    let labels = m.labels.clone();

    view! {
        <div class="stats">
            <div class="stat">
                <span class="stat-label">{format!("Impressions, last {range_text}")}</span>
                <strong class="stat-value" data-testid="impressions-total">{grouped(stored)}</strong>
            </div>
            <div class="stat">
                <span class="stat-label">"Counted by SDKs, not sent"</span>
                <strong class="stat-value">{grouped(counted)}</strong>
            </div>
            <div class="stat">
                <span class="stat-label">"Busiest hour"</span>
                {match busiest {
                    Some((n, hour)) => view! {
                        <strong class="stat-value">{grouped(n)}<span class="stat-unit">{format!(" at {}", day_time(hour))}</span></strong>
                    }.into_any(),
                    None => view! { <strong class="stat-value">"–"</strong> }.into_any(),
                }}
            </div>
        </div>
        <section class="panel" aria-labelledby="traffic-title">
            <div class="panel-head">
                <h2 id="traffic-title">"Traffic over time"</h2>
                <span class="muted small">
                    {if bucket_hours == 1 { "Impressions per hour, by treatment".to_owned() } else { format!("Impressions per {bucket_hours} hours, by treatment") }}
                </span>
            </div>
            <TrafficChart data=m bucket_hours=bucket_hours />
            {(!off_notes.is_empty()).then(|| view! {
                <p class="chart-note">
                    <span class="swatch off-swatch" aria-hidden="true"></span>
                    {format!(
                        "Impression tracking {}: impressions are not stored while it is off, so the chart is empty there (shaded). Evaluated keys still count toward MTK.",
                        off_notes.join("; ")
                    )}
                </p>
            })}
        </section>
        <div class="breakdowns">
            <section class="panel" aria-labelledby="unique-title">
                <h2 id="unique-title">"Unique keys per treatment"</h2>
                <Breakdown rows=names.iter().enumerate().map(|(i, n)| (n.clone(), unique.get(n).copied().unwrap_or(0), Some(treatment_color(i, n)))).collect() what="keys" />
            </section>
            <section class="panel" aria-labelledby="labels-title">
                <h2 id="labels-title">"Labels"</h2>
                <p class="muted small">"Why keys got their treatment: the rule that decided, as SDKs reported it."</p>
                <Breakdown rows={
                    let mut rows: Vec<_> = labels.into_iter().map(|(l, n)| (l, n, None)).collect();
                    rows.sort_by_key(|r| std::cmp::Reverse(r.1));
                    rows
                } what="impressions" />
            </section>
        </div>
        {partial_raw.then(|| view! {
            <p class="muted small">
                {format!("Unique keys and labels cover impressions since {raw_since}: older ones are past the environment's retention, only their hourly counts remain.")}
            </p>
        })}
    }
    .into_any()
}

/// A small table with a share bar per row.
#[component]
fn Breakdown(rows: Vec<(String, i64, Option<&'static str>)>, what: &'static str) -> impl IntoView {
    let total: i64 = rows.iter().map(|r| r.1).sum();
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    if rows.is_empty() || total == 0 {
        return view! { <p class="muted empty">{format!("No {what} in this period.")}</p> }
            .into_any();
    }
    view! {
        <table class="table breakdown">
            <tbody>
                {rows.into_iter().map(|(name, n, color)| view! {
                    <tr>
                        <th scope="row">
                            <span class="row-name">
                                {color.map(|c| view! { <span class="swatch" style=format!("background:{c}") aria-hidden="true"></span> })}
                                <code>{name}</code>
                            </span>
                        </th>
                        <td class="bar-cell" aria-hidden="true">
                            <span class="share-bar"><span style=format!("width:{}%;background:{}", n as f64 / max as f64 * 100.0, color.unwrap_or("var(--primary)"))></span></span>
                        </td>
                        <td class="num">{grouped(n)}</td>
                        <td class="num muted">{percent(n, total)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
