use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One flag: its definition, monitoring and (later) live tail.
#[component]
pub fn FlagPage() -> impl IntoView {
    let params = use_params_map();
    let flag = move || params.read().get("flag").unwrap_or_default();
    view! {
        <Title text=flag />
        <header class="page-header">
            <h1>{flag}</h1>
        </header>
    }
}
