use imprint_types::{CreateTokenRequest, CreatedToken, TokenSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::api;
use crate::session::use_session;

/// The signed-in user's account: who they are and their personal API tokens.
#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let tokens = LocalResource::new(|| api::get::<Vec<TokenSummary>>("/api/v1/tokens"));
    let new_name = RwSignal::new(String::new());
    let created = RwSignal::new(None::<CreatedToken>);
    let error = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = new_name.get_untracked().trim().to_owned();
        if name.is_empty() {
            error.set(Some(
                "Give the token a name, so you know later what uses it.".into(),
            ));
            return;
        }
        error.set(None);
        spawn_local(async move {
            match api::post::<_, CreatedToken>("/api/v1/tokens", &CreateTokenRequest { name }).await
            {
                Ok(token) => {
                    created.set(Some(token));
                    copied.set(false);
                    new_name.set(String::new());
                    tokens.refetch();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };

    let revoke = move |id: i64| {
        spawn_local(async move {
            match api::delete(&format!("/api/v1/tokens/{id}")).await {
                Ok(()) => tokens.refetch(),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };

    let copy = move |_| {
        if let Some(token) = created.get_untracked() {
            spawn_local(async move { copied.set(api::copy_to_clipboard(&token.token).await) });
        }
    };

    view! {
        <Title text="Account" />
        <header class="page-header">
            <div>
                <h1>"Account"</h1>
                <p class="muted">
                    {session.user().map(|u| format!("Signed in as {} ({})", u.email, u.role))}
                </p>
            </div>
        </header>
        <section class="panel">
            <h2>"Personal API tokens"</h2>
            <p class="muted">
                "Use a token as " <code>"Authorization: Bearer <token>"</code>
                " on any /api/v1 endpoint. It acts with your role. Imprint keeps only a hash: copy it now."
            </p>
            <form class="inline-form" on:submit=create>
                <label for="token-name">"Token name"</label>
                <input
                    id="token-name"
                    placeholder="e.g. nightly export"
                    prop:value=new_name
                    on:input=move |ev| new_name.set(event_target_value(&ev))
                />
                <button type="submit" class="primary">"Create token"</button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            {move || created.get().map(|token| view! {
                <div class="secret-box" role="status">
                    <p>"New token " <strong>{token.name.clone()}</strong> ". It will not be shown again:"</p>
                    <div class="secret-row">
                        <code data-testid="new-token">{token.token.clone()}</code>
                        <button type="button" class="secondary" on:click=copy>
                            {move || if copied.get() { "Copied" } else { "Copy" }}
                        </button>
                    </div>
                </div>
            })}
            <Suspense fallback=|| view! { <p class="muted">"Loading tokens…"</p> }>
                {move || tokens.get().map(|result| match result {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="muted empty">"No tokens yet."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr><th>"Name"</th><th>"Created"</th><th>"Last used"</th><th></th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|t| {
                                    let id = t.id;
                                    view! {
                                        <tr>
                                            <td>{t.name.clone()}</td>
                                            <td>{t.created_at.clone()}</td>
                                            <td>{t.last_used_at.clone().unwrap_or_else(|| "never".into())}</td>
                                            <td class="actions">
                                                <button
                                                    type="button"
                                                    class="danger small"
                                                    aria-label=format!("Revoke token {}", t.name)
                                                    on:click=move |_| revoke(id)
                                                >"Revoke"</button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
