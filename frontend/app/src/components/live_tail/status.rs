//! The tail's status bar (connection, rate, sampling, pause and clear) and its empty state
//! (with the server's diagnostic of why nothing arrives).

use std::time::Duration;

use leptos::prelude::*;

use super::{Link, Tail};
use crate::components::format::{grouped, now_ms};

/// Counts older than this no longer describe the current rate.
const STATS_FRESH_MS: i64 = 2_500;

#[component]
pub fn StatusBar(tail: Tail) -> impl IntoView {
    // Ticks each second so that a rate with no new `stats` falls back to zero.
    let now = RwSignal::new(0i64);
    Effect::new(move |_| {
        now.set(now_ms());
        if let Ok(handle) =
            set_interval_with_handle(move || now.set(now_ms()), Duration::from_secs(1))
        {
            on_cleanup(move || handle.clear());
        }
    });
    let current = move || {
        tail.stats
            .get()
            .filter(|(_, at)| now.get() - at <= STATS_FRESH_MS)
            .map(|(stats, _)| stats)
    };
    let rate = move || {
        let sent = current().map_or(0, |s| s.sent);
        format!("{} rows/s", grouped(sent as i64))
    };
    let sampling = move || {
        current().filter(|s| s.skipped > 0).map(|s| {
            let why = if s.skipped_slow_client > 0 {
                "the connection is falling behind"
            } else {
                "over the tail's limit of rows per second"
            };
            (
                format!(
                    "sampling: showing {} of {}/s",
                    grouped(s.sent as i64),
                    grouped(s.matched as i64)
                ),
                format!(
                    "{} rows a second were skipped: {why}.",
                    grouped(s.skipped as i64)
                ),
            )
        })
    };
    let link = move || {
        let paused = tail.paused.get();
        match tail.link.get() {
            Link::Live if paused => ("paused", "Paused".to_owned()),
            Link::Live => ("live", "Live".to_owned()),
            Link::Connecting => ("connecting", "Connecting…".to_owned()),
            Link::Reconnecting(secs) => (
                "reconnecting",
                format!("Connection lost, reconnecting… (next try in {secs} s)"),
            ),
            Link::Refused(reason) => ("refused", format!("Stopped: {reason}")),
        }
    };
    let toggle = move |_| {
        if tail.paused.get_untracked() {
            tail.resume();
        } else {
            tail.flush();
            tail.paused.set(true);
        }
    };

    view! {
        <div class="live-status">
            <span class=move || format!("link-state {}", link().0) data-testid="link-state" role="status">
                <span class="pulse" aria-hidden="true"></span>
                {move || link().1}
            </span>
            <span class="live-rate" role="status" aria-live="polite" aria-atomic="true" data-testid="live-rate">
                {rate}
            </span>
            {move || sampling().map(|(text, why)| {
                let title = why.clone();
                view! {
                <span class="sampling" title=title data-testid="sampling">
                    {text}
                    <span class="visually-hidden">{why}</span>
                </span>
            }})}
            <span class="spacer"></span>
            {move || (tail.paused.get()).then(|| view! {
                <span class="held-count" role="status" data-testid="held-count">
                    {move || {
                        let n = tail.held_count.get();
                        format!("{} new {} while paused", grouped(n as i64), if n == 1 { "row" } else { "rows" })
                    }}
                </span>
            })}
            <button
                type="button"
                class=move || if tail.paused.get() { "primary small" } else { "secondary small" }
                aria-pressed=move || tail.paused.get().to_string()
                on:click=toggle
            >
                {move || if tail.paused.get() { "Resume" } else { "Pause" }}
            </button>
            <button type="button" class="secondary small" on:click=move |_| tail.clear()>"Clear rows"</button>
        </div>
    }
    .into_any()
}

/// No rows yet: what the tail waits for, or why nothing comes.
#[component]
pub fn EmptyTail(tail: Tail) -> impl IntoView {
    move || {
        let reasons = tail.diagnostic.get();
        if let Link::Refused(reason) = tail.link.get() {
            return view! {
                <div class="panel error-panel" role="alert">
                    <h2>"The live tail stopped"</h2>
                    <p>{reason}</p>
                </div>
            }
            .into_any();
        }
        if reasons.is_empty() {
            let replayed = tail.replayed.get();
            return view! {
                <div class="panel live-empty" aria-busy=move || (tail.link.get() != Link::Live).to_string()>
                    <h2>{format!("Waiting for {}…", tail.kind.noun())}</h2>
                    <p class="muted">
                        {match replayed {
                            Some(0) => "Nothing was stored in the replayed minutes. ",
                            _ => "",
                        }}
                        {format!("{} appear here as soon as Imprint stores them.", tail.kind.title())}
                    </p>
                </div>
            }
            .into_any();
        }
        view! {
            <div class="panel live-empty diagnostic" role="status" data-testid="diagnostic">
                <h2>"Nothing is arriving"</h2>
                <ul>
                    {reasons.into_iter().map(|r| view! { <li>{crate::api::display::sentence(&r)}</li> }).collect_view()}
                </ul>
                <p class="muted small">"The tail keeps listening; rows appear as soon as they are stored."</p>
            </div>
        }
        .into_any()
    }
}
