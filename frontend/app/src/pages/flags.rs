use leptos::prelude::*;
use leptos_meta::Title;

use crate::env::use_current_env;

/// Every flag of the environment, defined or only observed, with its tracking indicator.
#[component]
pub fn FlagsPage() -> impl IntoView {
    let env = use_current_env();
    view! {
        <Title text="Flags" />
        <header class="page-header">
            <div>
                <h1>"Flags"</h1>
                <p class="muted">{move || env.get()}</p>
            </div>
        </header>
    }
}
