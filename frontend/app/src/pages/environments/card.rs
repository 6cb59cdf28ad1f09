//! One environment: its settings, usage and SDK keys.

use imprint_types::{CreateSdkKeyRequest, EnvironmentView, NewSdkKey, SdkKeyKind, SdkKeySummary};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::name_of;
use super::secret::{kind_label, masked, Revealed, SecretKey};
use super::settings::SettingsDialog;
use super::usage::Usage;
use crate::api;
use crate::components::dialog::ConfirmDialog;
use crate::components::format::{date_time, parse_iso_ms};
use crate::env::{env_path, use_environments};

/// "Mar 4, 2025, 14:05" in the browser's time zone.
pub fn when(iso: &str) -> String {
    parse_iso_ms(iso)
        .map(date_time)
        .unwrap_or_else(|| iso.to_owned())
}

#[component]
pub fn EnvironmentCard(
    env: Signal<Option<EnvironmentView>>,
    is_admin: bool,
    revealed: RwSignal<Vec<Revealed>>,
) -> impl IntoView {
    let environments = use_environments();
    let id = env.with_untracked(|env| env.as_ref().map(|env| env.id).unwrap_or_default());
    let name = Memo::new(move |_| env.with(name_of));
    let retention = Memo::new(move |_| env.with(|env| env.as_ref().map(|env| env.retention_days)));
    let origins = Memo::new(move |_| {
        env.with(|env| {
            env.as_ref()
                .map(|env| env.allowed_origins.clone())
                .unwrap_or_default()
        })
    });
    let created_at = Memo::new(move |_| {
        env.with(|env| {
            env.as_ref()
                .map(|env| when(&env.created_at))
                .unwrap_or_default()
        })
    });
    let keys = Memo::new(move |_| {
        env.with(|env| {
            env.as_ref()
                .map(|env| env.sdk_keys.clone())
                .unwrap_or_default()
        })
    });

    let notice = RwSignal::new(None::<String>);
    let key_error = RwSignal::new(None::<String>);
    let adding = RwSignal::new(None::<SdkKeyKind>);
    let settings_open = RwSignal::new(false);
    let revoke_open = RwSignal::new(false);
    let revoke_target = RwSignal::new(None::<SdkKeySummary>);
    let revoke_busy = RwSignal::new(false);
    let revoke_error = RwSignal::new(None::<String>);

    let add_key = move |kind: SdkKeyKind| {
        if adding.get_untracked().is_some() {
            return;
        }
        adding.set(Some(kind));
        key_error.set(None);
        notice.set(None);
        let env_name = name.get_untracked();
        spawn_local(async move {
            let path = format!("/api/v1/environments/{env_name}/keys");
            match api::post::<_, NewSdkKey>(&path, &CreateSdkKeyRequest { kind }).await {
                Ok(key) => {
                    revealed.update(|list| list.push(Revealed { env_id: id, key }));
                    environments.0.refetch();
                }
                Err(e) => key_error.set(Some(format!("Could not add the key: {}", e.sentence()))),
            }
            adding.set(None);
        });
    };

    let ask_revoke = move |key: SdkKeySummary| {
        revoke_error.set(None);
        revoke_target.set(Some(key));
        revoke_open.set(true);
    };
    let revoke = move |()| {
        let Some(key) = revoke_target.get_untracked() else {
            return;
        };
        revoke_busy.set(true);
        revoke_error.set(None);
        let env_name = name.get_untracked();
        spawn_local(async move {
            let path = format!("/api/v1/environments/{env_name}/keys/{}", key.id);
            match api::delete(&path).await {
                Ok(()) => {
                    revealed.update(|list| list.retain(|r| r.key.id != key.id));
                    notice.set(Some(format!(
                        "The {} key {} is revoked.",
                        key.kind.as_str(),
                        masked(key.kind, &key.hint)
                    )));
                    revoke_open.set(false);
                    environments.0.refetch();
                }
                Err(e) => revoke_error.set(Some(e.sentence())),
            }
            revoke_busy.set(false);
        });
    };
    let revoke_message = Signal::derive(move || {
        let Some(key) = revoke_target.get() else {
            return String::new();
        };
        let others = keys.with(|keys| {
            keys.iter()
                .filter(|k| k.kind == key.kind && k.id != key.id)
                .count()
        });
        let mut message = format!(
            "SDKs using the {} key {} will be refused from their next request. This cannot be undone.",
            key.kind.as_str(),
            masked(key.kind, &key.hint),
        );
        if others == 0 {
            message.push_str(&format!(
                " It is the only {} key of {}: add a new one first if SDKs still need one.",
                key.kind.as_str(),
                name.get()
            ));
        }
        message
    });

    let heading_id = format!("env-{id}");
    let labelled_by = heading_id.clone();
    let mine = move || {
        revealed.with(|list| {
            list.iter()
                .filter(|r| r.env_id == id)
                .cloned()
                .collect::<Vec<_>>()
        })
    };

    view! {
        <article class="panel env-card" aria-labelledby=labelled_by data-environment=move || name.get()>
            <header class="env-card-header">
                <div class="env-card-title">
                    <h2 id=heading_id>{move || name.get()}</h2>
                    <p class="muted env-meta">
                        <span>"Created " {move || created_at.get()}</span>
                        <span class="retention" data-testid="retention">
                            {move || retention.get().map(|days| format!("Keeps impressions and events {days} days"))}
                        </span>
                        <span class="origins" data-testid="origins">
                            {move || origins.with(|list| if list.is_empty() {
                                "SDK keys work from any web page".to_owned()
                            } else {
                                format!("SDK keys work only from {}", list.join(", "))
                            })}
                        </span>
                    </p>
                </div>
                <div class="env-card-actions">
                    <a
                        class="button secondary"
                        href=move || env_path(&name.get(), "")
                        aria-label=move || format!("Open flags of {}", name.get())
                    >
                        "Open flags"
                    </a>
                    {is_admin.then(|| view! {
                        <button
                            type="button"
                            class="secondary"
                            aria-label=move || format!("Settings of {}", name.get())
                            on:click=move |_| settings_open.set(true)
                        >
                            "Settings"
                        </button>
                    })}
                </div>
            </header>
            <Show when=move || notice.get().is_some()>
                <p class="notice ok" role="status">
                    {move || notice.get()}
                    <button type="button" class="ghost small" aria-label="Dismiss" on:click=move |_| notice.set(None)>"×"</button>
                </p>
            </Show>
            <Usage name=name />
            <section class="env-keys" aria-labelledby=format!("env-{id}-keys")>
                <h3 id=format!("env-{id}-keys")>"SDK keys"</h3>
                {move || {
                    mine()
                        .into_iter()
                        .map(|r| {
                            let key_id = r.key.id;
                            view! {
                                <div class="secret-box new-key" role="status">
                                    <p class="secret-warning">
                                        <strong>"New key: copy it now, it won't be shown again."</strong>
                                    </p>
                                    <SecretKey key=r.key />
                                    <button
                                        type="button"
                                        class="secondary small"
                                        on:click=move |_| revealed.update(|list| list.retain(|r| r.key.id != key_id))
                                    >
                                        "I've copied it"
                                    </button>
                                </div>
                            }
                        })
                        .collect_view()
                }}
                <KeyTable keys is_admin on_revoke=Callback::new(ask_revoke) />
                <Show when=move || key_error.get().is_some()>
                    <p class="form-error" role="alert">{move || key_error.get()}</p>
                </Show>
                {is_admin.then(|| view! {
                    <div class="key-actions">
                        {[SdkKeyKind::Server, SdkKeyKind::Client].into_iter().map(|kind| view! {
                            <button
                                type="button"
                                class="secondary small"
                                disabled=move || adding.get().is_some()
                                on:click=move |_| add_key(kind)
                            >
                                {move || if adding.get() == Some(kind) {
                                    "Adding…".to_owned()
                                } else {
                                    format!("Add {} key", kind.as_str())
                                }}
                            </button>
                        }).collect_view()}
                        <p class="help">"To rotate a key: add a new one, deploy it, then revoke the old one."</p>
                    </div>
                })}
            </section>
            {is_admin.then(|| view! {
                <SettingsDialog
                    id=format!("env-{id}-settings")
                    open=settings_open
                    name
                    retention
                    origins
                    on_saved=Callback::new(move |message: String| notice.set(Some(message)))
                />
                <ConfirmDialog
                    open=revoke_open
                    id=format!("env-{id}-revoke")
                    title=Signal::derive(move || {
                        revoke_target
                            .get()
                            .map(|key| format!("Revoke the {} key?", key.kind.as_str()))
                            .unwrap_or_default()
                    })
                    message=revoke_message
                    confirm_label="Revoke key"
                    busy_label="Revoking…"
                    on_confirm=Callback::new(revoke)
                    busy=revoke_busy
                    error=revoke_error
                    danger=true
                />
            })}
        </article>
    }
    .into_any()
}

