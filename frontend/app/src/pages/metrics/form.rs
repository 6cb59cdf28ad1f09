//! The form that creates or edits a metric (editors and admins): name, event type (suggested
//! from the event types the environment has seen), aggregation, the property a property mean
//! reads, an optional property filter and the desired direction.

use imprint_types::{Aggregation, Direction, MetricView};
use leptos::prelude::*;

use super::client;
use super::model::{FilterRow, MetricForm};
use super::words::aggregation_label;
use crate::api::ApiError;
use crate::components::form_error::FormError;
use crate::components::format::now_ms;
use crate::pages::events::client::event_types;

const THIRTY_DAYS: i64 = 30 * 24 * 3_600_000;

/// What the form saves: a new metric, or the changes to `id`.
#[derive(Debug, Clone)]
enum Save {
    Create(imprint_types::CreateMetricRequest),
    Update(i64, imprint_types::UpdateMetricRequest),
}

#[component]
pub fn MetricFormPanel(
    env: Memo<String>,
    /// The metric being edited; a new one when `None`.
    editing: Option<MetricView>,
    #[prop(into)] on_saved: Callback<MetricView>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let editing_id = editing.as_ref().map(|m| m.id);
    let prefix = editing_id.map_or("metric-new".to_owned(), |id| format!("metric-{id}"));
    let title = editing
        .as_ref()
        .map_or("New metric".to_owned(), |m| format!("Edit {}", m.name));
    let form = RwSignal::new(editing.as_ref().map(MetricForm::of).unwrap_or_default());
    let problem = RwSignal::new(None::<String>);
    let save = Action::new_unsync(|(env, save): &(String, Save)| {
        let (env, save) = (env.clone(), save.clone());
        async move {
            match save {
                Save::Create(request) => client::create_metric(&env, &request).await,
                Save::Update(id, request) => client::update_metric(&env, id, &request).await,
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(metric)) => {
            save.value().set(None);
            on_saved.run(metric);
        }
        Some(Err(e)) => problem.set(Some(refusal(&e, editing_id.is_some()))),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = form.with_untracked(|f| match editing_id {
            Some(id) => f.update_request().map(|r| Save::Update(id, r)),
            None => f.create_request().map(Save::Create),
        });
        match request {
            Ok(request) => {
                problem.set(None);
                save.dispatch((env.get_untracked(), request));
            }
            Err(e) => problem.set(Some(e)),
        }
    };
    let id = |field: &str| format!("{prefix}-{field}");
    let title_id = id("title");
    let labelled_by = title_id.clone();
    let suggestions_id = id("event-types");
    let property_id = id("property");
    let save_label = if editing_id.is_some() {
        "Save metric"
    } else {
        "Create metric"
    };

    view! {
        <form class="panel metric-form" on:submit=submit aria-labelledby=labelled_by
            data-testid="metric-form">
            <h2 id=title_id>{title}</h2>
            <p class="muted small">"A metric turns track() events into one number per user; the Metrics impact tab of each flag compares it across treatments."</p>
            <div class="form-grid">
                <TextField id=id("name") label="Name" placeholder="e.g. Checkout rate" form=form
                    read=|f| f.name.clone() write=|f, v| f.name = v />
                <div class="field">
                    <label for=id("event-type")>"Event type"</label>
                    <input id=id("event-type") type="text" autocomplete="off" spellcheck="false"
                        placeholder="e.g. checkout" list=suggestions_id.clone()
                        prop:value=move || form.with(|f| f.event_type.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.event_type = v); } />
                    <EventTypeSuggestions env=env id=suggestions_id />
                </div>
                <div class="field">
                    <label for=id("aggregation")>"Per user"</label>
                    <select id=id("aggregation")
                        prop:value=move || form.with(|f| f.aggregation.as_str())
                        on:change=move |ev| {
                            if let Some(a) = Aggregation::parse(&event_target_value(&ev)) {
                                form.update(|f| f.aggregation = a);
                            }
                        }>
                        {Aggregation::ALL.into_iter().map(|a| view! {
                            <option value=a.as_str()>{aggregation_label(a)}</option>
                        }).collect_view()}
                    </select>
                    <p class="help">{move || form.with(|f| aggregation_help(f.aggregation))}</p>
                </div>
                <Show when=move || form.with(MetricForm::needs_property)>
                    <TextField id=property_id.clone() label="Numeric property" placeholder="e.g. price" form=form
                        read=|f| f.property.clone() write=|f, v| f.property = v />
                </Show>
                <div class="field">
                    <label for=id("direction")>"Better when it"</label>
                    <select id=id("direction")
                        prop:value=move || form.with(|f| f.direction.as_str())
                        on:change=move |ev| {
                            if let Some(d) = Direction::parse(&event_target_value(&ev)) {
                                form.update(|f| f.direction = d);
                            }
                        }>
                        <option value="increase">"Increases"</option>
                        <option value="decrease">"Decreases"</option>
                    </select>
                </div>
                <TextField id=id("description") label="Description (optional)" placeholder="" form=form
                    read=|f| f.description.clone() write=|f, v| f.description = v />
            </div>
            <FilterRows form=form prefix=id("filter") />
            <FormError error=problem />
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button type="submit" class="primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { save_label }}
                </button>
            </div>
        </form>
    }
    .into_any()
}

fn refusal(e: &ApiError, editing: bool) -> String {
    let what = if editing {
        "The metric was not saved."
    } else {
        "The metric was not created."
    };
    format!("{what} {}", e.sentence())
}

fn aggregation_help(aggregation: Aggregation) -> &'static str {
    match aggregation {
        Aggregation::Count => "Events per user; exposed users without events count as 0.",
        Aggregation::Sum => "Sum of the events' value per user; users without events count as 0.",
        Aggregation::Mean => {
            "Mean of the events' value per user; users without events are left out."
        }
        Aggregation::PropertyMean => {
            "Mean of a numeric property per user; users without it are left out."
        }
        Aggregation::Conversion => "Share of exposed users with at least one such event.",
    }
}

