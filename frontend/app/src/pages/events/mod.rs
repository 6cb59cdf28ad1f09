//! Events (`/e/{env}/events`): the `track()` event types the environment has seen in a window,
//! each with its volume over time, how many keys sent it, and the properties its recent events
//! carried. Metrics are built from these types.

mod card;
pub mod client;

use imprint_types::EventTypesView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::ApiError;
use crate::components::format::now_ms;
use crate::env::percent_decode;
use card::EventTypeCard;

const HOUR: i64 = 3_600_000;
/// The windows offered, as (label, length).
pub const WINDOWS: [(&str, i64); 4] = [
    ("Last 24 hours", 24 * HOUR),
    ("Last 3 days", 72 * HOUR),
    ("Last 7 days", 7 * 24 * HOUR),
    ("Last 30 days", 30 * 24 * HOUR),
];

#[component]
pub fn EventsPage() -> impl IntoView {
    let params = use_params_map();
    let env = Memo::new(move |_| percent_decode(&params.read().get("env").unwrap_or_default()));
    let window = RwSignal::new(24 * HOUR);
    let types = LocalResource::new(move || {
        let (env, span) = (env.get(), window.get());
        async move {
            let to = now_ms();
            client::event_types(&env, to - span, to).await
        }
    });

    view! {
        <Title text="Events" />
        <div class="events-page">
            <header class="page-header">
                <div>
                    <h1>"Events"</h1>
                    <p class="muted">
                        {move || format!("The track() event types {} has received, with their volume and properties.", env.get())}
                    </p>
                </div>
                <div class="toolbar">
                    <label class="visually-hidden" for="events-window">"Window"</label>
                    <select id="events-window" prop:value=move || window.get().to_string()
                        on:change=move |ev| window.set(event_target_value(&ev).parse().unwrap_or(24 * HOUR))>
                        {WINDOWS.iter().map(|(label, span)| view! { <option value=span.to_string()>{*label}</option> }).collect_view()}
                    </select>
                    <button type="button" class="secondary small" on:click=move |_| types.refetch()>"Refresh"</button>
                </div>
            </header>
            {move || match types.get() {
                None => view! { <p class="muted loading">"Loading event types…"</p> }.into_any(),
                Some(Err(e)) => view! { <LoadError error=e /> }.into_any(),
                Some(Ok(answer)) => view! { <EventTypeList answer=answer /> }.into_any(),
            }}
        </div>
    }
    .into_any()
}

#[component]
fn LoadError(error: ApiError) -> impl IntoView {
    view! {
        <p class="form-error" role="alert">{format!("The event types could not be loaded. {}", error.sentence())}</p>
    }
}

#[component]
fn EventTypeList(answer: EventTypesView) -> impl IntoView {
    if answer.event_types.is_empty() {
        return view! {
            <section class="panel admin-empty">
                <h2>"No events in this window"</h2>
                <p class="muted">"Events appear here once an SDK sends track() calls (or POST /api/v1/events) with this environment's key."</p>
            </section>
        }
        .into_any();
    }
    let (from, bucket) = (answer.from, answer.bucket_ms);
    view! {
        {answer.truncated.then(|| view! {
            <p class="callout" role="note">"Only the 200 busiest event types are listed."</p>
        })}
        <ul class="event-type-list">
            {answer.event_types.into_iter().map(|t| view! { <EventTypeCard event_type=t from=from bucket_ms=bucket /> }).collect_view()}
        </ul>
    }
    .into_any()
}
