//! A sink's health at a glance: status, lag, counts, last success and last error.

use imprint_types::SinkView;
use leptos::prelude::*;
use serde_json::Value;

use super::kinds::kind_label;
use crate::components::format::{date_time, grouped, now_ms, parse_iso_ms, relative};

/// "3 min ago (Dec 1, 16:05)", or the text as the API sent it.
fn when(iso: &str) -> String {
    match parse_iso_ms(iso) {
        Some(ms) => format!("{} ({})", relative(ms, now_ms()), date_time(ms)),
        None => iso.to_owned(),
    }
}

/// "active" → "Active"; what the badge says.
fn status_text(status: &str) -> &'static str {
    match status {
        "active" => "Active",
        "failing" => "Failing",
        "paused" => "Paused",
        _ => "Unknown",
    }
}

fn lag_text(sink: &SinkView) -> String {
    if sink.lag_rows == 0 {
        return "Up to date".into();
    }
    let rows = if sink.lag_rows == 1 {
        "1 row".to_owned()
    } else {
        format!("{} rows", grouped(sink.lag_rows))
    };
    match sink.lag_seconds {
        Some(s) if s >= 1.0 => format!("{rows} · {s:.0} s behind"),
        Some(_) => format!("{rows} · under a second behind"),
        None => rows,
    }
}

/// Where it delivers, from the settings that say so (secrets are never in `config`).
fn destination(sink: &SinkView) -> String {
    [
        "url", "bucket", "endpoint", "prefix", "dir", "region", "preset", "event", "format",
    ]
    .iter()
    .filter_map(|key| match sink.config.get(*key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    })
    .take(3)
    .collect::<Vec<_>>()
    .join(" · ")
}

/// What the sink carries: every flag or some, and whether events too.
fn scope(sink: &SinkView) -> String {
    let flags: Vec<&str> = sink
        .filter
        .get("flag")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let what = if flags.is_empty() {
        "Impressions of every flag".to_owned()
    } else {
        format!("Impressions of {}", flags.join(", "))
    };
    if sink.events {
        format!("{what}, and track() events")
    } else {
        what
    }
}

#[component]
pub fn SinkHeader(sink: SinkView) -> impl IntoView {
    let reason = sink
        .paused_reason
        .clone()
        .filter(|_| sink.status == "paused");
    view! {
        <div class="sink-head">
            <h3>{sink.name.clone()}</h3>
            <span class="muted small">{kind_label(&sink.kind)}</span>
            <span class=format!("sink-status {}", sink.status) data-testid="sink-status">
                {status_text(&sink.status)}
            </span>
            {reason.map(|r| view! { <span class="muted small" data-testid="sink-paused-reason">{crate::api::display::sentence(&r)}</span> })}
        </div>
        <p class="small sink-where">
            <span class="mono">{destination(&sink)}</span>
            <span class="muted">{format!(" · {}", scope(&sink))}</span>
        </p>
    }
}

#[component]
pub fn SinkHealth(sink: SinkView) -> impl IntoView {
    let last_success = sink
        .last_success_at
        .as_deref()
        .map_or_else(|| "Never yet".to_owned(), when);
    let stat = |label: &'static str, id: &'static str, value: String| {
        view! { <div><dt>{label}</dt><dd data-testid=id>{value}</dd></div> }
    };
    view! {
        <dl class="sink-stats">
            {stat("Delivered", "sink-delivered", grouped(sink.delivered))}
            {stat("Failed attempts", "sink-failed", grouped(sink.failed))}
            {stat("Dead-lettered", "sink-dead-lettered", grouped(sink.dead_lettered))}
            {stat("Lag", "sink-lag", lag_text(&sink))}
            {stat("Last success", "sink-last-success", last_success)}
        </dl>
        {sink.last_error.clone().map(|error| view! {
            <div class="sink-error">
                <p class="small">
                    <strong>"Last error"</strong>
                    {sink.last_error_at.as_deref().map(|at| format!(" · {}", when(at)))}
                    {sink.failing_since.as_deref().map(|at| format!(" · failing since {}", when(at)))}
                </p>
                <pre data-testid="sink-last-error">{error}</pre>
            </div>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sink() -> SinkView {
        serde_json::from_value(json!({
            "id": 1, "kind": "webhook", "name": "w", "config": {"url": "http://x", "format": "split"},
            "secrets_set": ["secret"], "filter": {"flag": ["a", "b"]}, "events": true,
            "status": "active", "paused_reason": null, "delivered": 0, "failed": 0,
            "dead_lettered": 0, "lag_rows": 1200, "lag_seconds": 2.4, "last_success_at": null,
            "last_error": null, "last_error_at": null, "failing_since": null,
            "created_at": "2026-12-01T10:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn health_reads_well() {
        let s = sink();
        assert_eq!(lag_text(&s), "1,200 rows · 2 s behind");
        assert_eq!(destination(&s), "http://x · split");
        assert_eq!(scope(&s), "Impressions of a, b, and track() events");
        assert_eq!(status_text("failing"), "Failing");
    }
}