#[component]
fn TextField(
    id: String,
    label: &'static str,
    placeholder: &'static str,
    form: RwSignal<MetricForm>,
    read: fn(&MetricForm) -> String,
    write: fn(&mut MetricForm, String),
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="text" autocomplete="off" placeholder=placeholder
                prop:value=move || form.with(read)
                on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| write(f, v)); } />
        </div>
    }
    .into_any()
}

/// The event types seen in the last 30 days, offered as the input's suggestions.
#[component]
fn EventTypeSuggestions(env: Memo<String>, id: String) -> impl IntoView {
    let seen = LocalResource::new(move || {
        let env = env.get();
        async move {
            let to = now_ms();
            event_types(&env, to - THIRTY_DAYS, to)
                .await
                .map(|answer| {
                    answer
                        .event_types
                        .into_iter()
                        .map(|t| t.event_type)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    });
    view! {
        <datalist id=id>
            {move || seen.get().unwrap_or_default().into_iter()
                .map(|name| view! { <option value=name></option> })
                .collect_view()}
        </datalist>
    }
    .into_any()
}

/// `key = value` rows: only events whose properties hold these values count.
#[component]
fn FilterRows(form: RwSignal<MetricForm>, prefix: String) -> impl IntoView {
    let count = move || form.with(|f| f.filter.len());
    view! {
        <fieldset class="metric-filter">
            <legend>"Property filter (optional)"</legend>
            <p class="help">"Only events whose properties have these values count. true, false and numbers match as such."</p>
            <For each=move || 0..count() key=|i| *i let:i>
                <FilterRowInputs form=form index=i prefix=prefix.clone() />
            </For>
            <button type="button" class="ghost small"
                on:click=move |_| form.update(|f| f.filter.push(FilterRow::default()))>
                "+ Add a filter"
            </button>
        </fieldset>
    }
    .into_any()
}

#[component]
fn FilterRowInputs(form: RwSignal<MetricForm>, index: usize, prefix: String) -> impl IntoView {
    let read = move |pick: fn(&FilterRow) -> String| {
        move || form.with(|f| f.filter.get(index).map(pick).unwrap_or_default())
    };
    let write = move |put: fn(&mut FilterRow, String), value: String| {
        form.update(|f| {
            if let Some(row) = f.filter.get_mut(index) {
                put(row, value);
            }
        })
    };
    let key_id = format!("{prefix}-{index}-key");
    let value_id = format!("{prefix}-{index}-value");
    view! {
        <div class="filter-row">
            <label class="visually-hidden" for=key_id.clone()>{format!("Filter {} property", index + 1)}</label>
            <input id=key_id type="text" autocomplete="off" spellcheck="false" placeholder="property"
                prop:value=read(|r| r.key.clone())
                on:input=move |ev| write(|r, v| r.key = v, event_target_value(&ev)) />
            <span aria-hidden="true">"="</span>
            <label class="visually-hidden" for=value_id.clone()>{format!("Filter {} value", index + 1)}</label>
            <input id=value_id type="text" autocomplete="off" spellcheck="false" placeholder="value"
                prop:value=read(|r| r.value.clone())
                on:input=move |ev| write(|r, v| r.value = v, event_target_value(&ev)) />
            <button type="button" class="ghost small" aria-label=format!("Remove filter {}", index + 1)
                on:click=move |_| form.update(|f| { if index < f.filter.len() { f.filter.remove(index); } })>
                "Remove"
            </button>
        </div>
    }
    .into_any()
}
