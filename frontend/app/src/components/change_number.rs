//! A change number as people read it: change numbers are the time of the change in ms, so
//! the console shows the date and keeps the raw number (what SDKs and exports carry) on hover.

use leptos::prelude::*;

use super::format::date_time;

/// `Mar 4, 2025, 14:05`, with `change number 1741097100000` as its title.
#[component]
pub fn ChangeNumber(value: i64) -> impl IntoView {
    view! {
        <span class="change-number" title=format!("change number {value}")>{date_time(value)}</span>
    }
}

/// The same for a change number that may be missing (an SDK may not send one).
#[component]
pub fn MaybeChangeNumber(value: Option<i64>) -> impl IntoView {
    match value {
        Some(value) => view! { <ChangeNumber value/> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}
