//! Alerts (`/e/{env}/alerts`): alerts firing now, then those resolved, and the policies that
//! fire them. A policy watches one metric, on one flag or every flag, and fires when a
//! treatment is significantly worse than the baseline by more than its threshold (an
//! always-valid sequential test, since the same data is checked again and again).

mod alert_list;
pub mod client;
mod model;
mod policies;
mod policy_form;
mod secret;

use std::time::Duration;

use imprint_types::{AlertView, CreatedAlertPolicy, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::form_error::FormError;
use crate::env::{env_path, percent_decode};
use crate::pages::metrics::client::list_metrics;
use crate::session::use_session;
use alert_list::AlertList;
use policies::PolicyTable;
use policy_form::CreatePolicyForm;
use secret::PolicySecret;

/// How often alerts are read again: the alerts actor evaluates policies on its own schedule.
const REFRESH: Duration = Duration::from_secs(10);

#[component]
pub fn AlertsPage() -> impl IntoView {
    let params = use_params_map();
    let env = Memo::new(move |_| percent_decode(&params.read().get("env").unwrap_or_default()));
    let can_edit = use_session()
        .user()
        .is_some_and(|u| u.role.allows(Role::Editor));
    let alerts = LocalResource::new(move || {
        let env = env.get();
        async move { client::list_alerts(&env, None, None).await }
    });
    let policies = LocalResource::new(move || {
        let env = env.get();
        async move { client::list_policies(&env).await }
    });
    let metrics = LocalResource::new(move || {
        let env = env.get();
        async move { list_metrics(&env).await }
    });
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || alerts.refetch(), REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    let reload = move || {
        alerts.refetch();
        policies.refetch();
    };
    let form_open = RwSignal::new(false);
    let secret = RwSignal::new(None::<String>);
    let on_created = move |created: CreatedAlertPolicy| {
        form_open.set(false);
        secret.set(created.webhook_secret);
        reload();
    };

    view! {
        <Title text="Alerts" />
        <div class="alerts-page">
            <header class="page-header">
                <div>
                    <h1>"Alerts"</h1>
                    <p class="muted">{move || format!(
                        "When a treatment of a flag in {} makes a metric significantly worse than its baseline. \
                         Alerts resolve by themselves when the difference clears.",
                        env.get()
                    )}</p>
                </div>
                {can_edit.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| form_open.update(|o| *o = !*o)>"New policy"</button>
                })}
            </header>
            {move || secret.get().map(|s| view! { <PolicySecret secret=s on_done=move |_| secret.set(None) /> })}
            <Show when=move || form_open.get()>
                {move || match metrics.get() {
                    None => view! { <p class="muted loading">"Loading metrics…"</p> }.into_any(),
                    Some(Ok(list)) if !list.is_empty() => view! {
                        <CreatePolicyForm env=env metrics=list on_created=on_created on_cancel=move |_| form_open.set(false) />
                    }.into_any(),
                    Some(Ok(_)) => view! {
                        <p class="callout">"A policy watches a metric. "
                            <a href=move || env_path(&env.get(), "/metrics")>"Create a metric first"</a>"."</p>
                    }.into_any(),
                    Some(Err(e)) => view! {
                        <FormError error=Some(format!("The metrics could not be loaded. {}", e.sentence())) />
                    }.into_any(),
                }}
            </Show>
            <section class="panel" aria-labelledby="alerts-title">
                <div class="section-head">
                    <h2 id="alerts-title">"Alerts"</h2>
                    <button type="button" class="secondary small" on:click=move |_| alerts.refetch()>"Refresh"</button>
                </div>
                {move || match alerts.get() {
                    None => view! { <p class="muted loading">"Loading alerts…"</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <FormError error=Some(format!("The alerts could not be loaded. {}", e.sentence())) />
                    }.into_any(),
                    Some(Ok(list)) => view! { <Alerts env=env list=list /> }.into_any(),
                }}
            </section>
            <section class="panel" aria-labelledby="policies-title">
                <h2 id="policies-title">"Policies"</h2>
                {move || match policies.get() {
                    None => view! { <p class="muted loading">"Loading policies…"</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <FormError error=Some(format!("The policies could not be loaded. {}", e.sentence())) />
                    }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <p class="muted empty">"No policies yet: nothing is watched. A policy names a metric, optionally a flag, and how much worse a treatment may be."</p>
                    }.into_any(),
                    Some(Ok(list)) => view! {
                        <PolicyTable env=env policies=list can_edit=can_edit on_changed=move |_| reload()
                            on_evaluated=move |_| alerts.refetch() />
                    }.into_any(),
                }}
            </section>
        </div>
    }
    .into_any()
}

/// Firing alerts first, then resolved ones; each group newest first, as the API sends them.
#[component]
fn Alerts(env: Memo<String>, list: Vec<AlertView>) -> impl IntoView {
    let (firing, resolved): (Vec<_>, Vec<_>) = list.into_iter().partition(|a| a.status == "firing");
    view! {
        <h3 class="alerts-group">{format!("Firing ({})", firing.len())}</h3>
        <AlertList env=env alerts=firing empty="Nothing is firing." />
        <h3 class="alerts-group">{format!("Resolved ({})", resolved.len())}</h3>
        <AlertList env=env alerts=resolved empty="No alert has resolved yet." />
    }
    .into_any()
}
