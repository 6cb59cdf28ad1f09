//! Personal API tokens: made here, shown once, revoked after a confirmation.

use imprint_types::{CreateTokenRequest, CreatedToken, TokenSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::dialog::ConfirmDialog;
use crate::components::format::{date_time, parse_iso_ms};

fn when(iso: &str) -> String {
    parse_iso_ms(iso)
        .map(date_time)
        .unwrap_or_else(|| iso.to_owned())
}

#[component]
pub fn Tokens() -> impl IntoView {
    let tokens = LocalResource::new(|| api::get::<Vec<TokenSummary>>("/api/v1/tokens"));
    let new_name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<CreatedToken>);
    let error = RwSignal::new(None::<String>);
    let copied = RwSignal::new(None::<bool>);
    let pending = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);

    let revoke_open = RwSignal::new(false);
    let revoke_target = RwSignal::new(None::<TokenSummary>);
    let revoke_busy = RwSignal::new(false);
    let revoke_error = RwSignal::new(None::<String>);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked().trim().to_owned();
        if name.is_empty() {
            error.set(Some(
                "Give the token a name, so you know later what uses it.".into(),
            ));
            return;
        }
        if pending.get_untracked() {
            return;
        }
        error.set(None);
        notice.set(None);
        pending.set(true);
        spawn_local(async move {
            match api::post::<_, CreatedToken>(
                "/api/v1/tokens",
                &CreateTokenRequest {
                    name,
                    expires_in_days: None,
                    expires_at: None,
                },
            )
            .await
            {
                Ok(token) => {
                    created.set(Some(token));
                    copied.set(None);
                    new_name.set(String::new());
                    tokens.refetch();
                }
                Err(e) => error.set(Some(e.sentence())),
            }
            pending.set(false);
        });
    };

    let revoke = move |()| {
        let Some(token) = revoke_target.get_untracked() else {
            return;
        };
        revoke_busy.set(true);
        revoke_error.set(None);
        spawn_local(async move {
            match api::delete(&format!("/api/v1/tokens/{}", token.id)).await {
                Ok(()) => {
                    if created.with_untracked(|c| c.as_ref().is_some_and(|c| c.id == token.id)) {
                        created.set(None);
                    }
                    notice.set(Some(format!("The token {} is revoked.", token.name)));
                    revoke_open.set(false);
                    tokens.refetch();
                }
                Err(e) => revoke_error.set(Some(e.sentence())),
            }
            revoke_busy.set(false);
        });
    };

    let copy = move |_| {
        if let Some(token) = created.get_untracked() {
            spawn_local(
                async move { copied.set(Some(api::copy_to_clipboard(&token.token).await)) },
            );
        }
    };

    view! {
        <section class="panel" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"Personal API tokens"</h2>
            <p class="muted">
                "Use a token as " <code>"Authorization: Bearer <token>"</code>
                " on any /api/v1 endpoint. It acts with your role. Imprint keeps only a hash: copy it when it is shown."
            </p>
            <form class="inline-form" on:submit=create>
                <label for="token-name">"Token name"</label>
                <input
                    id="token-name"
                    placeholder="e.g. nightly export"
                    autocomplete="off"
                    prop:value=new_name
                    on:input=move |ev| new_name.set(event_target_value(&ev))
                />
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create token" }}
                </button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <Show when=move || notice.get().is_some()>
                <p class="notice ok" role="status">{move || notice.get()}</p>
            </Show>
            {move || created.get().map(|token| view! {
                <div class="secret-box" role="status">
                    <p class="secret-warning">
                        "New token " <strong>{token.name.clone()}</strong>
                        ". " <strong>"Copy it now: it won't be shown again."</strong>
                    </p>
                    <div class="secret-row">
                        <code data-testid="new-token">{token.token.clone()}</code>
                        <button type="button" class="secondary small" aria-label="Copy token" on:click=copy>
                            {move || if copied.get() == Some(true) { "Copied ✓" } else { "Copy" }}
                        </button>
                        <button type="button" class="ghost small" on:click=move |_| created.set(None)>
                            "Done"
                        </button>
                    </div>
                    <Show when=move || copied.get() == Some(false)>
                        <p class="form-error" role="alert">
                            "The browser did not allow copying: select the token and copy it yourself."
                        </p>
                    </Show>
                </div>
            })}
            {move || match tokens.get() {
                None => view! { <p class="muted loading">"Loading tokens…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="form-error" role="alert">"Could not load your tokens: " {e.sentence()}</p>
                }
                    .into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted empty">"No tokens yet."</p>
                }
                    .into_any(),
                Some(Ok(list)) => view! {
                    <table class="table stack-on-phone">
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Created"</th>
                                <th scope="col">"Last used"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {list
                                .into_iter()
                                .map(|t| {
                                    let label = format!("Revoke token {}", t.name);
                                    let target = t.clone();
                                    view! {
                                        <tr>
                                            <td data-label="Name">{t.name.clone()}</td>
                                            <td data-label="Created">{when(&t.created_at)}</td>
                                            <td data-label="Last used">
                                                {t.last_used_at.as_deref().map(when).unwrap_or_else(|| "Never".into())}
                                            </td>
                                            <td class="actions">
                                                <button
                                                    type="button"
                                                    class="danger small"
                                                    aria-label=label
                                                    on:click=move |_| {
                                                        revoke_error.set(None);
                                                        revoke_target.set(Some(target.clone()));
                                                        revoke_open.set(true);
                                                    }
                                                >
                                                    "Revoke"
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any(),
            }}
            <ConfirmDialog
                open=revoke_open
                id="revoke-token"
                title=Signal::derive(move || {
                    revoke_target.get().map(|t| format!("Revoke the token {}?", t.name)).unwrap_or_default()
                })
                message="Anything using it is refused from its next request. This cannot be undone."
                confirm_label="Revoke token"
                busy_label="Revoking…"
                on_confirm=Callback::new(revoke)
                busy=revoke_busy
                error=revoke_error
                danger=true
            />
        </section>
    }
    .into_any()
}
