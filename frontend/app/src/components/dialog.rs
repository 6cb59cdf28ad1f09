//! Modal dialogs on the browser's own `<dialog>`: it traps focus, closes on Escape, makes the
//! page behind it inert and gives focus back to the control that opened it.
//!
//! `Dialog` is the frame (title, close button, any content); `ConfirmDialog` asks before a
//! destructive action and shows the action's error, if any, without closing.

use leptos::html;
use leptos::prelude::*;
use leptos::web_sys;

/// A modal dialog, shown while `open` is true. Escape, the close button and a click on the
/// backdrop set `open` to false, unless `busy` (an action is under way).
///
/// `id` must be unique on the page: the title is `{id}-title` and names the dialog.
#[component]
pub fn Dialog(
    open: RwSignal<bool>,
    #[prop(into)] id: String,
    #[prop(into)] title: Signal<String>,
    /// While true, the dialog cannot be dismissed.
    #[prop(optional, into)]
    busy: Signal<bool>,
    /// A wider dialog, for forms.
    #[prop(optional)]
    wide: bool,
    /// The id of the element that describes the dialog, if any.
    #[prop(optional, into)]
    described_by: Option<String>,
    children: Children,
) -> impl IntoView {
    let dialog_ref = NodeRef::<html::Dialog>::new();
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();

    // Effects only run in the browser: show or close the element as `open` changes.
    Effect::new(move |_| {
        let want_open = open.get();
        if let Some(dialog) = dialog_ref.get() {
            if want_open && !dialog.open() {
                let _ = dialog.show_modal();
            } else if !want_open && dialog.open() {
                dialog.close();
            }
        }
    });

    let dismiss = move || {
        if !busy.get_untracked() {
            open.set(false);
        }
    };

    view! {
        <dialog
            id=id
            class="dialog"
            class:wide=wide
            aria-labelledby=labelled_by
            aria-describedby=described_by
            node_ref=dialog_ref
            // The browser closed it (Escape): keep the signal in step.
            on:close=move |_| open.set(false)
            on:keydown=move |ev| {
                if ev.key() == "Escape" && busy.get_untracked() {
                    ev.prevent_default();
                }
            }
            // A click on the dialog element itself is a click on its backdrop: the content
            // fills the box, so clicks inside land on the content.
            on:click=move |ev| {
                let on_backdrop = match (ev.target(), dialog_ref.get_untracked()) {
                    (Some(target), Some(dialog)) => {
                        let dialog: &web_sys::EventTarget = dialog.as_ref();
                        &target == dialog
                    }
                    _ => false,
                };
                if on_backdrop {
                    dismiss();
                }
            }
        >
            <div class="dialog-box">
                <header class="dialog-header">
                    <h2 id=title_id>{move || title.get()}</h2>
                    <button
                        type="button"
                        class="ghost icon-button"
                        aria-label="Close"
                        disabled=move || busy.get()
                        on:click=move |_| dismiss()
                    >
                        <span aria-hidden="true">"×"</span>
                    </button>
                </header>
                {children()}
            </div>
        </dialog>
    }
    .into_any()
}

/// Asks before a destructive action. `on_confirm` runs the action; the caller closes the
/// dialog (sets `open` to false) when it succeeded, or sets `error` when it failed.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] id: String,
    #[prop(into)] title: Signal<String>,
    /// What will happen, in words.
    #[prop(into)]
    message: Signal<String>,
    /// The confirming button's label, e.g. "Revoke key".
    #[prop(into)]
    confirm_label: Signal<String>,
    /// The confirming button's label while the action runs, e.g. "Revoking…".
    #[prop(into)]
    busy_label: Signal<String>,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(optional, into)] busy: Signal<bool>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    /// A red confirming button, for what cannot be undone.
    #[prop(optional)]
    danger: bool,
) -> impl IntoView {
    let message_id = format!("{id}-message");
    view! {
        <Dialog open id title busy described_by=message_id.clone()>
            <p id=message_id class="dialog-message">{move || message.get()}</p>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
            <div class="dialog-actions">
                // First in the dialog, so it has the focus when the dialog opens: Enter
                // right away does nothing harmful.
                <button
                    type="button"
                    class="secondary"
                    autofocus
                    disabled=move || busy.get()
                    on:click=move |_| open.set(false)
                >
                    "Cancel"
                </button>
                <button
                    type="button"
                    class=if danger { "danger-solid" } else { "primary" }
                    disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {move || if busy.get() { busy_label.get() } else { confirm_label.get() }}
                </button>
            </div>
        </Dialog>
    }
    .into_any()
}
