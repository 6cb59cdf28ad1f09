use leptos::prelude::*;

/// Imprint's mark: a fingerprint-like set of arcs.
#[component]
pub fn Logo() -> impl IntoView {
    view! {
        <svg class="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="#4f46e5" />
            <path
                d="M9 20c0-4 3-7 7-7s7 3 7 7M12 22c0-2.5 1.8-4.5 4-4.5s4 2 4 4.5M16 22v3M6 15c2-4.5 5.8-7 10-7s8 2.5 10 7"
                fill="none"
                stroke="#fff"
                stroke-width="2"
                stroke-linecap="round"
            />
        </svg>
    }
}
