//! An environment's usage this month: unique keys (MTK) and what happened to impressions.

use imprint_types::UsageView;
use leptos::prelude::*;

use super::volume::Volume;
use crate::api::{self, display};
use crate::components::format::grouped;

#[component]
pub fn Usage(#[prop(into)] name: Signal<String>) -> impl IntoView {
    let usage = LocalResource::new(move || {
        let name = name.get();
        async move { api::get::<UsageView>(&format!("/api/v1/environments/{name}/usage")).await }
    });
    let heading_id = move || format!("usage-{}", name.get());
    let stat = |label: &'static str, hint: &'static str, value: Option<i64>| {
        view! {
            <div class="usage-stat">
                <dt>{label}</dt>
                <dd class="usage-value">{value.map(grouped).unwrap_or_else(|| "—".into())}</dd>
                <dd class="usage-note">{hint}</dd>
            </div>
        }
    };
    view! {
        <section class="usage" aria-labelledby=heading_id>
            <h3 id=heading_id>
                "Usage"
                {move || {
                    usage
                        .get()
                        .and_then(Result::ok)
                        .map(|u| format!(" · {}", display::month(&u.month)))
                }}
            </h3>
            {move || match usage.get() {
                Some(Err(e)) => view! {
                    <p class="form-error" role="alert">"Usage is unavailable: " {e.sentence()}</p>
                }
                    .into_any(),
                other => {
                    let u = other.and_then(Result::ok);
                    let get = |f: fn(&UsageView) -> i64| u.as_ref().map(f);
                    let volume = u.as_ref().map(|u| view! { <Volume volume=u.volume.clone() /> });
                    view! {
                        <dl class="usage-stats" aria-busy=u.is_none().to_string()>
                            {stat(
                                "Unique keys (MTK)",
                                "Distinct keys seen, stored or not",
                                get(|u| u.unique_keys_this_month),
                            )}
                            {stat(
                                "Impressions stored",
                                "Received and kept",
                                get(|u| u.impressions_stored),
                            )}
                            {stat(
                                "Dropped, tracking off",
                                "Not stored: the flag's tracking was off",
                                get(|u| u.impressions_dropped_tracking_off),
                            )}
                            {stat(
                                "Counted by SDKs",
                                "Summarised by SDKs instead of sent",
                                get(|u| u.impressions_counted_by_sdk),
                            )}
                            {stat(
                                "Events stored",
                                "Track calls received",
                                get(|u| u.events_stored),
                            )}
                        </dl>
                        {volume}
                    }
                        .into_any()
                }
            }}
        </section>
    }
    .into_any()
}
