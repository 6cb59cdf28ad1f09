//! The Data hub (`/e/{env}/live`): the live tail of every flag in the environment.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::live_tail::LiveTail;
use crate::env::{env_path, percent_decode};

#[component]
pub fn DataHubPage() -> impl IntoView {
    let params = use_params_map();
    let env = Memo::new(move |_| percent_decode(&params.read().get("env").unwrap_or_default()));
    view! {
        <Title text="Data hub" />
        <div class="data-hub-page">
            <header class="page-header">
                <div>
                    <h1>"Data hub"</h1>
                    <p class="muted">
                        {move || format!("Impressions of every flag in {}, live, as Imprint stores them. ", env.get())}
                        "Flags with impression tracking off never appear. For stored data, use "
                        <a href=move || env_path(&env.get(), "/export")>"Data export"</a> "."
                    </p>
                </div>
            </header>
            <LiveTail env=env />
        </div>
    }
    .into_any()
}
