//! A sink's dead letters: batches it set aside after the receiver refused them or kept
//! failing, with the receiver's answer; admins retry them.

use imprint_types::{DeadLetterRetryView, DeadLetterView};
use leptos::prelude::*;

use super::client;
use crate::components::form_error::FormError;
use crate::components::format::{date_time, parse_iso_ms};

type Target = (String, i64);

#[component]
pub fn DeadLetters(
    env: Memo<String>,
    id: i64,
    /// The sink's dead-lettered count: the list reloads when it moves.
    count: Signal<i64>,
    is_admin: bool,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let load = Action::new_unsync(|(env, id): &Target| {
        let (env, id) = (env.clone(), *id);
        async move { client::dead_letters(&env, id).await }
    });
    let retry = Action::new_unsync(|(env, id): &Target| {
        let (env, id) = (env.clone(), *id);
        async move { client::retry_dead_letters(&env, id).await }
    });
    Effect::new(move |_| {
        count.track();
        retry.version().track();
        if open.get() {
            load.dispatch((env.get_untracked(), id));
        }
    });
    let load_error = Signal::derive(move || {
        load.value()
            .get()
            .and_then(Result::err)
            .map(|e| format!("The dead letters could not be loaded. {}", e.sentence()))
    });

    view! {
        <div class="sink-dead-letters">
            <button type="button" class="ghost small" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)>
                {move || format!("{} dead letters ({})", if open.get() { "Hide" } else { "Show" }, count.get())}
            </button>
            <Show when=move || open.get()>
                <FormError error=load_error />
                {move || load.value().get().and_then(Result::ok).map(|letters| view! { <LetterList letters=letters /> })}
                {is_admin.then(|| view! {
                    <button type="button" class="secondary small" disabled=move || retry.pending().get()
                        on:click=move |_| { retry.dispatch((env.get_untracked(), id)); }>
                        {move || if retry.pending().get() { "Retrying…" } else { "Retry dead letters" }}
                    </button>
                })}
                {move || retry.value().get().map(|answer| match answer {
                    Ok(r) => view! { <p class="small" role="status" data-testid="dead-letter-retry-result">{retry_text(&r)}</p> }.into_any(),
                    Err(e) => view! { <FormError error=Some(format!("The retry did not run. {}", e.sentence())) /> }.into_any(),
                })}
            </Show>
        </div>
    }
    .into_any()
}

#[component]
fn LetterList(letters: Vec<DeadLetterView>) -> impl IntoView {
    if letters.is_empty() {
        return view! { <p class="muted small" data-testid="dead-letters-empty">"No dead letters."</p> }
            .into_any();
    }
    view! {
        <table class="dead-letters" data-testid="dead-letters">
            <thead><tr><th>"Rows"</th><th>"Ids"</th><th>"Attempts"</th><th>"Set aside"</th><th>"Receiver's answer"</th></tr></thead>
            <tbody>
                {letters.into_iter().map(|l| {
                    let when = parse_iso_ms(&l.created_at).map_or_else(|| l.created_at.clone(), date_time);
                    view! {
                        <tr data-testid="dead-letter">
                            <td class="mono">{format!("{} {}", l.rows, l.stream)}</td>
                            <td class="mono">{format!("{}–{}", l.first_id, l.last_id)}</td>
                            <td class="mono">{l.attempts}</td>
                            <td>{when}</td>
                            <td><code>{l.error}</code></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

fn retry_text(r: &DeadLetterRetryView) -> String {
    let mut text = format!(
        "Retried {}: {} delivered, {} still failing.",
        r.retried, r.delivered, r.still_failing
    );
    if let Some(error) = &r.last_error {
        text.push_str(&format!(" Last answer: {error}"));
    }
    text
}
