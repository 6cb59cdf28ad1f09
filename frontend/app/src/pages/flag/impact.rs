//! The Metrics impact tab: one card per metric of the environment, each comparing the flag's
//! treatments against a baseline (the definition's default treatment unless chosen here).

use leptos::prelude::*;

use super::impact_card::ImpactCard;
use super::FlagCtx;
use crate::components::form_error::FormError;
use crate::env::env_path;
use crate::pages::metrics::client::list_metrics;

#[component]
pub fn ImpactTab() -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let metrics = LocalResource::new(move || {
        let env = ctx.env.get();
        async move { list_metrics(&env).await }
    });
    // Empty: the API's default (the definition's default treatment).
    let baseline = RwSignal::new(String::new());
    // Each press asks every card to compute again rather than read the cache.
    let refreshes = RwSignal::new(0u32);

    view! {
        <div class="toolbar impact-controls">
            <BaselinePicker baseline=baseline />
            <span class="spacer"></span>
            <button type="button" class="secondary small" on:click=move |_| refreshes.update(|n| *n += 1)>
                "Refresh"
            </button>
        </div>
        {move || match metrics.get() {
            None => view! { <p class="muted loading">"Loading metrics…"</p> }.into_any(),
            Some(Err(e)) => view! {
                <FormError error=Some(format!("The metrics could not be loaded. {}", e.sentence())) />
            }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <section class="panel admin-empty">
                    <h2>"No metrics yet"</h2>
                    <p class="muted">
                        "Metrics turn track() events into one number per user; this tab then compares them across the flag's treatments. "
                        <a href=move || env_path(&ctx.env.get(), "/metrics")>"Create a metric on the Metrics page"</a>
                        "."
                    </p>
                </section>
            }.into_any(),
            Some(Ok(list)) => view! {
                <ul class="impact-list">
                    {list.into_iter().map(|m| view! {
                        <ImpactCard metric=m baseline=baseline refreshes=refreshes />
                    }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
    .into_any()
}

/// The treatment the others are compared with; only a defined flag's treatments are known.
#[component]
fn BaselinePicker(baseline: RwSignal<String>) -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    move || {
        let definition = ctx.loaded().and_then(|d| d.definition)?;
        let default = definition.default_treatment.clone();
        let shown = move || {
            let chosen = baseline.get();
            if chosen.is_empty() {
                default.clone()
            } else {
                chosen
            }
        };
        Some(
            view! {
                <label for="impact-baseline">"Compared with"</label>
                <select id="impact-baseline" prop:value=shown
                    on:change=move |ev| baseline.set(event_target_value(&ev))>
                    {definition.treatments.into_iter().map(|t| {
                        let label = if t.name == definition.default_treatment {
                            format!("{} (default treatment)", t.name)
                        } else {
                            t.name.clone()
                        };
                        view! { <option value=t.name>{label}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any(),
        )
    }
}
