use leptos::prelude::*;

/// The words for a flag's impression tracking state; also the indicator's accessible name.
pub fn tracking_label(enabled: bool) -> &'static str {
    if enabled {
        "Impression tracking on"
    } else {
        "Impression tracking off"
    }
}

/// Two arrows: impressions flowing to Imprint. Greyed out and struck through while tracking
/// is off; the tooltip and the accessible name say which.
#[component]
pub fn TrackingIndicator(#[prop(into)] enabled: Signal<bool>) -> impl IntoView {
    let label = move || tracking_label(enabled.get());
    view! {
        <span
            class="tracking-indicator"
            class:off=move || !enabled.get()
            role="img"
            aria-label=label
            title=label
            data-tracking=move || if enabled.get() { "on" } else { "off" }
        >
            <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
                <path
                    d="M3 7h11m0 0-3-3m3 3-3 3M17 13H6m0 0 3-3m-3 3 3 3"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="1.8"
                    stroke-linecap="round"
                    stroke-linejoin="round"
                />
                <Show when=move || !enabled.get()>
                    <path
                        d="M3.5 17.5 16.5 2.5"
                        fill="none"
                        stroke="currentColor"
                        stroke-width="1.8"
                        stroke-linecap="round"
                    />
                </Show>
            </svg>
        </span>
    }
    .into_any()
}
