use imprint_types::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, A};

use crate::api;
use crate::components::icons::Logo;
use crate::session::use_session;

/// The frame around every signed-in page: navigation, environment picker and account menu.
/// The server only renders it for signed-in users; others are sent to /login first.
#[component]
pub fn SignedInShell() -> impl IntoView {
    let session = use_session();
    let nav_open = RwSignal::new(false);
    let sign_out_error = RwSignal::new(None::<String>);

    let sign_out = move |_| {
        spawn_local(async move {
            match api::post::<_, serde_json::Value>("/api/v1/auth/logout", &()).await {
                Ok(_) => api::go_to("/login"),
                Err(e) => sign_out_error.set(Some(format!("Could not sign out: {}", e.message))),
            }
        });
    };

    let email = session.user().map(|u| u.email.clone()).unwrap_or_default();
    let role = session.user().map(|u| u.role).unwrap_or(Role::Viewer);
    let initial = email
        .chars()
        .next()
        .unwrap_or('?')
        .to_ascii_uppercase()
        .to_string();

    view! {
        <div class="app" class:nav-open=move || nav_open.get()>
            <header class="topbar">
                <button
                    type="button"
                    class="ghost nav-toggle"
                    aria-label="Toggle navigation"
                    aria-expanded=move || nav_open.get().to_string()
                    aria-controls="sidebar"
                    on:click=move |_| nav_open.update(|open| *open = !*open)
                >
                    "☰"
                </button>
                <a class="brand" href="/">
                    <Logo />
                    <span>"Imprint"</span>
                </a>
                <label class="env-picker">
                    <span class="visually-hidden">"Environment"</span>
                    <select aria-label="Environment" disabled>
                        <option>"No environments yet"</option>
                    </select>
                </label>
                <div class="topbar-spacer"></div>
                <div class="account-chip" data-testid="signed-in-user">
                    <span class="avatar" aria-hidden="true">{initial}</span>
                    <span class="account-email">{email}</span>
                    <span class=format!("role-badge role-{role}")>{role.to_string()}</span>
                </div>
                <button type="button" class="ghost" on:click=sign_out>"Sign out"</button>
            </header>
            <nav id="sidebar" class="sidebar" aria-label="Main">
                <A href="/" exact=true>"Overview"</A>
                <A href="/account">"Account"</A>
            </nav>
            <main class="content" on:click=move |_| nav_open.set(false)>
                <Show when=move || sign_out_error.get().is_some()>
                    <p class="banner error" role="alert">{move || sign_out_error.get()}</p>
                </Show>
                <Outlet />
            </main>
        </div>
    }
}
