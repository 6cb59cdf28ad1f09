//! The Data hub (`/e/{env}/live`): the live tail of every flag's impressions in the
//! environment, or of its `track()` events.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::live_tail::{LiveTail, TailKind};
use crate::env::{env_path, percent_decode};

#[component]
pub fn DataHubPage() -> impl IntoView {
    let params = use_params_map();
    let env = Memo::new(move |_| percent_decode(&params.read().get("env").unwrap_or_default()));
    let kind = RwSignal::new(TailKind::Impressions);
    let choice = move |option: TailKind| {
        view! {
            <button type="button" class="secondary small" aria-pressed=move || (kind.get() == option).to_string()
                on:click=move |_| kind.set(option)>
                {option.title()}
            </button>
        }
    };
    view! {
        <Title text="Data hub" />
        <div class="data-hub-page">
            <header class="page-header">
                <div>
                    <h1>"Data hub"</h1>
                    <p class="muted">
                        {move || format!("Impressions of every flag in {}, and track() events, live, as Imprint stores them. ", env.get())}
                        "Flags with impression tracking off never appear. For stored data, use "
                        <a href=move || env_path(&env.get(), "/export")>"Data export"</a> "."
                    </p>
                </div>
            </header>
            <div class="hub-tabs" role="group" aria-label="What to tail">
                {choice(TailKind::Impressions)}
                {choice(TailKind::Events)}
            </div>
            // A new tail (and connection) per kind.
            {move || view! { <LiveTail env=env kind=kind.get() /> }}
        </div>
    }
    .into_any()
}
