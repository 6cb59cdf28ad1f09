//! The flag's "More actions" menu and the impression tracking toggle it opens: a dialog that
//! says what turning tracking off disables before it is saved.

use imprint_types::{FlagSummary, SetTrackingRequest};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::FlagCtx;
use crate::api;
use crate::components::dialog::Dialog;

/// "⋯": Track impressions (editors and admins), Export impressions, Copy flag name.
#[component]
pub fn MoreActions(#[prop(into)] on_track: Callback<()>) -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let open = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let menu = NodeRef::<html::Div>::new();

    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            focus_button(button);
        }
    };
    let toggle = move |_| {
        let now_open = !open.get_untracked();
        open.set(now_open);
        copied.set(false);
        if now_open {
            request_animation_frame(move || {
                if open.get_untracked() {
                    focus_item(menu, Step::First);
                }
            });
        }
    };
    let on_button_keydown = move |ev: leptos::ev::KeyboardEvent| {
        // Focus moves into the menu on the next frame; until then Escape lands here.
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            close(true);
        } else if matches!(ev.key().as_str(), "ArrowDown" | "ArrowUp") {
            ev.prevent_default();
            open.set(true);
            let step = if ev.key() == "ArrowUp" {
                Step::Last
            } else {
                Step::First
            };
            request_animation_frame(move || focus_item(menu, step));
        }
    };
    let on_menu_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            focus_item(menu, Step::Next);
        }
        "ArrowUp" => {
            ev.prevent_default();
            focus_item(menu, Step::Previous);
        }
        "Home" => {
            ev.prevent_default();
            focus_item(menu, Step::First);
        }
        "End" => {
            ev.prevent_default();
            focus_item(menu, Step::Last);
        }
        "Escape" => {
            ev.prevent_default();
            close(true);
        }
        "Tab" => close(false),
        _ => {}
    };
    let export_href = move || {
        format!(
            "/api/v1/environments/{}/impressions/export?format=ndjson&flag={}",
            ctx.env.get(),
            ctx.flag.get()
        )
    };
    let copy_name = move |_| {
        let name = ctx.flag.get_untracked();
        spawn_local(async move {
            copied.set(api::copy_to_clipboard(&name).await);
        });
    };

    view! {
        <div class="menu-wrap">
            <button
                type="button"
                class="secondary icon-button"
                aria-label="More actions"
                title="More actions"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                aria-controls="flag-actions-menu"
                node_ref=button
                on:click=toggle
                on:keydown=on_button_keydown
            >
                <span aria-hidden="true" class="dots">"⋯"</span>
            </button>
            <Show when=move || open.get()>
                <div class="menu-scrim" on:click=move |_| close(false)></div>
            </Show>
            <div
                id="flag-actions-menu"
                class="menu"
                role="menu"
                aria-label="More actions"
                hidden=move || !open.get()
                node_ref=menu
                on:keydown=on_menu_keydown
            >
                {ctx.can_edit.then(|| view! {
                    <button
                        type="button"
                        role="menuitem"
                        tabindex="-1"
                        on:click=move |_| {
                            close(false);
                            on_track.run(());
                        }
                    >
                        <span>"Track impressions"</span>
                        <span class="menu-hint">
                            {move || match ctx.loaded().map(|d| d.tracking_enabled) {
                                Some(true) => "On",
                                Some(false) => "Off",
                                None => "",
                            }}
                        </span>
                    </button>
                })}
                <a
                    role="menuitem"
                    tabindex="-1"
                    href=export_href
                    download=move || format!("{}-impressions.ndjson", ctx.flag.get())
                    on:click=move |_| close(false)
                >
                    "Export impressions (NDJSON)"
                </a>
                <button type="button" role="menuitem" tabindex="-1" on:click=copy_name>
                    <span>"Copy flag name"</span>
                    <span class="menu-hint">{move || if copied.get() { "Copied" } else { "" }}</span>
                </button>
            </div>
        </div>
    }
    .into_any()
}

#[derive(Clone, Copy)]
enum Step {
    First,
    Last,
    Next,
    Previous,
}

fn focus_button(button: NodeRef<html::Button>) {
    if let Some(button) = button.get_untracked() {
        let _ = button.focus();
    }
}

