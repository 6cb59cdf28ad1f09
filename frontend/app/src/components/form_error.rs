//! The one way the console shows what went wrong with a form or an action: a red line that
//! screen readers announce.

use leptos::prelude::*;

/// Shows `error` while it is set; nothing otherwise.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error
            .get()
            .map(|message| view! { <p class="form-error" role="alert">{message}</p> })
    }
}
