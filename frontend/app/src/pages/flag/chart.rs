//! Traffic over time: stacked bars per treatment, hand-drawn in SVG. The SVG stretches to
//! the width available (its text would not), so axis labels, the tooltip and the shading's
//! captions are HTML laid over it at percentage positions.

use imprint_types::Monitoring;
use leptos::html;
use leptos::prelude::*;

use crate::components::format::{
    clock, compact, day_time, grouped, local_offset_ms, local_time, weekday_date,
};

const HOUR: i64 = 3_600_000;
const PALETTE: [&str; 8] = [
    "#4f46e5", "#0d9488", "#d97706", "#db2777", "#0284c7", "#7c3aed", "#65a30d", "#64748b",
];

/// A treatment's colour, by its position among the flag's treatments; `control` is grey.
pub fn treatment_color(index: usize, name: &str) -> &'static str {
    if name == "control" {
        "#a3a9bd"
    } else {
        PALETTE[index % PALETTE.len()]
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Bucket {
    start: i64,
    end: i64,
    counts: Vec<i64>,
    counted_by_sdk: i64,
    total: i64,
}

/// The treatments in the chart's order: the answer's, then any other found in the hours.
fn treatment_order(m: &Monitoring) -> Vec<String> {
    let mut names = m.treatments.clone();
    for hour in &m.hours {
        for name in hour.treatments.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// Hours grouped into buckets of `hours` hours, aligned on the browser's local clock.
fn buckets(m: &Monitoring, names: &[String], hours: i64) -> Vec<Bucket> {
    let size = hours * HOUR;
    let mut out: Vec<(i64, Bucket)> = Vec::new();
    for h in &m.hours {
        let key = (h.hour + local_offset_ms(h.hour)).div_euclid(size);
        if out.last().map(|(k, _)| *k) != Some(key) {
            out.push((
                key,
                Bucket {
                    start: h.hour,
                    end: h.hour,
                    counts: vec![0; names.len()],
                    counted_by_sdk: 0,
                    total: 0,
                },
            ));
        }
        if let Some((_, b)) = out.last_mut() {
            b.end = h.hour + HOUR;
            for (i, name) in names.iter().enumerate() {
                let n = h.treatments.get(name).copied().unwrap_or(0);
                b.counts[i] += n;
                b.total += n;
            }
            b.counted_by_sdk += h.counted_by_sdk;
        }
    }
    out.into_iter().map(|(_, b)| b).collect()
}

/// A round axis maximum and its step: 1, 2 or 5 × 10ⁿ, four or five ticks.
fn nice_scale(max: i64) -> (i64, i64) {
    if max <= 0 {
        return (4, 1);
    }
    let rough = (max as f64 / 4.0).max(1.0);
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough && s.fract() == 0.0)
        .unwrap_or(10.0 * magnitude)
        .max(1.0) as i64;
    let top = ((max + step - 1) / step) * step;
    (top, step)
}

/// Positions (bucket index) and texts of the time axis labels.
fn time_labels(b: &[Bucket], hours: i64) -> Vec<(usize, String)> {
    let marks: Vec<(usize, String)> = b
        .iter()
        .enumerate()
        .filter_map(|(i, bucket)| {
            let t = local_time(bucket.start);
            if hours == 1 && b.len() <= 48 {
                t.hour.is_multiple_of(3).then(|| (i, clock(bucket.start)))
            } else {
                (t.hour < hours as u32).then(|| (i, weekday_date(bucket.start)))
            }
        })
        .collect();
    let step = marks.len().div_ceil(8).max(1);
    marks.into_iter().step_by(step).collect()
}

/// What the tooltip says about one bar.
struct Reading {
    when: String,
    /// (treatment index, impressions)
    counts: Vec<(usize, i64)>,
    total: i64,
    sdk: i64,
    off: bool,
}

#[component]
pub fn TrafficChart(data: Monitoring, bucket_hours: i64) -> impl IntoView {
    let names = treatment_order(&data);
    let b = buckets(&data, &names, bucket_hours);
    let n = b.len().max(1);
    let total: i64 = b.iter().map(|x| x.total).sum();
    let max = b.iter().map(|x| x.total).max().unwrap_or(0);
    // Headroom above the tallest bar.
    let (top, step) = nice_scale(max + (max + 7) / 8);
    let origin = b.first().map(|x| x.start).unwrap_or(data.from);
    let span = (b.last().map(|x| x.end).unwrap_or(data.to) - origin).max(1);
    let x_of = move |t: i64| ((t - origin) as f64 / span as f64 * n as f64).clamp(0.0, n as f64);
    let bands: Vec<(f64, f64)> = data
        .tracking_off
        .iter()
        .map(|p| (x_of(p.from), x_of(p.to.unwrap_or(data.to))))
        .filter(|(a, z)| z > a)
        .collect();
    let labels = time_labels(&b, bucket_hours);
    let selected = RwSignal::new(None::<usize>);
    let plot = NodeRef::<html::Div>::new();
    let names = StoredValue::new(names);
    let b = StoredValue::new(b);
    let bands = StoredValue::new(bands);

    let pick_at = move |offset_x: i32| {
        let width = plot.get_untracked().map(|p| p.client_width()).unwrap_or(0);
        if width > 0 {
            let i = (f64::from(offset_x) / f64::from(width) * n as f64).floor();
            selected.set(Some((i.max(0.0) as usize).min(n - 1)));
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let current = selected.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowLeft" => Some(current.map_or(n - 1, |i| i.saturating_sub(1))),
            "ArrowRight" => Some(current.map_or(n - 1, |i| (i + 1).min(n - 1))),
            "Home" => Some(0),
            "End" => Some(n - 1),
            "Escape" => {
                selected.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        selected.set(next);
    };
    let y_pct = move |v: i64| 100.0 - v as f64 / top as f64 * 100.0;
    let bars = b.with_value(|b| {
        b.iter()
            .enumerate()
            .flat_map(|(i, bucket)| {
                let mut acc = 0;
                bucket
                    .counts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(t, c)| {
                        let (y0, y1) = (y_pct(acc), y_pct(acc + c));
                        acc += c;
                        let color = names.with_value(|names| treatment_color(t, &names[t]));
                        view! {
                            <rect x=i as f64 + 0.14 width="0.72" y=y1 height=(y0 - y1).max(0.0) fill=color />
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect_view()
    });
    let describe = move |i: usize| -> Option<Reading> {
        let bucket = b.with_value(|b| b.get(i).cloned())?;
        let when = if bucket_hours == 1 {
            format!("{} – {}", day_time(bucket.start), clock(bucket.end))
        } else {
            format!("{} – {}", day_time(bucket.start), day_time(bucket.end))
        };
        let off = bands.with_value(|bands| {
            bands
                .iter()
                .any(|(a, z)| *a < (i + 1) as f64 && *z > i as f64)
        });
        let counts = bucket.counts.iter().copied().enumerate().collect();
        Some(Reading {
            when,
            counts,
            total: bucket.total,
            sdk: bucket.counted_by_sdk,
            off,
        })
    };
    let summary = move || {
        selected.get().and_then(describe).map(
            |Reading {
                 when,
                 counts,
                 total,
                 sdk,
                 off,
             }| {
                let parts = counts
                    .iter()
                    .map(|(t, c)| {
                        format!("{} {}", names.with_value(|n| n[*t].clone()), grouped(*c))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let off = if off { ", tracking off" } else { "" };
                format!(
                    "{when}: {} impressions ({parts}), {sdk} counted by SDKs{off}",
                    grouped(total)
                )
            },
        )
    };

    let svg = view! {
                    <svg viewBox=format!("0 0 {n} 100") preserveAspectRatio="none" aria-hidden="true">
                        {bands.get_value().into_iter().map(|(a, z)| view! {
                            <rect class="off-band" x=a width=z - a y="0" height="100" />
                        }).collect_view()}
                        {(1..=top / step).map(|k| {
                            let y = y_pct(k * step);
                            view! { <line class="grid" x1="0" x2=n y1=y y2=y vector-effect="non-scaling-stroke" /> }
                        }).collect_view()}
                        {bars}
                        {move || selected.get().map(|i| view! {
                            <rect class="hover-band" x=i width="1" y="0" height="100" />
                        })}
                    </svg>
    }
    .into_any();
    let y_axis = view! {
                <div class="y-axis" aria-hidden="true">
                    {(0..=top / step).map(|k| view! {
                        <span style=format!("bottom:{}%", (k * step) as f64 / top as f64 * 100.0)>{compact(k * step)}</span>
                    }).collect_view()}
                </div>
    }
    .into_any();
    let x_axis = view! {
            <div class="x-axis" aria-hidden="true">
                {labels.into_iter().enumerate().map(|(k, (i, text))| view! {
                    <span class:minor=k % 2 == 1 style=format!("left:{}%", i as f64 / n as f64 * 100.0)>{text}</span>
                }).collect_view()}
            </div>
    }
    .into_any();
    let legend = view! {
            <figcaption class="legend">
                {names.get_value().into_iter().enumerate().map(|(t, name)| {
                    let sum: i64 = b.with_value(|b| b.iter().map(|x| x.counts[t]).sum());
                    view! {
                        <span class="legend-item" data-treatment=name.clone() data-count=sum>
                            <span class="swatch" style=format!("background:{}", treatment_color(t, &name)) aria-hidden="true"></span>
                            <span class="legend-name">{name.clone()}</span>
                            <strong>{grouped(sum)}</strong>
                        </span>
                    }
                }).collect_view()}
                {(!bands.with_value(Vec::is_empty)).then(|| view! {
                    <span class="legend-item">
                        <span class="swatch off-swatch" aria-hidden="true"></span>
                        <span class="legend-name">"Tracking off"</span>
                    </span>
                })}
            </figcaption>
    }
    .into_any();
    let tooltip = move || {
        selected.get().and_then(|i| describe(i).map(|d| (i, d))).map(|(i, Reading { when, counts, total, sdk, off })| {
                        let x = (i as f64 + 0.5) / n as f64 * 100.0;
                        let align = if x < 20.0 { "left" } else if x > 80.0 { "right" } else { "center" };
                        view! {
                            <div class=format!("chart-tooltip {align}") style=format!("left:{x}%") aria-hidden="true">
                                <p class="tooltip-when">{when}</p>
                                <ul>
                                    {counts.into_iter().rev().filter(|(_, c)| *c > 0).map(|(t, c)| {
                                        let name = names.with_value(|n| n[t].clone());
                                        view! {
                                            <li><span class="swatch" style=format!("background:{}", treatment_color(t, &name))></span>
                                            <span>{name}</span><strong>{grouped(c)}</strong></li>
                                        }
                                    }).collect_view()}
                                </ul>
                                <p class="tooltip-total"><span>"Total"</span><strong>{grouped(total)}</strong></p>
                                {(sdk > 0).then(|| view! { <p class="muted">{format!("{} counted by SDKs, not sent", grouped(sdk))}</p> })}
                                {off.then(|| view! { <p class="tooltip-off">"Impression tracking was off"</p> })}
                            </div>
                        }.into_any()
                    })
    };
    view! {
        <figure class="chart" data-total=total data-buckets=n>
            <div class="chart-body">
                {y_axis}
                <div
                    class="plot"
                    tabindex="0"
                    role="group"
                    aria-label="Traffic over time. Use the left and right arrow keys to read each period."
                    node_ref=plot
                    on:mousemove=move |ev| pick_at(ev.offset_x())
                    on:mouseleave=move |_| selected.set(None)
                    on:keydown=on_key
                    on:blur=move |_| selected.set(None)
                >
                    {svg}
                    // Captions only where the band is wide enough to read them.
                    {bands.get_value().into_iter().filter(|(a, z)| (z - a) / n as f64 >= 0.08).map(|(a, z)| view! {
                        <span class="off-caption" style=format!("left:{}%;width:{}%", a / n as f64 * 100.0, (z - a) / n as f64 * 100.0)>
                            "Not tracked"
                        </span>
                    }).collect_view()}
                    {(total == 0).then(|| view! { <p class="chart-empty">"No impressions stored in this period"</p> })}
                    {tooltip}
                </div>
            </div>
            {x_axis}
            <p class="visually-hidden" aria-live="polite">{summary}</p>
            {legend}
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round() {
        assert_eq!(nice_scale(0), (4, 1));
        assert_eq!(nice_scale(3), (3, 1));
        assert_eq!(nice_scale(7), (8, 2));
        assert_eq!(nice_scale(95), (100, 25));
        assert_eq!(nice_scale(1234), (1500, 500));
    }
}
