//! The first rows an export would contain, and how many rows match: the NDJSON export with
//! the same criteria, read until `PREVIEW_ROWS` lines have arrived and then cancelled, and the
//! count endpoint beside it.

use imprint_types::ExportCount;
use leptos::prelude::*;
use serde_json::Value;

use crate::api;
use crate::components::change_number::MaybeChangeNumber;
use crate::components::format::{date_time, grouped};

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub const PREVIEW_ROWS: usize = 20;

/// What the preview found.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub rows: Vec<Value>,
    /// True when the export had more rows than the preview read.
    pub more: bool,
    /// How many stored rows match, or why that is unknown.
    pub matched: Result<u64, String>,
    /// Rows are `track()` events rather than impressions.
    pub events: bool,
}

/// Reads the first `PREVIEW_ROWS` rows of the NDJSON export at `url`, then the number of
/// matching rows from `count_url`.
pub async fn fetch_preview(url: &str, count_url: &str, events: bool) -> Result<Preview, String> {
    #[cfg(feature = "hydrate")]
    {
        let (lines, more) = read_first_lines(url).await?;
        let matched = api::get::<ExportCount>(count_url)
            .await
            .map(|c| c.count)
            .map_err(|e| e.sentence());
        Ok(Preview {
            rows: lines
                .iter()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect(),
            more,
            matched,
            events,
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (url, count_url, events, api::get::<ExportCount>);
        Err("previews load in the browser".to_owned())
    }
}

#[cfg(feature = "hydrate")]
async fn read_first_lines(url: &str) -> Result<(Vec<String>, bool), String> {
    use gloo_net::http::Request;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{js_sys, ReadableStreamDefaultReader, ReadableStreamReadResult, TextDecoder};

    let network = |e: &dyn std::fmt::Debug| {
        format!("Imprint could not be reached ({e:?}). Check your connection and try again.")
    };
    let response = Request::get(url).send().await.map_err(|e| network(&e))?;
    if !response.ok() {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        return Err(serde_json::from_str::<imprint_types::ApiErrorBody>(&text)
            .map(|b| crate::api::display::sentence(&b.message))
            .unwrap_or_else(|_| format!("Imprint answered with HTTP {status}.")));
    }
    let body = response.body().ok_or("The export sent no rows.")?;
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let decoder = TextDecoder::new().map_err(|e| network(&e))?;
    let mut text = String::new();
    let mut more = false;
    loop {
        let lines = text.matches('\n').count();
        if lines > PREVIEW_ROWS {
            more = true;
            break;
        }
        let chunk: ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|e| network(&e))?
            .unchecked_into();
        if chunk.get_done().unwrap_or(true) {
            break;
        }
        let bytes: js_sys::Uint8Array = chunk.get_value().unchecked_into();
        text.push_str(
            &decoder
                .decode_with_u8_array(&bytes.to_vec())
                .unwrap_or_default(),
        );
    }
    let _ = reader.cancel();
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(PREVIEW_ROWS)
        .map(str::to_owned)
        .collect();
    Ok((lines, more))
}

fn cell(row: &Value, name: &str) -> String {
    match row.get(name) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn time_cell(row: &Value, name: &str) -> String {
    row.get(name)
        .and_then(Value::as_i64)
        .map(date_time)
        .unwrap_or_default()
}

#[component]
pub fn PreviewTable(preview: Preview) -> impl IntoView {
    let count = preview.rows.len();
    if count == 0 {
        return view! {
            <p class="muted" data-testid="preview-summary">
                {if preview.events { "No stored event matches these criteria." } else { "No stored impression matches these criteria." }}
            </p>
        }
        .into_any();
    }
    let summary = match &preview.matched {
        Ok(matched) if *matched as usize <= count => {
            format!("All {} matching rows.", grouped(count as i64))
        }
        Ok(matched) => format!(
            "The first {count} of {} matching rows; the export has them all.",
            grouped(*matched as i64)
        ),
        Err(e) if preview.more => {
            format!("The first {count} rows; there are more, but they could not be counted. {e}")
        }
        Err(_) => format!("All {} matching rows.", grouped(count as i64)),
    };
    if preview.events {
        return view! {
            <p class="muted small" data-testid="preview-summary">{summary}</p>
            <EventPreview rows=preview.rows />
        }
        .into_any();
    }
    view! {
        <p class="muted small" data-testid="preview-summary">{summary}</p>
        <div class="live-table-wrap" tabindex="0" role="region" aria-label="Preview of the export">
            <table class="table live-table preview-table" data-testid="preview-table">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Flag"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Treatment"</th>
                        <th scope="col">"Label"</th>
                        <th scope="col">"Change number"</th>
                        <th scope="col">"SDK"</th>
                        <th scope="col">"Received"</th>
                        <th scope="col">"Properties"</th>
                    </tr>
                </thead>
                <tbody>
                    {preview.rows.into_iter().map(|row| {
                        let label = cell(&row, "label");
                        let properties = match row.get("properties") {
                            Some(Value::Null) | None => String::new(),
                            Some(p) => p.to_string(),
                        };
                        view! {
                            <tr>
                                <td class="nowrap">{time_cell(&row, "timestamp")}</td>
                                <td class="mono strong">{cell(&row, "flag")}</td>
                                <td class="mono">{cell(&row, "key")}</td>
                                <td><span class="treatment-pill mono">{cell(&row, "treatment")}</span></td>
                                <td>{if label.is_empty() { view! { <span class="muted">"not available"</span> }.into_any() } else { view! { <span>{label}</span> }.into_any() }}</td>
                                <td class="nowrap"><MaybeChangeNumber value=row.get("change_number").and_then(Value::as_i64)/></td>
                                <td class="mono small">{cell(&row, "sdk")}</td>
                                <td class="nowrap">{time_cell(&row, "received_at")}</td>
                                <td class="mono small">{properties}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn properties_cell(row: &Value) -> String {
    match row.get("properties") {
        Some(Value::Null) | None => String::new(),
        Some(p) => p.to_string(),
    }
}

#[component]
fn EventPreview(rows: Vec<Value>) -> impl IntoView {
    view! {
        <div class="live-table-wrap" tabindex="0" role="region" aria-label="Preview of the export">
            <table class="table live-table preview-table" data-testid="preview-table">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Event type"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Value"</th>
                        <th scope="col">"Traffic type"</th>
                        <th scope="col">"Received"</th>
                        <th scope="col">"Properties"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <td class="nowrap">{time_cell(&row, "timestamp")}</td>
                            <td class="mono strong">{cell(&row, "event_type")}</td>
                            <td class="mono">{cell(&row, "key")}</td>
                            <td class="mono">{cell(&row, "value")}</td>
                            <td>{cell(&row, "traffic_type")}</td>
                            <td class="nowrap">{time_cell(&row, "received_at")}</td>
                            <td class="mono small">{properties_cell(&row)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
