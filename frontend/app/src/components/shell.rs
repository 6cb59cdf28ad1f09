use imprint_types::Role;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, A};

use crate::api;
use crate::components::icons::Logo;
use crate::env::{env_path, provide_environments, use_current_env};
use crate::session::use_session;

/// The frame around every signed-in page: navigation, environment picker and account menu.
/// The server only renders it for signed-in users; others are sent to /login first.
#[component]
pub fn SignedInShell() -> impl IntoView {
    let session = use_session();
    let environments = provide_environments();
    let current_env = use_current_env();
    // Flags stays current on a flag's pages, but not on the Data hub or Data export.
    let location = leptos_router::hooks::use_location();
    let flags_active = move || {
        let base = env_path(&current_env.get(), "");
        let path = location.pathname.get();
        path == base || path.starts_with(&format!("{base}/flags/"))
    };
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
                <EnvironmentPicker environments=environments current=current_env />
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
                {move || {
                    let env = current_env.get();
                    (!env.is_empty()).then(|| view! {
                        <a href=env_path(&env, "") aria-current=move || flags_active().then_some("page")>"Flags"</a>
                        <A href=env_path(&env, "/live")>"Data hub"</A>
                        <A href=env_path(&env, "/events")>"Events"</A>
                        <A href=env_path(&env, "/metrics")>"Metrics"</A>
                        <A href=env_path(&env, "/alerts")>"Alerts"</A>
                        <A href=env_path(&env, "/export")>"Data export"</A>
                        <A href=env_path(&env, "/integrations")>"Integrations"</A>
                    })
                }}
                <A href="/environments">"Environments"</A>
                {(role == Role::Admin).then(|| view! { <A href="/users">"Users"</A> })}
                <A href="/audit">"Audit log"</A>
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

/// Picks the environment the console shows; it lives in the URL, so this navigates.
#[component]
fn EnvironmentPicker(
    environments: crate::env::Environments,
    current: Memo<String>,
) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let on_change = move |ev: leptos::ev::Event| {
        let name = event_target_value(&ev);
        if !name.is_empty() {
            navigate(&env_path(&name, ""), Default::default());
        }
    };
    view! {
        <label class="env-picker">
            <span class="visually-hidden">"Environment"</span>
            <select aria-label="Environment" on:change=on_change prop:value=move || current.get()>
                <Suspense fallback=|| view! { <option value="">"Loading…"</option> }>
                    {move || {
                        environments.0.get().map(|result| match result {
                            Ok(list) if list.is_empty() => {
                                view! { <option value="">"No environments yet"</option> }.into_any()
                            }
                            Ok(list) => {
                                let current = current.get_untracked();
                                view! {
                                    <option value="" disabled=true selected=current.is_empty()>
                                        "Environment…"
                                    </option>
                                    {list
                                        .into_iter()
                                        .map(|env| {
                                            let selected = env.name == current;
                                            view! { <option value=env.name.clone() selected=selected>{env.name.clone()}</option> }
                                        })
                                        .collect_view()}
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <option value="">{format!("Environments unavailable: {}", e.message)}</option> }.into_any(),
                        })
                    }}
                </Suspense>
            </select>
        </label>
    }
}
