//! Integrations (`/e/{env}/integrations`): the environment's sinks, where Imprint delivers
//! impressions (webhooks, S3, Amplitude, Segment, files), with each one's health refreshed
//! every few seconds; admins create, test, pause, replay and delete them and retry dead letters.

mod actions;
mod client;
mod dead_letters;
mod form;
mod health;
mod kinds;
mod model;
mod secret;

use std::time::Duration;

use imprint_types::{Role, SinkView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::form_error::FormError;
use crate::env::percent_decode;
use crate::session::use_session;
use actions::SinkActions;
use dead_letters::DeadLetters;
use form::CreateSinkForm;
use health::{SinkHeader, SinkHealth};
use secret::{NewSecret, RevealedSecret};

/// How often counts and statuses are read again.
const REFRESH: Duration = Duration::from_secs(2);

/// The environment's sinks as last read; `None` until the first answer.
type SinkList = RwSignal<Option<Vec<SinkView>>>;

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let params = use_params_map();
    let env = Memo::new(move |_| percent_decode(&params.read().get("env").unwrap_or_default()));
    let is_admin = use_session()
        .user()
        .is_some_and(|u| u.role.allows(Role::Admin));
    let sinks: SinkList = RwSignal::new(None);
    let load_error = RwSignal::new(None::<String>);
    let refresh = move || {
        let name = env.get_untracked();
        spawn_local(async move {
            match client::list_sinks(&name).await {
                Ok(list) => {
                    let _ = load_error.try_set(None);
                    let _ = sinks.try_set(Some(list));
                }
                Err(e) => {
                    let _ = load_error.try_set(Some(format!(
                        "The integrations could not be loaded. {}",
                        e.sentence()
                    )));
                }
            }
        });
    };
    // Effects run only in the browser: read now, then every REFRESH, for this environment.
    Effect::new(move |_| {
        env.track();
        sinks.set(None);
        refresh();
        if let Ok(handle) = set_interval_with_handle(refresh, REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    let form_open = RwSignal::new(false);
    let revealed = RwSignal::new(None::<NewSecret>);
    let on_created = move |sink: SinkView| {
        form_open.set(false);
        revealed.set(sink.secret.clone().map(|secret| NewSecret {
            sink: sink.name.clone(),
            secret,
        }));
        sinks.update(|list| list.get_or_insert_with(Vec::new).push(sink));
    };

    view! {
        <Title text="Integrations" />
        <div class="integrations-page">
            <header class="page-header">
                <div>
                    <h1>"Integrations"</h1>
                    <p class="muted">{move || format!(
                        "Where Imprint delivers the impressions of {}: webhooks, S3, Amplitude, Segment, files. \
                         Each integration reads what Imprint stored, at least once, and retries until the receiver accepts.",
                        env.get()
                    )}</p>
                </div>
                {is_admin.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| form_open.update(|o| *o = !*o)>
                        "New integration"
                    </button>
                })}
            </header>
            {move || revealed.get().map(|s| view! { <RevealedSecret secret=s on_done=move |_| revealed.set(None) /> })}
            <Show when=move || form_open.get()>
                <CreateSinkForm env=env on_created=on_created on_cancel=move |_| form_open.set(false) />
            </Show>
            <FormError error=load_error />
            <SinkCards env=env sinks=sinks is_admin=is_admin form_open=form_open />
        </div>
    }
    .into_any()
}

#[component]
fn SinkCards(
    env: Memo<String>,
    sinks: SinkList,
    is_admin: bool,
    form_open: RwSignal<bool>,
) -> impl IntoView {
    let ids = move || sinks.with(|l| l.iter().flatten().map(|s| s.id).collect::<Vec<_>>());
    // Only loading → empty → some redraws the list; refreshes update the cards inside it.
    let shape = Memo::new(move |_| sinks.with(|l| l.as_ref().map(Vec::is_empty)));
    move || {
        match shape.get() {
        None => view! { <p class="muted loading">"Loading integrations…"</p> }.into_any(),
        Some(true) => view! {
            <section class="panel admin-empty">
                <h2>"No integrations yet"</h2>
                <p class="muted">"An integration delivers every impression Imprint stores to a tool your team already uses, and keeps count of what it delivered."</p>
                {is_admin.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| form_open.set(true)>"Add an integration"</button>
                })}
            </section>
        }
        .into_any(),
        Some(false) => view! {
            <ul class="sink-list">
                // Keyed by id: a refresh updates each card in place, so open forms and
                // answers stay.
                <For each=ids key=|id| *id let:id>
                    <SinkCard env=env sinks=sinks id=id is_admin=is_admin />
                </For>
            </ul>
        }
        .into_any(),
    }
    }
}

#[component]
fn SinkCard(env: Memo<String>, sinks: SinkList, id: i64, is_admin: bool) -> impl IntoView {
    let sink = Memo::new(move |_| sinks.with(|l| l.iter().flatten().find(|s| s.id == id).cloned()));
    let field = move |read: fn(&SinkView) -> String| {
        Signal::derive(move || sink.with(|s| s.as_ref().map(read).unwrap_or_default()))
    };
    let name = field(|s| s.name.clone());
    let status = field(|s| s.status.clone());
    let paused = Signal::derive(move || status.get() == "paused");
    let dead_lettered =
        Signal::derive(move || sink.with(|s| s.as_ref().map_or(0, |s| s.dead_lettered)));
    let on_changed = move |view: SinkView| {
        sinks.update(|l| {
            if let Some(slot) = l.iter_mut().flatten().find(|s| s.id == view.id) {
                *slot = view;
            }
        });
    };
    let on_deleted =
        move |gone: i64| sinks.update(|l| l.iter_mut().for_each(|v| v.retain(|s| s.id != gone)));

    view! {
        <li class="panel sink" data-testid="sink" data-sink=move || name.get() data-status=move || status.get()>
            {move || sink.get().map(|s| view! { <SinkHeader sink=s.clone() /><SinkHealth sink=s /> })}
            {is_admin.then(|| view! {
                <SinkActions env=env id=id name=name paused=paused on_changed=on_changed on_deleted=on_deleted />
            })}
            <DeadLetters env=env id=id count=dead_lettered is_admin=is_admin />
        </li>
    }
    .into_any()
}
