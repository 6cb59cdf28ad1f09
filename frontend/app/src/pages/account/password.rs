//! Changing one's own password (`POST /api/v1/me/password`).

use imprint_types::ChangePasswordRequest;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;

const MIN_PASSWORD_CHARS: usize = 10;

#[component]
pub fn ChangePassword() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let show = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let pending = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        done.set(false);
        let body = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let problem = if body.current_password.is_empty() {
            Some("Enter your current password.".to_owned())
        } else if body.new_password.chars().count() < MIN_PASSWORD_CHARS {
            Some(format!(
                "The new password needs at least {MIN_PASSWORD_CHARS} characters."
            ))
        } else if body.new_password != repeat.get_untracked() {
            Some("The two new passwords differ: type the same one twice.".to_owned())
        } else if body.new_password == body.current_password {
            Some("The new password is the same as the current one.".to_owned())
        } else {
            None
        };
        if let Some(problem) = problem {
            error.set(Some(problem));
            return;
        }
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            match api::post::<_, serde_json::Value>("/api/v1/me/password", &body).await {
                Ok(_) => {
                    current.set(String::new());
                    new.set(String::new());
                    repeat.set(String::new());
                    done.set(true);
                }
                Err(e) => error.set(Some(e.sentence())),
            }
            pending.set(false);
        });
    };

    let kind = move || if show.get() { "text" } else { "password" };
    let username = crate::session::use_session()
        .user()
        .map(|u| u.email.clone())
        .unwrap_or_default();
    view! {
        <section class="panel" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <p class="muted">
                "Changing it signs you out of your other sessions; this one stays signed in."
            </p>
            <form class="form-grid password-form" on:submit=submit novalidate>
                // Lets password managers file the new password under the right account.
                <input type="email" hidden readonly autocomplete="username" value=username />
                <div class="field">
                    <label for="current-password">"Current password"</label>
                    <input
                        id="current-password"
                        type=kind
                        autocomplete="current-password"
                        prop:value=current
                        on:input=move |ev| current.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="new-password">"New password"</label>
                    <input
                        id="new-password"
                        type=kind
                        autocomplete="new-password"
                        aria-describedby="new-password-help"
                        prop:value=new
                        on:input=move |ev| new.set(event_target_value(&ev))
                    />
                    <p class="help" id="new-password-help">
                        {format!("At least {MIN_PASSWORD_CHARS} characters; a few unrelated words make a good one.")}
                    </p>
                </div>
                <div class="field">
                    <label for="repeat-password">"Repeat the new password"</label>
                    <input
                        id="repeat-password"
                        type=kind
                        autocomplete="new-password"
                        prop:value=repeat
                        on:input=move |ev| repeat.set(event_target_value(&ev))
                    />
                </div>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=show on:change=move |ev| show.set(event_target_checked(&ev)) />
                    "Show passwords"
                </label>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
                <Show when=move || done.get()>
                    <p class="notice ok" role="status">
                        "Your password is changed. Your other sessions were signed out."
                    </p>
                </Show>
                <div class="form-actions start">
                    <button type="submit" class="primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Changing…" } else { "Change password" }}
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}