#[component]
fn KeyTable(
    keys: Memo<Vec<SdkKeySummary>>,
    is_admin: bool,
    on_revoke: Callback<SdkKeySummary>,
) -> impl IntoView {
    move || {
        let keys = keys.get();
        if keys.is_empty() {
            return view! {
                <p class="muted empty">"No live keys: SDKs cannot reach this environment."</p>
            }
            .into_any();
        }
        view! {
            <table class="table keys-table">
                <thead>
                    <tr>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Key"</th>
                        <th scope="col">"Created"</th>
                        {is_admin.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {keys
                        .into_iter()
                        .map(|key| {
                            let shown = masked(key.kind, &key.hint);
                            let label = format!("Revoke {} key {}", key.kind.as_str(), shown);
                            view! {
                                <tr>
                                    <td data-label="Kind">
                                        <span class=format!("kind-badge kind-{}", key.kind.as_str())>
                                            {kind_label(key.kind)}
                                        </span>
                                    </td>
                                    <td data-label="Key"><code class="key-hint">{shown}</code></td>
                                    <td data-label="Created">{when(&key.created_at)}</td>
                                    {is_admin.then(|| view! {
                                        <td class="actions">
                                            <button
                                                type="button"
                                                class="danger small"
                                                aria-label=label
                                                on:click=move |_| on_revoke.run(key.clone())
                                            >
                                                "Revoke"
                                            </button>
                                        </td>
                                    })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    }
}
