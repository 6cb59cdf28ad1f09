//! The kill switch: kill (everyone gets the default treatment) and restore, each confirmed.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::model::FlagDetail;
use super::FlagCtx;
use crate::api;
use crate::components::dialog::ConfirmDialog;

#[component]
pub fn KillSwitch() -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let kill_open = RwSignal::new(false);
    let restore_open = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // (killed, default treatment) of a defined flag; nothing to kill otherwise.
    let state = move || {
        ctx.loaded()
            .and_then(|d| d.definition)
            .map(|d| (d.killed, d.default_treatment))
    };

    let run = move |action: &'static str, open: RwSignal<bool>| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let path = ctx.api_path(action);
        spawn_local(async move {
            match api::post::<_, FlagDetail>(&path, &()).await {
                Ok(_) => {
                    open.set(false);
                    ctx.detail.refetch();
                }
                Err(e) => error.set(Some(e.sentence())),
            }
            pending.set(false);
        });
    };
    let ask = move |open: RwSignal<bool>| {
        error.set(None);
        open.set(true);
    };
    let default = move || state().map(|(_, d)| d).unwrap_or_default();

    view! {
        {move || match state() {
            Some((false, _)) if ctx.can_edit => Some(view! {
                <button type="button" class="danger" on:click=move |_| ask(kill_open)>"Kill"</button>
            }.into_any()),
            Some((true, _)) if ctx.can_edit => Some(view! {
                <button type="button" class="secondary" on:click=move |_| ask(restore_open)>"Restore"</button>
            }.into_any()),
            _ => None,
        }}
        <ConfirmDialog
            open=kill_open
            id="kill-dialog"
            title=Signal::derive(move || format!("Kill {}?", ctx.flag.get()))
            message=Signal::derive(move || format!(
                "Every key gets the default treatment “{}” (label “killed”) from the SDKs' next update, \
                 until the flag is restored. The targeting rules stay as they are.",
                default()
            ))
            confirm_label="Kill flag"
            busy_label="Killing…"
            on_confirm=move || run("/kill", kill_open)
            busy=pending
            error=error
            danger=true
        />
        <ConfirmDialog
            open=restore_open
            id="restore-dialog"
            title=Signal::derive(move || format!("Restore {}?", ctx.flag.get()))
            message="Its targeting rules and default rule apply again from the SDKs' next update."
            confirm_label="Restore flag"
            busy_label="Restoring…"
            on_confirm=move || run("/restore", restore_open)
            busy=pending
            error=error
        />
    }
    .into_any()
}
