//! The cells of one `track()` event in the live tail.

use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;

use super::row::{time_of_day, TimeCell};

/// An event as the tail sends it (the export's field names).
#[derive(Debug, Clone, Deserialize)]
pub struct EventFields {
    pub event_type: String,
    pub key: String,
    traffic_type: Option<String>,
    value: Option<f64>,
    timestamp: i64,
    received_at: i64,
    sdk: Option<String>,
    machine_name: Option<String>,
    machine_ip: Option<String>,
    #[serde(default)]
    properties: Option<Value>,
    #[serde(default)]
    pub replayed: bool,
}

/// Nine cells, as many as an impression's.
#[component]
pub fn EventCells(e: EventFields) -> impl IntoView {
    let machine = e
        .machine_name
        .or(e.machine_ip)
        .unwrap_or_else(|| "—".into());
    let properties = match e.properties {
        Some(Value::Object(map)) if !map.is_empty() => Value::Object(map).to_string(),
        _ => String::new(),
    };
    let title = properties.clone();
    view! {
        <TimeCell timestamp=e.timestamp replayed=e.replayed />
        <td class="mono strong">{e.event_type}</td>
        <td class="mono">{e.key}</td>
        <td class="mono">{e.value.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</td>
        <td class="mono small live-properties" title=title>{properties}</td>
        <td class="small">{e.traffic_type.unwrap_or_else(|| "—".into())}</td>
        <td class="mono small">{e.sdk.unwrap_or_else(|| "—".into())}</td>
        <td class="mono small">{machine}</td>
        <td class="mono nowrap">{time_of_day(e.received_at)}</td>
    }
}

#[component]
pub fn EventHeaderCells() -> impl IntoView {
    view! {
        <th scope="col">"Time"</th>
        <th scope="col">"Event type"</th>
        <th scope="col">"Key"</th>
        <th scope="col">"Value"</th>
        <th scope="col">"Properties"</th>
        <th scope="col">"Traffic type"</th>
        <th scope="col">"SDK"</th>
        <th scope="col">"Machine"</th>
        <th scope="col">"Received"</th>
    }
}
