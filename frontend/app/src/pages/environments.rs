use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EnvironmentsPage() -> impl IntoView {
    view! {
        <Title text="Environments" />
        <header class="page-header">
            <h1>"Environments"</h1>
        </header>
    }
}