/// Moves focus among the menu's items (its element children).
fn focus_item(menu: NodeRef<html::Div>, step: Step) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(menu) = menu.get_untracked() else {
            return;
        };
        let items = menu.children();
        let count = items.length();
        if count == 0 {
            return;
        }
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let current = (0..count).find(|&i| items.item(i) == active);
        let index = match (step, current) {
            (Step::First, _) | (Step::Next, None) => 0,
            (Step::Last, _) | (Step::Previous, None) => count - 1,
            (Step::Next, Some(i)) => (i + 1) % count,
            (Step::Previous, Some(i)) => (i + count - 1) % count,
        };
        if let Some(item) = items
            .item(index)
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = item.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (menu, step);
    }
}

/// Turning impression tracking on or off, with what it means, saved on confirmation.
#[component]
pub fn TrackingDialog(open: RwSignal<bool>) -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let current = move || ctx.loaded().map(|d| d.tracking_enabled).unwrap_or(true);
    let draft = RwSignal::new(true);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Each time the dialog opens, it starts from the saved state.
    Effect::new(move |_| {
        if open.get() {
            draft.set(current());
            error.set(None);
        }
    });

    let save = move |_| {
        let enabled = draft.get_untracked();
        if enabled == current() {
            open.set(false);
            return;
        }
        pending.set(true);
        error.set(None);
        let path = ctx.api_path("/tracking");
        spawn_local(async move {
            match api::put::<_, FlagSummary>(&path, &SetTrackingRequest { enabled }).await {
                Ok(_) => {
                    open.set(false);
                    ctx.detail.refetch();
                }
                Err(e) => error.set(Some(format!(
                    "Impression tracking was not changed: {}",
                    e.sentence()
                ))),
            }
            pending.set(false);
        });
    };

    view! {
        <Dialog open=open id="tracking-dialog" title="Impression tracking" busy=pending wide=true>
            <div class="tracking-body">
                <label class="switch-row">
                    <input
                        type="checkbox"
                        role="switch"
                        class="switch"
                        aria-label="Track impressions"
                        aria-describedby="tracking-scope"
                        prop:checked=move || draft.get()
                        on:change=move |ev| draft.set(event_target_checked(&ev))
                    />
                    <span>
                        <strong>"Track impressions"</strong>
                        <span class="muted switch-state">
                            {move || if draft.get() { " · on" } else { " · off" }}
                        </span>
                        <span class="muted block" id="tracking-scope">
                            {move || format!(
                                "For {} in the {} environment only, from the SDKs' very next request.",
                                ctx.flag.get(),
                                ctx.env.get(),
                            )}
                        </span>
                    </span>
                </label>
                <div class="callout" class:warn=move || !draft.get()>
                    <p>
                        "With tracking off, SDKs still evaluate the flag and serve treatments as usual, "
                        "but Imprint stores none of its impressions. That turns off:"
                    </p>
                    <ul>
                        <li><strong>"Traffic chart"</strong>" and unique keys per treatment on the Monitoring tab"</li>
                        <li><strong>"Metric impact"</strong>": events are no longer attributed to treatments"</li>
                        <li><strong>"Alerting"</strong>", which relies on those metrics"</li>
                        <li><strong>"Live tail"</strong>": no incoming impressions are shown"</li>
                        <li><strong>"Export"</strong>": impressions from while tracking was off are not there"</li>
                        <li><strong>"Integrations"</strong>": sinks no longer deliver this flag's impressions to third-party tools (webhooks, S3, Amplitude, Segment…)"</li>
                    </ul>
                    <p class="muted">
                        "Keys evaluated meanwhile still count toward MTK (monthly tracked keys) and usage."
                    </p>
                </div>
                <Show when=move || error.get().is_some()>
                    <p class="form-error" role="alert">{move || error.get()}</p>
                </Show>
            </div>
            <div class="dialog-actions">
                <button type="button" class="secondary" on:click=move |_| open.set(false)>"Cancel"</button>
                <button
                    type="button"
                    class="primary"
                    disabled=move || pending.get()
                    on:click=save
                >
                    {move || if pending.get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </Dialog>
    }
    .into_any()
}
