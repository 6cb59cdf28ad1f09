//! Creating an environment, and the one time its SDK keys are shown.

use imprint_types::{CreateEnvironmentRequest, CreatedEnvironment};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::secret::SecretKey;
use super::RETENTION_HELP;
use crate::api;
use crate::env::{env_path, use_environments};

pub const DEFAULT_RETENTION_DAYS: i32 = 90;

/// The checks the API makes, so most mistakes are caught before a round trip.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the environment a name, such as production or staging.".into());
    }
    let valid = name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(name.to_owned())
    } else {
        Err("Names have 1 to 64 letters, digits, '-', '_' or '.' (no spaces).".into())
    }
}

pub fn check_retention(days: &str) -> Result<i32, String> {
    match days.trim().parse::<i32>() {
        Ok(days) if (1..=3650).contains(&days) => Ok(days),
        _ => Err("Retention is a whole number of days from 1 to 3650 (ten years).".into()),
    }
}

#[component]
pub fn CreateEnvironmentForm(
    open: RwSignal<bool>,
    created: RwSignal<Option<CreatedEnvironment>>,
) -> impl IntoView {
    let environments = use_environments();
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_RETENTION_DAYS.to_string());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let name_input = NodeRef::<html::Input>::new();

    // Focus the name when the form opens.
    Effect::new(move |_| {
        if open.get() {
            if let Some(input) = name_input.get() {
                let _ = input.focus();
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let checked = check_name(&name.get_untracked())
            .and_then(|name| check_retention(&days.get_untracked()).map(|days| (name, days)));
        let (name_value, retention_days) = match checked {
            Ok(values) => values,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            let body = CreateEnvironmentRequest {
                name: name_value,
                retention_days: Some(retention_days),
            };
            match api::post::<_, CreatedEnvironment>("/api/v1/environments", &body).await {
                Ok(env) => {
                    created.set(Some(env));
                    name.set(String::new());
                    days.set(DEFAULT_RETENTION_DAYS.to_string());
                    open.set(false);
                    environments.0.refetch();
                }
                Err(e) => error.set(Some(e.sentence())),
            }
            pending.set(false);
        });
    };

    view! {
        <Show when=move || open.get()>
            <section class="panel create-env" id="create-environment" aria-labelledby="create-environment-title">
                <h2 id="create-environment-title">"New environment"</h2>
                <form class="form-grid" on:submit=submit novalidate>
                    <div class="field">
                        <label for="env-name">"Name"</label>
                        <input
                            id="env-name"
                            node_ref=name_input
                            autocomplete="off"
                            spellcheck="false"
                            placeholder="e.g. production"
                            aria-describedby="env-name-help"
                            prop:value=name
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                        <p class="help" id="env-name-help">
                            "Letters, digits, '-', '_' or '.'. It appears in the console's addresses."
                        </p>
                    </div>
                    <div class="field narrow">
                        <label for="env-retention">"Retention (days)"</label>
                        <input
                            id="env-retention"
                            type="number"
                            inputmode="numeric"
                            min="1"
                            max="3650"
                            aria-describedby="env-retention-help"
                            prop:value=days
                            on:input=move |ev| days.set(event_target_value(&ev))
                        />
                        <p class="help" id="env-retention-help">{RETENTION_HELP}</p>
                    </div>
                    <Show when=move || error.get().is_some()>
                        <p class="form-error" role="alert">{move || error.get()}</p>
                    </Show>
                    <div class="form-actions">
                        <button type="button" class="secondary" on:click=move |_| {
                            error.set(None);
                            open.set(false);
                        }>"Cancel"</button>
                        <button type="submit" class="primary" disabled=move || pending.get()>
                            {move || if pending.get() { "Creating…" } else { "Create environment" }}
                        </button>
                    </div>
                </form>
            </section>
        </Show>
    }
    .into_any()
}

/// The keys of the environment just created: their only showing.
#[component]
pub fn CreatedEnvironmentBox(created: RwSignal<Option<CreatedEnvironment>>) -> impl IntoView {
    let heading = NodeRef::<html::H2>::new();
    // Move focus to the news, so keyboard and screen-reader users land on the keys.
    Effect::new(move |_| {
        if created.with(Option::is_some) {
            if let Some(heading) = heading.get() {
                let _ = heading.focus();
            }
        }
    });
    move || {
        created.get().map(|env| {
            view! {
                <section class="secret-box created-env" aria-labelledby="created-env-title">
                    <h2 id="created-env-title" tabindex="-1" node_ref=heading>
                        {format!("Environment {} is ready", env.name)}
                    </h2>
                    <p class="secret-warning">
                        <strong>"Copy its SDK keys now: they won't be shown again."</strong>
                        " Imprint keeps only a hash. If one is lost, add a new key and revoke the old one."
                    </p>
                    {env.sdk_keys.into_iter().map(|key| view! { <SecretKey key /> }).collect_view()}
                    <div class="form-actions">
                        <a class="button secondary" href=env_path(&env.name, "")>"Open its flags"</a>
                        <button type="button" class="primary" on:click=move |_| created.set(None)>
                            "I've copied the keys"
                        </button>
                    </div>
                </section>
            }
        })
    }
}
