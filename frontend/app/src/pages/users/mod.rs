//! Console users (admins only): who may sign in, with which role.

mod actions;
mod create;

use imprint_types::{Role, UserView};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api;
use crate::components::format::{date_time, parse_iso_ms};
use crate::session::use_session;
use actions::{UserAction, UserActions};
use create::AddUserForm;

pub fn role_help(role: Role) -> &'static str {
    match role {
        Role::Viewer => "Sees everything, changes nothing.",
        Role::Editor => "Also changes flags, segments and impression tracking.",
        Role::Admin => "Also manages environments, SDK keys and users.",
    }
}

pub fn role_title(role: Role) -> &'static str {
    match role {
        Role::Viewer => "Viewer",
        Role::Editor => "Editor",
        Role::Admin => "Admin",
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = use_session().user().cloned();
    let is_admin = me.as_ref().is_some_and(|u| u.role.allows(Role::Admin));
    view! {
        <Title text="Users" />
        {if is_admin {
            view! { <UserAdmin my_id=me.map(|u| u.id).unwrap_or_default() /> }.into_any()
        } else {
            view! {
                <header class="page-header">
                    <div>
                        <h1>"Users"</h1>
                    </div>
                </header>
                <section class="panel admins-only" aria-labelledby="admins-only-title">
                    <h2 id="admins-only-title">"Admins only"</h2>
                    <p class="muted">
                        "Managing who can sign in is reserved to admins. If someone needs access or a different role, ask an admin of this Imprint."
                    </p>
                    <a class="button secondary" href="/">"Back to the overview"</a>
                </section>
            }
                .into_any()
        }}
    }
    .into_any()
}

#[component]
fn UserAdmin(my_id: i64) -> impl IntoView {
    let users = LocalResource::new(|| api::get::<Vec<UserView>>("/api/v1/users"));
    let adding = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let action = RwSignal::new(None::<(UserView, UserAction)>);

    let list = Memo::new(move |_| users.get());
    let ids = Memo::new(move |_| {
        list.with(|list| match list {
            Some(Ok(list)) => list.iter().map(|u| u.id).collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    });
    let find = move |id: i64| {
        Signal::derive(move || {
            list.with(|list| match list {
                Some(Ok(list)) => list.iter().find(|u| u.id == id).cloned(),
                _ => None,
            })
        })
    };
    let on_done = Callback::new(move |message: String| {
        notice.set(Some(message));
        users.refetch();
    });

    view! {
        <header class="page-header">
            <div>
                <h1>"Users"</h1>
                <p class="muted">"People who can sign in to this console, and what they may do."</p>
            </div>
            <button
                type="button"
                class="primary"
                aria-expanded=move || adding.get().to_string()
                aria-controls="add-user"
                on:click=move |_| adding.update(|open| *open = !*open)
            >
                "New user"
            </button>
        </header>
        <AddUserForm open=adding on_done />
        <Show when=move || notice.get().is_some()>
            <p class="notice ok" role="status">
                <span>{move || notice.get()}</span>
                <button type="button" class="ghost small" aria-label="Dismiss" on:click=move |_| notice.set(None)>"×"</button>
            </p>
        </Show>
        <section class="panel">
            <div class="roles-legend" aria-label="What each role may do">
                {Role::ALL
                    .into_iter()
                    .map(|role| view! {
                        <p>
                            <span class=format!("role-badge role-{role}")>{role.as_str()}</span>
                            " " {role_help(role)}
                        </p>
                    })
                    .collect_view()}
            </div>
            {move || list.with(|list| match list {
                None => Some(view! { <p class="muted loading">"Loading users…"</p> }.into_any()),
                Some(Err(e)) => Some(view! {
                    <p class="form-error" role="alert">"Could not load the users: " {e.sentence()}</p>
                }.into_any()),
                Some(Ok(_)) => None,
            })}
            <table class="table users-table stack-on-phone" aria-label="Users">
                <thead>
                    <tr>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Added"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || ids.get()
                        key=|id| *id
                        children=move |id| view! { <UserRow user=find(id) me=id == my_id action /> }
                    />
                </tbody>
            </table>
        </section>
        <UserActions action on_done />
    }
    .into_any()
}

#[component]
fn UserRow(
    user: Signal<Option<UserView>>,
    me: bool,
    action: RwSignal<Option<(UserView, UserAction)>>,
) -> impl IntoView {
    let field =
        move |f: fn(&UserView) -> String| user.with(|u| u.as_ref().map(f).unwrap_or_default());
    let email = move || field(|u| u.email.clone());
    let active = move || user.with(|u| u.as_ref().is_some_and(|u| u.active));
    let role = move || user.with(|u| u.as_ref().map(|u| u.role).unwrap_or(Role::Viewer));
    let start = move |what: UserAction| {
        if let Some(u) = user.get_untracked() {
            action.set(Some((u, what)));
        }
    };
    view! {
        <tr class:inactive=move || !active() data-user=email>
            <td data-label="Email">
                <div>
                    <span class="user-email">{email}</span>
                    {me.then(|| view! { <span class="you-badge">"you"</span> })}
                </div>
            </td>
            <td data-label="Role">
                <span class=move || format!("role-badge role-{}", role())>{move || role().as_str()}</span>
            </td>
            <td data-label="Status">
                <span class="user-status" class:user-status-off=move || !active()>
                    {move || if active() { "Active" } else { "Deactivated" }}
                </span>
            </td>
            <td data-label="Added">
                {move || field(|u| parse_iso_ms(&u.created_at).map(date_time).unwrap_or_else(|| u.created_at.clone()))}
            </td>
            <td class="actions">
                {if me {
                    view! { <a class="small-link" href="/account">"Change your password"</a> }.into_any()
                } else {
                    view! {
                        <div class="row-actions">
                            <button
                                type="button"
                                class="secondary small"
                                aria-label=move || format!("Change role of {}", email())
                                on:click=move |_| start(UserAction::Role)
                            >
                                "Change role"
                            </button>
                            <button
                                type="button"
                                class="secondary small"
                                aria-label=move || format!("Reset password of {}", email())
                                on:click=move |_| start(UserAction::Password)
                            >
                                "Reset password"
                            </button>
                            <button
                                type="button"
                                class=move || if active() { "danger small" } else { "secondary small" }
                                aria-label=move || {
                                    format!("{} {}", if active() { "Deactivate" } else { "Reactivate" }, email())
                                }
                                on:click=move |_| {
                                    start(if active() { UserAction::Deactivate } else { UserAction::Reactivate })
                                }
                            >
                                {move || if active() { "Deactivate" } else { "Reactivate" }}
                            </button>
                        </div>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
    .into_any()
}
