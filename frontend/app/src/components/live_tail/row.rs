//! One row of the live tail (an impression or an event): its table row and, expanded, its
//! raw JSON.

use leptos::prelude::*;
use serde::Deserialize;

use super::event_row::{EventCells, EventFields, EventHeaderCells};
use super::kind::TailKind;
use crate::components::change_number::MaybeChangeNumber;
use crate::components::format::local_offset_ms;

/// An impression as the tail sends it (the export's field names).
#[derive(Debug, Clone, Deserialize)]
struct Fields {
    flag: String,
    key: String,
    treatment: String,
    label: Option<String>,
    change_number: Option<i64>,
    timestamp: i64,
    received_at: i64,
    sdk: Option<String>,
    machine_name: Option<String>,
    machine_ip: Option<String>,
    #[serde(default)]
    replayed: bool,
}

#[derive(Debug, Clone)]
enum Body {
    Impression(Fields),
    Event(EventFields),
}

/// A row of the table, numbered in arrival order (the key of the keyed list).
#[derive(Debug, Clone)]
pub struct LiveRow {
    pub seq: u64,
    body: Body,
    raw: String,
}

impl LiveRow {
    pub fn parse(kind: TailKind, seq: u64, raw: String) -> Option<LiveRow> {
        let body = match kind {
            TailKind::Impressions => Body::Impression(serde_json::from_str(&raw).ok()?),
            TailKind::Events => Body::Event(serde_json::from_str(&raw).ok()?),
        };
        Some(LiveRow { seq, body, raw })
    }

    /// The impression as indented JSON, properties included.
    fn pretty(&self) -> String {
        serde_json::from_str::<serde_json::Value>(&self.raw)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_else(|| self.raw.clone())
    }
}

/// `HH:MM:SS.mmm` in the browser's time zone.
pub fn time_of_day(ms: i64) -> String {
    let local = (ms + local_offset_ms(ms)).rem_euclid(86_400_000);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        local / 3_600_000,
        local / 60_000 % 60,
        local / 1000 % 60,
        local % 1000
    )
}

const COLUMNS: usize = 10;

/// Both table rows of one impression or event, in their own `<tbody>` so the details follow it.
#[component]
pub fn LiveRowView(row: LiveRow) -> impl IntoView {
    let expanded = RwSignal::new(false);
    let details_id = format!("live-row-{}", row.seq);
    let (cells, what, data_flag, replayed) = match &row.body {
        Body::Impression(f) => (
            view! { <ImpressionCells f=f.clone() /> }.into_any(),
            format!("{} for {}", f.flag, f.key),
            Some(f.flag.clone()),
            f.replayed,
        ),
        Body::Event(e) => (
            view! { <EventCells e=e.clone() /> }.into_any(),
            format!("{} from {}", e.event_type, e.key),
            None,
            e.replayed,
        ),
    };
    let label = format!("Show the JSON of {what}");
    let row_for_json = row.clone();
    view! {
        <tbody class="live-row" class:open=move || expanded.get() class:replayed=replayed data-flag=data_flag>
            <tr>
                <td class="expand-cell">
                    <button
                        type="button"
                        class="expand"
                        aria-expanded=move || expanded.get().to_string()
                        aria-controls=details_id.clone()
                        aria-label=label
                        on:click=move |_| expanded.update(|e| *e = !*e)
                    >
                        <span aria-hidden="true">{move || if expanded.get() { "▾" } else { "▸" }}</span>
                    </button>
                </td>
                {cells}
            </tr>
            <tr class="json-row" id=details_id.clone() hidden=move || !expanded.get()>
                <td colspan=COLUMNS.to_string()>
                    {move || expanded.get().then(|| view! {
                        <pre class="json" tabindex="0" aria-label="Row JSON">{row_for_json.pretty()}</pre>
                    })}
                </td>
            </tr>
        </tbody>
    }
    .into_any()
}

/// The time cell, tagged when the replay sent the row.
#[component]
pub fn TimeCell(timestamp: i64, replayed: bool) -> impl IntoView {
    view! {
        <td class="mono nowrap">
            <time>{time_of_day(timestamp)}</time>
            {replayed.then(|| view! { <span class="replayed-tag" title="Sent from storage by the replay">"replay"</span> })}
        </td>
    }
}

#[component]
fn ImpressionCells(f: Fields) -> impl IntoView {
    let machine = f
        .machine_name
        .clone()
        .or(f.machine_ip.clone())
        .unwrap_or_default();
    let lag = (f.received_at - f.timestamp).max(0);
    let received_title = format!("{} ms after evaluation", lag);
    view! {
        <TimeCell timestamp=f.timestamp replayed=f.replayed />
        <td class="mono strong">{f.flag.clone()}</td>
        <td class="mono">{f.key.clone()}</td>
        <td><span class="treatment-pill mono">{f.treatment.clone()}</span></td>
        <td>
            {match f.label.clone() {
                Some(label) => view! { <span>{label}</span> }.into_any(),
                None => view! { <span class="muted">"not available"</span> }.into_any(),
            }}
        </td>
        <td class="nowrap"><MaybeChangeNumber value=f.change_number/></td>
        <td class="mono small">{f.sdk.clone().unwrap_or_else(|| "—".into())}</td>
        <td class="mono small">{if machine.is_empty() { "—".to_owned() } else { machine }}</td>
        <td class="mono nowrap" title=received_title>{time_of_day(f.received_at)}</td>
    }
}

/// The table's header row.
#[component]
pub fn LiveHeader(kind: TailKind) -> impl IntoView {
    if kind == TailKind::Events {
        return view! {
            <thead>
                <tr>
                    <th class="expand-cell"><span class="visually-hidden">"Details"</span></th>
                    <EventHeaderCells />
                </tr>
            </thead>
        }
        .into_any();
    }
    view! {
        <thead>
            <tr>
                <th class="expand-cell"><span class="visually-hidden">"Details"</span></th>
                <th scope="col">"Time"</th>
                <th scope="col">"Flag"</th>
                <th scope="col">"Key"</th>
                <th scope="col">"Treatment"</th>
                <th scope="col">"Label"</th>
                <th scope="col">"Change number"</th>
                <th scope="col">"SDK"</th>
                <th scope="col">"Machine"</th>
                <th scope="col">"Received"</th>
            </tr>
        </thead>
    }
    .into_any()
}
