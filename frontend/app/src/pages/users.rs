use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users" />
        <header class="page-header">
            <h1>"Users"</h1>
        </header>
    }
}
