//! Who is signed in. The server knows from the request (its auth middleware stored the user in
//! the request's extensions); the browser receives that answer with the page, so both render
//! the same thing and hydration matches.

use imprint_types::CurrentUser;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Session(pub OnceResource<Option<CurrentUser>>);

pub fn provide_session() {
    let user = signed_in_user_from_request();
    provide_context(Session(OnceResource::new_blocking(async move { user })));
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| {
        let none: Option<CurrentUser> = None;
        Session(OnceResource::new_blocking(async move { none }))
    })
}

#[cfg(feature = "ssr")]
fn signed_in_user_from_request() -> Option<CurrentUser> {
    use actix_web::HttpMessage;
    use_context::<leptos_actix::Request>()
        .and_then(|req| req.extensions().get::<CurrentUser>().cloned())
}

/// In the browser the value always arrives serialized with the page; this is never awaited.
#[cfg(not(feature = "ssr"))]
fn signed_in_user_from_request() -> Option<CurrentUser> {
    None
}
