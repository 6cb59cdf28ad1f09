//! SDK keys in full: shown once, right after they were made, with a copy button.

use imprint_types::{NewSdkKey, SdkKeyKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;

/// A key added to an existing environment, shown in its card until dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revealed {
    pub env_id: i64,
    pub key: NewSdkKey,
}

pub fn kind_label(kind: SdkKeyKind) -> &'static str {
    match kind {
        SdkKeyKind::Server => "Server-side",
        SdkKeyKind::Client => "Client-side",
    }
}

pub fn kind_use(kind: SdkKeyKind) -> &'static str {
    match kind {
        SdkKeyKind::Server => "for SDKs on your servers (Node, Java, Python, Go…): reads every flag",
        SdkKeyKind::Client => "for browser and mobile SDKs: sends impressions and events, never reads server-side definitions",
    }
}

/// What lists show of a key: its prefix and last characters.
pub fn masked(kind: SdkKeyKind, hint: &str) -> String {
    let prefix = match kind {
        SdkKeyKind::Server => "imp_srv_",
        SdkKeyKind::Client => "imp_cli_",
    };
    format!("{prefix}…{hint}")
}

/// One key in full, with its copy button.
#[component]
pub fn SecretKey(key: NewSdkKey) -> impl IntoView {
    let kind = key.kind;
    view! {
        <div class="secret-key">
            <p class="secret-key-label">
                <strong>{format!("{} key", kind_label(kind))}</strong>
                <span class="muted">{format!(" · {}", kind_use(kind))}</span>
            </p>
            <div class="secret-row">
                <code data-testid=format!("secret-{}", kind.as_str())>{key.key.clone()}</code>
                <CopyButton
                    text=key.key
                    label=format!("Copy {} key", kind.as_str())
                />
            </div>
        </div>
    }
    .into_any()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Copy {
    Ready,
    Copied,
    Refused,
}

/// Copies `text`; says so, or says that the browser refused.
#[component]
pub fn CopyButton(#[prop(into)] text: String, #[prop(into)] label: String) -> impl IntoView {
    let state = RwSignal::new(Copy::Ready);
    let text = StoredValue::new(text);
    let copy = move |_| {
        spawn_local(async move {
            let copied = api::copy_to_clipboard(&text.get_value()).await;
            state.set(if copied { Copy::Copied } else { Copy::Refused });
        });
    };
    view! {
        <button
            type="button"
            class="secondary small copy-button"
            class:copied=move || state.get() == Copy::Copied
            aria-label=label
            on:click=copy
        >
            {move || if state.get() == Copy::Copied { "Copied ✓" } else { "Copy" }}
        </button>
        <span class="visually-hidden" role="status">
            {move || (state.get() == Copy::Copied).then_some("Copied to the clipboard")}
        </span>
        <Show when=move || state.get() == Copy::Refused>
            <p class="form-error copy-refused" role="alert">
                "The browser did not allow copying: select the key and copy it yourself."
            </p>
        </Show>
    }
    .into_any()
}
