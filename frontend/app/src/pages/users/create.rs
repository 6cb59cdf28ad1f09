//! Adding a console user (`POST /api/v1/users`).

use imprint_types::{CreateUserRequest, Role, UserView};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::actions::MIN_PASSWORD_CHARS;
use super::{role_help, role_title};
use crate::api;

#[component]
pub fn AddUserForm(open: RwSignal<bool>, on_done: Callback<String>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);
    let role = RwSignal::new(Role::Viewer);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let email_input = NodeRef::<html::Input>::new();

    Effect::new(move |_| {
        if open.get() {
            if let Some(input) = email_input.get() {
                let _ = input.focus();
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let body = CreateUserRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            role: role.get_untracked(),
        };
        if !body.email.contains('@') {
            error.set(Some(
                "Enter their email address, such as ada@example.com.".into(),
            ));
            return;
        }
        if body.password.chars().count() < MIN_PASSWORD_CHARS {
            error.set(Some(format!(
                "Give them a first password of at least {MIN_PASSWORD_CHARS} characters."
            )));
            return;
        }
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            match api::post::<_, UserView>("/api/v1/users", &body).await {
                Ok(user) => {
                    email.set(String::new());
                    password.set(String::new());
                    role.set(Role::Viewer);
                    open.set(false);
                    on_done.run(format!(
                        "{} can now sign in as {}. Share the password privately; they can change it on their Account page.",
                        user.email, user.role
                    ));
                }
                Err(e) => error.set(Some(e.sentence())),
            }
            pending.set(false);
        });
    };

    view! {
        <Show when=move || open.get()>
            <section class="panel" id="add-user" aria-labelledby="add-user-title">
                <h2 id="add-user-title">"Add a user"</h2>
                <form class="form-grid" on:submit=submit novalidate>
                    <div class="field">
                        <label for="new-user-email">"Email"</label>
                        <input
                            id="new-user-email"
                            type="email"
                            autocomplete="off"
                            node_ref=email_input
                            prop:value=email
                            on:input=move |ev| email.set(event_target_value(&ev))
                        />
                    </div>
                    <div class="field">
                        <label for="new-user-password">"First password"</label>
                        <div class="password-field">
                            <input
                                id="new-user-password"
                                type=move || if show_password.get() { "text" } else { "password" }
                                autocomplete="new-password"
                                aria-describedby="new-user-password-help"
                                prop:value=password
                                on:input=move |ev| password.set(event_target_value(&ev))
                            />
                            <button
                                type="button"
                                class="ghost small"
                                aria-label=move || if show_password.get() { "Hide password" } else { "Show password" }
                                on:click=move |_| show_password.update(|shown| *shown = !*shown)
                            >
                                {move || if show_password.get() { "Hide" } else { "Show" }}
                            </button>
                        </div>
                        <p class="help" id="new-user-password-help">
                            {format!("At least {MIN_PASSWORD_CHARS} characters. They can change it after signing in.")}
                        </p>
                    </div>
                    <div class="field narrow">
                        <label for="new-user-role">"Role"</label>
                        <select
                            id="new-user-role"
                            aria-describedby="new-user-role-help"
                            prop:value=move || role.get().as_str()
                            on:change=move |ev| {
                                if let Ok(chosen) = event_target_value(&ev).parse::<Role>() {
                                    role.set(chosen);
                                }
                            }
                        >
                            {Role::ALL
                                .into_iter()
                                .map(|r| view! { <option value=r.as_str()>{role_title(r)}</option> })
                                .collect_view()}
                        </select>
                        <p class="help" id="new-user-role-help">{move || role_help(role.get())}</p>
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
                            {move || if pending.get() { "Adding…" } else { "Add user" }}
                        </button>
                    </div>
                </form>
            </section>
        </Show>
    }
    .into_any()
}
