//! Metrics (`/e/{env}/metrics`): what the environment measures from `track()` events, one
//! number per user, compared across treatments on each flag's Metrics impact tab. Editors and
//! admins create, edit and delete them; viewers read them.

pub mod client;
mod form;
mod model;
pub mod words;

use imprint_types::{MetricView, Role};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::dialog::ConfirmDialog;
use crate::components::form_error::FormError;
use crate::env::{env_path, percent_decode};
use crate::session::use_session;
use form::MetricFormPanel;
use words::{describe, direction_label, filter_text};

/// What the form above the list is doing.
#[derive(Debug, Clone, PartialEq)]
enum Editing {
    Closed,
    New,
    Metric(MetricView),
}

#[component]
pub fn MetricsPage() -> impl IntoView {
    let params = use_params_map();
    let env = Memo::new(move |_| percent_decode(&params.read().get("env").unwrap_or_default()));
    let can_edit = use_session()
        .user()
        .is_some_and(|u| u.role.allows(Role::Editor));
    let metrics = LocalResource::new(move || {
        let env = env.get();
        async move { client::list_metrics(&env).await }
    });
    let editing = RwSignal::new(Editing::Closed);
    let on_saved = move |_: MetricView| {
        editing.set(Editing::Closed);
        metrics.refetch();
    };
    let deleting = RwSignal::new(None::<MetricView>);

    view! {
        <Title text="Metrics" />
        <div class="metrics-page">
            <header class="page-header">
                <div>
                    <h1>"Metrics"</h1>
                    <p class="muted">{move || format!(
                        "What {} measures from track() events, one number per user. Each flag's Metrics impact tab compares them across its treatments.",
                        env.get()
                    )}</p>
                </div>
                {can_edit.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| editing.set(Editing::New)>"New metric"</button>
                })}
            </header>
            {move || match editing.get() {
                Editing::Closed => None,
                Editing::New => Some(view! {
                    <MetricFormPanel env=env editing=None on_saved=on_saved on_cancel=move |_| editing.set(Editing::Closed) />
                }.into_any()),
                Editing::Metric(m) => Some(view! {
                    <MetricFormPanel env=env editing=Some(m) on_saved=on_saved on_cancel=move |_| editing.set(Editing::Closed) />
                }.into_any()),
            }}
            {move || match metrics.get() {
                None => view! { <p class="muted loading">"Loading metrics…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <FormError error=Some(format!("The metrics could not be loaded. {}", e.sentence())) />
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <NoMetrics env=env can_edit=can_edit editing=editing /> }.into_any(),
                Some(Ok(list)) => view! {
                    <MetricTable list=list can_edit=can_edit editing=editing deleting=deleting />
                }.into_any(),
            }}
            <DeleteMetric env=env deleting=deleting on_deleted=move |_| metrics.refetch() />
        </div>
    }
    .into_any()
}

#[component]
fn NoMetrics(env: Memo<String>, can_edit: bool, editing: RwSignal<Editing>) -> impl IntoView {
    view! {
        <section class="panel admin-empty">
            <h2>"No metrics yet"</h2>
            <p class="muted">
                "A metric reads one event type: a count, a sum or mean of its value, the mean of a property, or conversion. "
                "Send track() events first; the "
                <a href=move || env_path(&env.get(), "/events")>"Events"</a>
                " page lists the types this environment has seen."
            </p>
            {can_edit.then(|| view! {
                <button type="button" class="primary" on:click=move |_| editing.set(Editing::New)>"Create a metric"</button>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn MetricTable(
    list: Vec<MetricView>,
    can_edit: bool,
    editing: RwSignal<Editing>,
    deleting: RwSignal<Option<MetricView>>,
) -> impl IntoView {
    view! {
        <section class="panel">
            <table class="table metric-table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Event type"</th>
                        <th scope="col">"Measures"</th>
                        <th scope="col">"Direction"</th>
                        {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|m| view! {
                        <MetricRow metric=m can_edit=can_edit editing=editing deleting=deleting />
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
fn MetricRow(
    metric: MetricView,
    can_edit: bool,
    editing: RwSignal<Editing>,
    deleting: RwSignal<Option<MetricView>>,
) -> impl IntoView {
    let filter = filter_text(&metric);
    let edit_target = metric.clone();
    let delete_target = metric.clone();
    let name = metric.name.clone();
    view! {
        <tr data-testid="metric" data-metric=metric.name.clone()>
            <td>
                <strong>{metric.name.clone()}</strong>
                {metric.description.clone().map(|d| view! { <div class="muted small">{d}</div> })}
            </td>
            <td class="mono">{metric.event_type.clone()}</td>
            <td>
                {describe(&metric)}
                {(!filter.is_empty()).then(|| view! { <div class="muted small">{format!("Only where {filter}")}</div> })}
            </td>
            <td>
                <span class=format!("direction direction-{}", metric.direction.as_str())>
                    {direction_label(metric.direction)}
                </span>
            </td>
            {can_edit.then(|| view! {
                <td class="actions">
                    <button type="button" class="secondary small" aria-label=format!("Edit {name}")
                        on:click=move |_| editing.set(Editing::Metric(edit_target.clone()))>"Edit"</button>
                    " "
                    <button type="button" class="ghost small danger" aria-label=format!("Delete {name}")
                        on:click=move |_| deleting.set(Some(delete_target.clone()))>"Delete"</button>
                </td>
            })}
        </tr>
    }
    .into_any()
}

#[component]
fn DeleteMetric(
    env: Memo<String>,
    deleting: RwSignal<Option<MetricView>>,
    #[prop(into)] on_deleted: Callback<()>,
) -> impl IntoView {
    // Open while a metric is chosen; closing the dialog forgets the choice.
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        let chosen = deleting.with(Option::is_some);
        if open.get_untracked() != chosen {
            open.set(chosen);
        }
    });
    Effect::new(move |_| {
        if !open.get() && deleting.with_untracked(Option::is_some) {
            deleting.set(None);
        }
    });
    let delete = Action::new_unsync(|(env, id): &(String, i64)| {
        let (env, id) = (env.clone(), *id);
        async move { client::delete_metric(&env, id).await }
    });
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            delete.value().set(None);
            open.set(false);
            on_deleted.run(());
        }
        Some(Err(e)) => error.set(Some(format!(
            "The metric was not deleted. {}",
            e.sentence()
        ))),
        None => {}
    });
    let name = move || deleting.with(|m| m.as_ref().map(|m| m.name.clone()).unwrap_or_default());
    view! {
        <ConfirmDialog
            open=open
            id="delete-metric"
            title=Signal::derive(move || format!("Delete {}?", name()))
            message=Signal::derive(move || format!(
                "{} disappears from every flag's Metrics impact tab. The events it reads stay in Imprint.",
                name()
            ))
            confirm_label="Delete metric"
            busy_label="Deleting…"
            on_confirm=move |_| {
                error.set(None);
                if let Some(id) = deleting.with_untracked(|m| m.as_ref().map(|m| m.id)) {
                    delete.dispatch((env.get_untracked(), id));
                }
            }
            busy=delete.pending()
            error=error
            danger=true
        />
    }
    .into_any()
}
