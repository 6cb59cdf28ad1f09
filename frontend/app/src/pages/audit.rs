use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <Title text="Audit log" />
        <header class="page-header">
            <h1>"Audit log"</h1>
        </header>
    }
}
