//! Who is signed in.
//!
//! The server knows from the request: its auth middleware stored the user in the request's
//! extensions. It writes that answer into the page's head as JSON, and the browser reads it
//! back synchronously before hydrating, so both sides render the same thing.

use imprint_types::CurrentUser;
use leptos::prelude::*;

const SESSION_ELEMENT_ID: &str = "imprint-session";

#[derive(Clone)]
pub struct Session(pub Option<CurrentUser>);

impl Session {
    pub fn user(&self) -> Option<&CurrentUser> {
        self.0.as_ref()
    }
}

pub fn provide_session() {
    provide_context(Session(signed_in_user()));
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or(Session(None))
}

/// The `<script>` in the page head that carries the session to the browser.
#[component]
pub fn SessionScript() -> impl IntoView {
    // `<` is escaped so that no value can close the script element early.
    let json = serde_json::to_string(&signed_in_user())
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c");
    view! { <script type="application/json" id=SESSION_ELEMENT_ID inner_html=json></script> }
}

#[cfg(feature = "ssr")]
fn signed_in_user() -> Option<CurrentUser> {
    use actix_web::HttpMessage;
    use_context::<leptos_actix::Request>()
        .and_then(|req| req.extensions().get::<CurrentUser>().cloned())
}

#[cfg(feature = "hydrate")]
fn signed_in_user() -> Option<CurrentUser> {
    let element = web_sys::window()?
        .document()?
        .get_element_by_id(SESSION_ELEMENT_ID)?;
    serde_json::from_str(&element.text_content()?)
        .ok()
        .flatten()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn signed_in_user() -> Option<CurrentUser> {
    None
}
