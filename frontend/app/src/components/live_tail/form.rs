//! The tail's query: criteria on any column, applied together (which reconnects), and how
//! many minutes of stored rows to replay first.

use leptos::prelude::*;

use super::criteria::Criteria;
use super::kind::TailKind;

const REPLAYS: [(u32, &str); 4] = [
    (0, "No replay"),
    (5, "Last 5 minutes"),
    (15, "Last 15 minutes"),
    (60, "Last 60 minutes"),
];

#[component]
pub fn CriteriaForm(
    criteria: RwSignal<Criteria>,
    replay: RwSignal<u32>,
    fixed_flag: bool,
    kind: TailKind,
    /// Called when the query changes (the table starts over).
    on_change: Callback<()>,
) -> impl IntoView {
    let draft = RwSignal::new(criteria.get_untracked());
    let error = RwSignal::new(None::<String>);
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = draft.get_untracked();
        if let Some(problem) = wanted.property_error() {
            error.set(Some(problem));
            return;
        }
        error.set(None);
        if wanted != criteria.get_untracked() {
            on_change.run(());
            criteria.set(wanted);
        }
    };
    let reset = move |_| {
        draft.set(Criteria::default());
        error.set(None);
        if !criteria.get_untracked().is_empty() {
            on_change.run(());
            criteria.set(Criteria::default());
        }
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      placeholder: &'static str,
                      get: fn(&Criteria) -> &String,
                      set: fn(&mut Criteria, String)| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input
                    id=id
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=placeholder
                    prop:value=move || draft.with(|d| get(d).clone())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        draft.update(|d| set(d, value));
                    }
                />
            </div>
        }
    };
    let changed = move || draft.get() != criteria.get();

    view! {
        <form class="live-criteria panel" on:submit=apply aria-label="Live tail query">
            <div class="criteria-grid">
                {(kind == TailKind::Events).then(|| field("tail-event-type", "Event type", "any", |c| &c.event_type, |c, v| c.event_type = v))}
                {(kind == TailKind::Impressions && !fixed_flag).then(|| field("tail-flag", "Flag", "any flag; a, b for several", |c| &c.flag, |c, v| c.flag = v))}
                {(kind == TailKind::Impressions).then(|| field("tail-treatment", "Treatment", "any", |c| &c.treatment, |c, v| c.treatment = v))}
                {field("tail-key", "Key", "any", |c| &c.key, |c, v| c.key = v)}
                {(kind == TailKind::Impressions).then(|| field("tail-label", "Label", "any", |c| &c.label, |c, v| c.label = v))}
                {field("tail-sdk", "SDK", "e.g. nodejs-11.1.0", |c| &c.sdk, |c, v| c.sdk = v)}
                {field("tail-properties", "Properties", "NAME=VALUE, …", |c| &c.properties, |c, v| c.properties = v)}
                <div class="field">
                    <label for="tail-replay">"Replay"</label>
                    <select
                        id="tail-replay"
                        prop:value=move || replay.get().to_string()
                        on:change=move |ev| {
                            let minutes = event_target_value(&ev).parse().unwrap_or(0);
                            on_change.run(());
                            replay.set(minutes);
                        }
                    >
                        {REPLAYS.iter().map(|(minutes, text)| view! {
                            <option value=minutes.to_string() selected=move || replay.get() == *minutes>{*text}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="criteria-actions">
                <button type="submit" class="primary small">"Apply filters"</button>
                <button type="button" class="ghost small" on:click=reset>"Clear filters"</button>
                <span class="muted small" aria-live="polite">
                    {move || changed().then_some("Changes apply when you press Apply filters.")}
                </span>
            </div>
        </form>
    }
    .into_any()
}
