//! The signed-in user's account: who they are, their password and personal API tokens.

mod password;
mod tokens;

use imprint_types::Role;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::session::use_session;
use password::ChangePassword;
use tokens::Tokens;

fn role_means(role: Role) -> &'static str {
    match role {
        Role::Viewer => "You can see everything and change nothing.",
        Role::Editor => "You can change flags, segments and impression tracking.",
        Role::Admin => "You can change everything, including environments, SDK keys and users.",
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_session().user().cloned();
    view! {
        <Title text="Account" />
        <header class="page-header">
            <div>
                <h1>"Account"</h1>
                {user.map(|u| view! {
                    <p class="muted account-who">
                        "Signed in as " <strong>{u.email.clone()}</strong> " "
                        <span class=format!("role-badge role-{}", u.role)>{u.role.as_str()}</span>
                        " " {role_means(u.role)}
                    </p>
                })}
            </div>
        </header>
        <ChangePassword />
        <Tokens />
    }
    .into_any()
}
