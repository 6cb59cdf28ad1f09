//! What an admin does to another user: change their role, reset their password, deactivate
//! or reactivate them (`PATCH /api/v1/users/{id}`).

use imprint_types::{Role, UpdateUserRequest, UserView};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{role_help, role_title};
use crate::api;
use crate::components::dialog::{ConfirmDialog, Dialog};

pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    Role,
    Password,
    Deactivate,
    Reactivate,
}

/// The dialogs for the action the page asked for (`action`); `on_done` gets the news.
#[component]
pub fn UserActions(
    action: RwSignal<Option<(UserView, UserAction)>>,
    on_done: Callback<String>,
) -> impl IntoView {
    let role_open = RwSignal::new(false);
    let password_open = RwSignal::new(false);
    let deactivate_open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let banner_error = RwSignal::new(None::<String>);
    let role_choice = RwSignal::new(Role::Viewer);
    let password = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);

    let target = move || action.with(|a| a.as_ref().map(|(u, _)| u.clone()));
    let email =
        move || action.with(|a| a.as_ref().map(|(u, _)| u.email.clone()).unwrap_or_default());

    let send = move |user: UserView,
                     body: UpdateUserRequest,
                     news: String,
                     close: Option<RwSignal<bool>>| {
        busy.set(true);
        error.set(None);
        banner_error.set(None);
        spawn_local(async move {
            match api::patch::<_, UserView>(&format!("/api/v1/users/{}", user.id), &body).await {
                Ok(_) => {
                    if let Some(dialog) = close {
                        dialog.set(false);
                    }
                    on_done.run(news);
                }
                Err(e) => {
                    let message = e.sentence();
                    if close.is_some() {
                        error.set(Some(message));
                    } else {
                        banner_error
                            .set(Some(format!("Could not change {}: {message}", user.email)));
                    }
                }
            }
            busy.set(false);
        });
    };

    // Open the dialog the page asked for (reactivating needs no confirmation).
    Effect::new(move |_| {
        let Some((user, what)) = action.get() else {
            return;
        };
        error.set(None);
        banner_error.set(None);
        match what {
            UserAction::Role => {
                role_choice.set(user.role);
                role_open.set(true);
            }
            UserAction::Password => {
                password.set(String::new());
                show_password.set(false);
                password_open.set(true);
            }
            UserAction::Deactivate => deactivate_open.set(true),
            UserAction::Reactivate => {
                let news = format!("{} can sign in again.", user.email);
                let body = UpdateUserRequest {
                    active: Some(true),
                    ..Default::default()
                };
                send(user, body, news, None);
            }
        }
    });

    let save_role = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(user) = target() else { return };
        let role = role_choice.get_untracked();
        if role == user.role {
            role_open.set(false);
            return;
        }
        let article = if role == Role::Admin { "an" } else { "a" };
        let news = format!("{} is now {article} {role}.", user.email);
        let body = UpdateUserRequest {
            role: Some(role),
            ..Default::default()
        };
        send(user, body, news, Some(role_open));
    };

    let save_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(user) = target() else { return };
        let new_password = password.get_untracked();
        if new_password.chars().count() < MIN_PASSWORD_CHARS {
            error.set(Some(format!(
                "Passwords need at least {MIN_PASSWORD_CHARS} characters."
            )));
            return;
        }
        let news = format!(
            "The password of {} was reset and their sessions ended. Share the new one with them privately.",
            user.email
        );
        let body = UpdateUserRequest {
            password: Some(new_password),
            ..Default::default()
        };
        send(user, body, news, Some(password_open));
        password.set(String::new());
    };

    let deactivate = move |()| {
        let Some(user) = target() else { return };
        let news = format!("{} is deactivated and signed out.", user.email);
        let body = UpdateUserRequest {
            active: Some(false),
            ..Default::default()
        };
        send(user, body, news, Some(deactivate_open));
    };

    let was_admin = move || action.with(|a| a.as_ref().is_some_and(|(u, _)| u.role == Role::Admin));

    view! {
        <Show when=move || banner_error.get().is_some()>
            <p class="form-error" role="alert">{move || banner_error.get()}</p>
        </Show>
        <Dialog
            open=role_open
            id="user-role"
            title=Signal::derive(move || format!("Change the role of {}", email()))
            busy
            wide=true
        >
            <form class="dialog-form" on:submit=save_role>
                <fieldset class="choices">
                    <legend class="visually-hidden">"Role"</legend>
                    {Role::ALL
                        .into_iter()
                        .map(|role| view! {
                            <label class="choice" class:selected=move || role_choice.get() == role>
                                <input
                                    type="radio"
                                    name="user-role"
                                    value=role.as_str()
                                    autofocus=move || role_choice.get() == role
                                    prop:checked=move || role_choice.get() == role
                                    on:change=move |_| role_choice.set(role)
                                />
                                <span class="choice-text">
                                    <strong>{role_title(role)}</strong>
                                    <span class="muted">{role_help(role)}</span>
                                </span>
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <Show when=move || was_admin() && role_choice.get() != Role::Admin>
                    <p class="notice warn">"They will lose access to users, environments and SDK keys at once."</p>
                </Show>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
                <div class="dialog-actions">
                    <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| role_open.set(false)>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Save role" }}
                    </button>
                </div>
            </form>
        </Dialog>
        <Dialog
            open=password_open
            id="user-password"
            title=Signal::derive(move || format!("Reset the password of {}", email()))
            busy
            described_by="user-password-about"
        >
            <form class="dialog-form" on:submit=save_password novalidate>
                <p class="muted" id="user-password-about">
                    "They are signed out everywhere at once. Share the new password privately; they can change it on their Account page."
                </p>
                <label for="user-new-password">"New password"</label>
                <div class="password-field">
                    <input
                        id="user-new-password"
                        autofocus
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="new-password"
                        aria-describedby="user-new-password-help"
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
                <p class="help" id="user-new-password-help">{format!("At least {MIN_PASSWORD_CHARS} characters.")}</p>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
                <div class="dialog-actions">
                    <button type="button" class="secondary" disabled=move || busy.get() on:click=move |_| password_open.set(false)>
                        "Cancel"
                    </button>
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Set password" }}
                    </button>
                </div>
            </form>
        </Dialog>
        <ConfirmDialog
            open=deactivate_open
            id="user-deactivate"
            title=Signal::derive(move || format!("Deactivate {}?", email()))
            message="They are signed out at once and can no longer sign in. Their changes stay in the audit log, and you can reactivate them later."
            confirm_label="Deactivate"
            busy_label="Deactivating…"
            on_confirm=Callback::new(deactivate)
            busy
            error
            danger=true
        />
    }
    .into_any()
}
