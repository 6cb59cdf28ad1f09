//! An environment's settings dialog: name, retention, and the web origins its SDK keys may be
//! used from.

use imprint_types::{EnvironmentView, RetentionView, UpdateEnvironmentRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::card::when;
use super::create::{check_name, check_retention};
use super::RETENTION_HELP;
use crate::api;
use crate::components::dialog::Dialog;
use crate::components::format::grouped;
use crate::env::use_environments;

/// The origins typed one per line (or separated by commas or spaces), without blanks.
fn origins_from_text(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a change of settings did, in a sentence for the card's notice.
fn saved_news(current: &str, body: &UpdateEnvironmentRequest, updated: &EnvironmentView) -> String {
    let mut parts = Vec::new();
    if body.name.is_some() {
        parts.push(format!("Renamed {current} to {}.", updated.name));
    }
    if body.retention_days.is_some() {
        parts.push(format!(
            "Retention is now {} days: older impressions and events are deleted.",
            updated.retention_days
        ));
    }
    if body.allowed_origins.is_some() {
        parts.push(if updated.allowed_origins.is_empty() {
            "Web pages of any origin may use the SDK keys.".to_owned()
        } else {
            format!(
                "Only {} may use the SDK keys from a browser.",
                updated.allowed_origins.join(", ")
            )
        });
    }
    parts.join(" ")
}

/// Rename, retention and allowed origins.
#[component]
pub fn SettingsDialog(
    #[prop(into)] id: String,
    open: RwSignal<bool>,
    name: Memo<String>,
    retention: Memo<Option<i32>>,
    origins: Memo<Vec<String>>,
    on_saved: Callback<String>,
) -> impl IntoView {
    let environments = use_environments();
    let name_value = RwSignal::new(String::new());
    let days_value = RwSignal::new(String::new());
    let origins_value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // How long hourly counts stay, and the last purge: read when the dialog opens. Without
    // them the help says the same in general words.
    let retention_info = LocalResource::new(move || {
        let wanted = open.get();
        let env_name = name.get();
        async move {
            if !wanted {
                return None;
            }
            let path = format!("/api/v1/environments/{env_name}/retention");
            api::get::<RetentionView>(&path).await.ok()
        }
    });

    // Start from the current values each time the dialog opens.
    Effect::new(move |_| {
        if open.get() {
            name_value.set(name.get_untracked());
            days_value.set(
                retention
                    .get_untracked()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            );
            origins_value.set(origins.get_untracked().join("\n"));
            error.set(None);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let current = name.get_untracked();
        let checked = check_name(&name_value.get_untracked())
            .and_then(|n| check_retention(&days_value.get_untracked()).map(|d| (n, d)));
        let (new_name, new_days) = match checked {
            Ok(values) => values,
            Err(message) => {
                error.set(Some(message));
                return;
            }
        };
        let new_origins = origins_from_text(&origins_value.get_untracked());
        let body = UpdateEnvironmentRequest {
            name: (new_name != current).then(|| new_name.clone()),
            retention_days: (Some(new_days) != retention.get_untracked()).then_some(new_days),
            allowed_origins: (new_origins != origins.get_untracked()).then_some(new_origins),
        };
        if body.name.is_none() && body.retention_days.is_none() && body.allowed_origins.is_none() {
            open.set(false);
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let path = format!("/api/v1/environments/{current}");
            match api::patch::<_, EnvironmentView>(&path, &body).await {
                Ok(updated) => {
                    on_saved.run(saved_news(&current, &body, &updated));
                    environments.0.refetch();
                    busy.set(false);
                    open.set(false);
                }
                Err(e) => {
                    error.set(Some(e.sentence()));
                    busy.set(false);
                }
            }
        });
    };

    let name_id = format!("{id}-name");
    let days_id = format!("{id}-days");
    let days_help = format!("{id}-days-help");
    let name_help = format!("{id}-name-help");
    let origins_id = format!("{id}-origins");
    let origins_help = format!("{id}-origins-help");
    view! {
        <Dialog
            open
            id=id
            title=Signal::derive(move || format!("Settings of {}", name.get()))
            busy
            wide=true
        >
            <form class="dialog-form" on:submit=submit novalidate>
                <label for=name_id.clone()>"Name"</label>
                <input
                    id=name_id
                    autofocus
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=name_help.clone()
                    prop:value=name_value
                    on:input=move |ev| name_value.set(event_target_value(&ev))
                />
                <p class="help" id=name_help>
                    "SDK keys keep working after a rename; links to the old name stop working."
                </p>
                <label for=days_id.clone()>"Retention (days)"</label>
                <input
                    id=days_id
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max="3650"
                    class="narrow-input"
                    aria-describedby=days_help.clone()
                    prop:value=days_value
                    on:input=move |ev| days_value.set(event_target_value(&ev))
                />
                <p class="help" id=days_help>
                    {move || match retention_info.get().flatten() {
                        Some(info) => format!(
                            "Impressions and events older than this are deleted. Hourly counts are kept {} days, so charts still show older traffic. From 1 to 3650 days.",
                            info.counts_retention_days
                        ),
                        None => format!("{RETENTION_HELP} From 1 to 3650 days."),
                    }}
                </p>
                {move || {
                    retention_info
                        .get()
                        .flatten()
                        .and_then(|info| info.last_run)
                        .map(|run| view! {
                            <p class="help last-purge">
                                {format!(
                                    "Last purge {}: {} impressions and {} events removed.",
                                    when(&run.finished_at),
                                    grouped(run.impressions_deleted),
                                    grouped(run.events_deleted),
                                )}
                            </p>
                        })
                }}
                <label for=origins_id.clone()>"Allowed web origins"</label>
                <textarea
                    id=origins_id
                    rows="3"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder="https://shop.example.com"
                    aria-describedby=origins_help.clone()
                    prop:value=origins_value
                    on:input=move |ev| origins_value.set(event_target_value(&ev))
                ></textarea>
                <p class="help" id=origins_help>
                    "Web pages that may use this environment's SDK keys, one origin per line. "
                    "Leave it empty to allow any page: client-side keys are public anyway. Server-side SDKs are not affected."
                </p>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
                <div class="dialog-actions">
                    <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| open.set(false)>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Save changes" }}
                    </button>
                </div>
            </form>
        </Dialog>
    }
    .into_any()
}
