//! Environments: each has its own SDK keys, flags, tracking toggles and retention. Admins
//! create and change them; every role reads them.

mod card;
mod create;
pub mod secret;
mod settings;
mod usage;
mod volume;

use imprint_types::{CreatedEnvironment, EnvironmentView, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::env::use_environments;
use crate::session::use_session;
use card::EnvironmentCard;
use create::{CreateEnvironmentForm, CreatedEnvironmentBox};
use secret::Revealed;

/// What retention means, wherever it is set.
pub const RETENTION_HELP: &str = "Impressions and events older than this are deleted. \
     Hourly counts are kept longer, so charts still show older traffic.";

#[component]
pub fn EnvironmentsPage() -> impl IntoView {
    let is_admin = use_session()
        .user()
        .is_some_and(|user| user.role.allows(Role::Admin));
    let environments = use_environments();
    // `/environments?new` opens the form (the overview's call to action links here).
    let creating = RwSignal::new(is_admin && use_query_map().get_untracked().get("new").is_some());
    let created = RwSignal::new(None::<CreatedEnvironment>);
    // SDK keys shown once, kept above the cards so that reloading the list keeps them.
    let revealed = RwSignal::new(Vec::<Revealed>::new());

    let list = Memo::new(move |_| environments.0.get());
    let ids = Memo::new(move |_| {
        list.with(|list| match list {
            Some(Ok(list)) => list.iter().map(|env| env.id).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let find = move |id: i64| {
        Signal::derive(move || {
            list.with(|list| match list {
                Some(Ok(list)) => list.iter().find(|env| env.id == id).cloned(),
                _ => None,
            })
        })
    };

    let status = move || {
        list.with(|list| match list {
            None => Some(view! { <p class="muted loading">"Loading environments…"</p> }.into_any()),
            Some(Err(e)) => Some(
                view! {
                    <p class="form-error" role="alert">
                        "Could not load the environments: " {e.sentence()}
                    </p>
                }
                .into_any(),
            ),
            Some(Ok(list)) if list.is_empty() => {
                Some(view! { <EmptyState is_admin creating /> }.into_any())
            }
            Some(Ok(_)) => None,
        })
    };

    view! {
        <Title text="Environments" />
        <header class="page-header">
            <div>
                <h1>"Environments"</h1>
                <p class="muted">
                    "Each environment has its own SDK keys, flags, tracking toggles and retention."
                </p>
            </div>
            {is_admin.then(|| view! {
                <button
                    type="button"
                    class="primary"
                    aria-expanded=move || creating.get().to_string()
                    aria-controls="create-environment"
                    on:click=move |_| creating.update(|open| *open = !*open)
                >
                    "New environment"
                </button>
            })}
        </header>
        {(!is_admin).then(|| view! {
            <p class="notice" data-testid="read-only-notice">
                "You can look at every environment. Only admins create environments, change their settings or manage SDK keys."
            </p>
        })}
        {is_admin.then(|| view! { <CreateEnvironmentForm open=creating created /> })}
        <CreatedEnvironmentBox created />
        {status}
        <div class="env-list">
            <For
                each=move || ids.get()
                key=|id| *id
                children=move |id| view! { <EnvironmentCard env=find(id) is_admin revealed /> }
            />
        </div>
    }
    .into_any()
}

#[component]
fn EmptyState(is_admin: bool, creating: RwSignal<bool>) -> impl IntoView {
    view! {
        <section class="panel admin-empty">
            <h2>"No environments yet"</h2>
            <p class="muted">
                "Create one for each place your flags run, such as production and staging. Each gets a server-side and a client-side SDK key."
            </p>
            {if is_admin {
                view! {
                    <Show when=move || !creating.get()>
                        <button type="button" class="primary" on:click=move |_| creating.set(true)>
                            "Create your first environment"
                        </button>
                    </Show>
                }
                    .into_any()
            } else {
                view! { <p>"Ask an admin of this Imprint to create one."</p> }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// An environment's display name and first-load-safe fields.
pub(crate) fn name_of(env: &Option<EnvironmentView>) -> String {
    env.as_ref().map(|env| env.name.clone()).unwrap_or_default()
}
