//! What an admin does to one sink: send a test, pause or resume, replay from a time, delete.
//! Each action says what came of it next to its button.

use imprint_types::{ReplayView, SinkTestResult, SinkView};
use leptos::prelude::*;

use super::client;
use crate::api::ApiError;
use crate::components::dialog::ConfirmDialog;
use crate::components::form_error::FormError;
use crate::components::format::iso_utc;
use crate::pages::export::local_input_ms;

type Target = (String, i64);

fn failed(what: &str, e: &ApiError) -> String {
    format!("{what} {}", e.sentence())
}

#[component]
pub fn SinkActions(
    env: Memo<String>,
    id: i64,
    name: Signal<String>,
    paused: Signal<bool>,
    #[prop(into)] on_changed: Callback<SinkView>,
    #[prop(into)] on_deleted: Callback<i64>,
) -> impl IntoView {
    let target = move || (env.get_untracked(), id);
    let test = Action::new_unsync(|(env, id): &Target| {
        let (env, id) = (env.clone(), *id);
        async move { client::test_sink(&env, id).await }
    });
    let toggle = Action::new_unsync(|(env, id, pause): &(String, i64, bool)| {
        let (env, id, pause) = (env.clone(), *id, *pause);
        async move {
            if pause {
                client::pause_sink(&env, id).await
            } else {
                client::resume_sink(&env, id).await
            }
        }
    });
    let toggle_error = RwSignal::new(None::<String>);
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(view)) => {
            toggle_error.set(None);
            on_changed.run(view);
        }
        Some(Err(e)) => toggle_error.set(Some(failed("The sink did not change.", &e))),
        None => {}
    });
    let replay_open = RwSignal::new(false);
    let delete_open = RwSignal::new(false);

    view! {
        <div class="sink-actions">
            <button type="button" class="secondary small" disabled=move || test.pending().get()
                on:click=move |_| { test.dispatch(target()); }>
                {move || if test.pending().get() { "Sending…" } else { "Send test" }}
            </button>
            <button type="button" class="secondary small" disabled=move || toggle.pending().get()
                on:click=move |_| { toggle.dispatch((env.get_untracked(), id, !paused.get_untracked())); }>
                {move || if paused.get() { "Resume" } else { "Pause" }}
            </button>
            <button type="button" class="secondary small" aria-expanded=move || replay_open.get().to_string()
                on:click=move |_| replay_open.update(|o| *o = !*o)>
                "Replay…"
            </button>
            <button type="button" class="ghost small danger" on:click=move |_| delete_open.set(true)>"Delete"</button>
        </div>
        <TestOutcome result=Signal::derive(move || test.value().get()) />
        <FormError error=toggle_error />
        <Show when=move || replay_open.get()>
            <ReplayForm env=env id=id />
        </Show>
        <DeleteSink env=env id=id name=name open=delete_open on_deleted=on_deleted />
    }
    .into_any()
}

#[component]
fn TestOutcome(result: Signal<Option<Result<SinkTestResult, ApiError>>>) -> impl IntoView {
    move || {
        result.get().map(|answer| match answer {
            Ok(r) => {
                let verdict = if r.ok {
                    "The receiver accepted the test impression."
                } else {
                    "The receiver refused the test impression."
                };
                view! {
                    <div class="sink-test" class:ok=r.ok role="status" data-testid="sink-test-result"
                        data-ok=r.ok.to_string()>
                        <p class="small"><strong>{verdict}</strong></p>
                        <pre>{r.answer}</pre>
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <FormError error=Some(failed("The test was not sent.", &e)) /> }.into_any(),
        })
    }
}

/// Delivers again everything received since a time; says how many rows that is and how
/// many of them the receiver gets a second time.
#[component]
fn ReplayForm(env: Memo<String>, id: i64) -> impl IntoView {
    let from = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let replay = Action::new_unsync(|(env, id, from): &(String, i64, String)| {
        let (env, id, from) = (env.clone(), *id, from.clone());
        async move { client::replay_sink(&env, id, from).await }
    });
    let input_id = format!("replay-from-{id}");
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match local_input_ms(&from.get_untracked()) {
            Some(ms) => {
                problem.set(None);
                replay.dispatch((env.get_untracked(), id, iso_utc(ms)));
            }
            None => problem.set(Some("Choose the date and time to replay from.".into())),
        }
    };
    view! {
        <form class="sink-replay" on:submit=submit>
            <label for=input_id.clone()>"Replay from"</label>
            <input id=input_id type="datetime-local" prop:value=move || from.get()
                on:input=move |ev| from.set(event_target_value(&ev)) />
            <button type="submit" class="secondary small" disabled=move || replay.pending().get()>
                {move || if replay.pending().get() { "Replaying…" } else { "Replay" }}
            </button>
            <p class="help">"Everything Imprint received since then is delivered again, with the same idempotency keys."</p>
            <FormError error=problem />
            {move || replay.value().get().map(|answer| match answer {
                Ok(r) => view! { <p class="small" role="status" data-testid="sink-replay-result">{replay_text(&r)}</p> }.into_any(),
                Err(e) => view! { <FormError error=Some(failed("The replay did not start.", &e)) /> }.into_any(),
            })}
        </form>
    }
    .into_any()
}

fn replay_text(r: &ReplayView) -> String {
    format!(
        "{} rows to deliver again; {} of them were delivered before and arrive twice.",
        r.rows_to_deliver, r.duplicates
    )
}

#[component]
fn DeleteSink(
    env: Memo<String>,
    id: i64,
    name: Signal<String>,
    open: RwSignal<bool>,
    on_deleted: Callback<i64>,
) -> impl IntoView {
    let delete = Action::new_unsync(|(env, id): &Target| {
        let (env, id) = (env.clone(), *id);
        async move { client::delete_sink(&env, id).await }
    });
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            open.set(false);
            on_deleted.run(id);
        }
        Some(Err(e)) => error.set(Some(failed("The integration was not deleted.", &e))),
        None => {}
    });
    view! {
        <ConfirmDialog
            open=open
            id=format!("delete-sink-{id}")
            title=Signal::derive(move || format!("Delete {}?", name.get()))
            message=Signal::derive(move || format!(
                "{} stops delivering at once and its dead letters are forgotten. Impressions stay in Imprint.",
                name.get()
            ))
            confirm_label="Delete integration"
            busy_label="Deleting…"
            on_confirm=move |_| { error.set(None); delete.dispatch((env.get_untracked(), id)); }
            busy=delete.pending()
            error=error
            danger=true
        />
    }
    .into_any()
}
