use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Title text="Not found" />
        <main class="centered-message">
            <h1>"Page not found"</h1>
            <p class="muted">"There is nothing at this address."</p>
            <a class="button primary" href="/">"Back to the console"</a>
        </main>
    }
}
