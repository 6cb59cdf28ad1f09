//! The landing page after sign-in: the environments, each a way into its flags.

use imprint_types::{EnvironmentView, Role, SdkKeyKind, UsageView};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api;
use crate::components::demo_notice::DemoNotice;
use crate::components::format::grouped;
use crate::env::{env_path, use_environments};
use crate::session::use_session;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let is_admin = session.user().is_some_and(|u| u.role.allows(Role::Admin));
    let name = session
        .user()
        .map(|user| user.email.split('@').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let environments = use_environments();

    view! {
        <Title text="Overview" />
        <header class="page-header">
            <div>
                <h1>"Welcome, " {name}</h1>
                <p class="muted">
                    "Every time an SDK evaluates a flag it records an impression: who, which flag, which treatment and why."
                </p>
            </div>
        </header>
        <DemoNotice />
        <section aria-labelledby="overview-environments">
            <div class="section-header">
                <h2 id="overview-environments">"Environments"</h2>
                <a href="/environments">"Manage environments"</a>
            </div>
            {move || match environments.0.get() {
                None => view! { <p class="muted loading">"Loading environments…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="form-error" role="alert">"Could not load the environments: " {e.sentence()}</p>
                }
                    .into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <GettingStarted is_admin /> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="cards env-cards" role="list">
                        {list.into_iter().map(|env| view! { <EnvironmentTile env /> }).collect_view()}
                    </ul>
                }
                    .into_any(),
            }}
        </section>
    }
    .into_any()
}

#[component]
fn EnvironmentTile(env: EnvironmentView) -> impl IntoView {
    let name = env.name.clone();
    let usage = LocalResource::new(move || {
        let path = format!("/api/v1/environments/{name}/usage");
        async move { api::get::<UsageView>(&path).await }
    });
    let servers = env
        .sdk_keys
        .iter()
        .filter(|k| k.kind == SdkKeyKind::Server)
        .count();
    let clients = env.sdk_keys.len() - servers;
    let keys = match (servers, clients) {
        (0, 0) => "No SDK keys".to_owned(),
        (s, c) => format!(
            "{s} server key{}, {c} client key{}",
            if s == 1 { "" } else { "s" },
            if c == 1 { "" } else { "s" }
        ),
    };
    view! {
        <li class="card env-tile">
            <h3>
                <a class="stretched" href=env_path(&env.name, "")>{env.name.clone()}</a>
            </h3>
            <p class="muted">{keys} " · " {format!("{} days of raw data", env.retention_days)}</p>
            <p class="tile-usage">
                {move || match usage.get() {
                    Some(Ok(u)) => view! {
                        <span><strong>{grouped(u.impressions_stored)}</strong> " impressions"</span>
                        <span><strong>{grouped(u.unique_keys_this_month)}</strong> " unique keys"</span>
                        <span class="muted">"this month"</span>
                    }
                        .into_any(),
                    Some(Err(e)) => view! {
                        <span class="muted">"Usage unavailable: " {e.sentence()}</span>
                    }
                        .into_any(),
                    None => view! { <span class="muted">"Loading usage…"</span> }.into_any(),
                }}
            </p>
            <span class="tile-cta" aria-hidden="true">"Open flags →"</span>
        </li>
    }
    .into_any()
}

#[component]
fn GettingStarted(is_admin: bool) -> impl IntoView {
    view! {
        <div class="panel admin-empty">
            <h3>"No environments yet"</h3>
            <p class="muted">
                "An environment is where your flags run, such as production or staging. Each has its own SDK keys, flags, tracking toggles and retention."
            </p>
            {if is_admin {
                view! { <a class="button primary" href="/environments?new=1">"Create your first environment"</a> }.into_any()
            } else {
                view! { <p>"Ask an admin of this Imprint to create one."</p> }.into_any()
            }}
        </div>
        <ol class="cards steps">
            <li class="card">
                <h3>"1 · Create an environment"</h3>
                <p>"It comes with a server-side and a client-side SDK key."</p>
            </li>
            <li class="card">
                <h3>"2 · Point an SDK here"</h3>
                <p>"Unmodified Split SDKs work against Imprint: set their URLs to this server."</p>
            </li>
            <li class="card">
                <h3>"3 · Watch impressions arrive"</h3>
                <p>"Follow traffic per treatment, tail impressions live and export them."</p>
            </li>
        </ol>
    }
    .into_any()
}
