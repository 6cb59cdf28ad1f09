//! The environment's alert policies: what each watches and from when it fires; editors and
//! admins enable or disable, evaluate now or delete them.

use imprint_types::{AlertPolicyView, UpdateAlertPolicyRequest};
use leptos::prelude::*;

use super::client;
use super::model::percent_text;
use crate::components::dialog::ConfirmDialog;
use crate::components::form_error::FormError;
use crate::components::format::grouped;

#[component]
pub fn PolicyTable(
    env: Memo<String>,
    policies: Vec<AlertPolicyView>,
    can_edit: bool,
    /// A policy changed or was deleted: read the policies and alerts again.
    #[prop(into)]
    on_changed: Callback<()>,
    /// A policy was evaluated: read the alerts again (the policies stay as they are, so each
    /// row keeps what its evaluation said).
    #[prop(into)]
    on_evaluated: Callback<()>,
) -> impl IntoView {
    view! {
        <table class="table policy-table">
            <thead>
                <tr>
                    <th scope="col">"Metric"</th>
                    <th scope="col">"Flag"</th>
                    <th scope="col">"Fires when worse by"</th>
                    <th scope="col">"After"</th>
                    <th scope="col">"Webhook"</th>
                    <th scope="col">"State"</th>
                    {can_edit.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                </tr>
            </thead>
            <tbody>
                {policies.into_iter().map(|p| view! {
                    <PolicyRow env=env policy=p can_edit=can_edit on_changed=on_changed on_evaluated=on_evaluated />
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn PolicyRow(
    env: Memo<String>,
    policy: AlertPolicyView,
    can_edit: bool,
    on_changed: Callback<()>,
    on_evaluated: Callback<()>,
) -> impl IntoView {
    let id = policy.id;
    let enabled = policy.enabled;
    let name = format!("the policy on {}", policy.metric);
    let webhook = policy.webhook_url.clone().unwrap_or_else(|| "–".into());
    view! {
        <tr data-testid="alert-policy" data-metric=policy.metric.clone()>
            <td><strong>{policy.metric.clone()}</strong></td>
            <td>{match policy.flag.clone() {
                Some(flag) => view! { <span class="mono">{flag}</span> }.into_any(),
                None => view! { <span class="muted">"every flag"</span> }.into_any(),
            }}</td>
            <td>{percent_text(policy.threshold)}</td>
            <td>{format!("{} users per treatment", grouped(policy.min_users as i64))}</td>
            <td class="policy-webhook">{webhook}</td>
            <td>
                <span class=if enabled { "state-on" } else { "state-off" }>
                    {if enabled { "Enabled" } else { "Disabled" }}
                </span>
            </td>
            {can_edit.then(|| view! {
                <td class="actions"><PolicyActions env=env id=id name=name enabled=enabled on_changed=on_changed on_evaluated=on_evaluated /></td>
            })}
        </tr>
    }
    .into_any()
}

#[component]
fn PolicyActions(
    env: Memo<String>,
    id: i64,
    name: String,
    enabled: bool,
    on_changed: Callback<()>,
    on_evaluated: Callback<()>,
) -> impl IntoView {
    let toggle = Action::new_unsync(move |env: &String| {
        let env = env.clone();
        let request = UpdateAlertPolicyRequest {
            enabled: Some(!enabled),
            ..UpdateAlertPolicyRequest::default()
        };
        async move { client::update_policy(&env, id, &request).await.map(|_| ()) }
    });
    let evaluate = Action::new_unsync(move |env: &String| {
        let env = env.clone();
        async move { client::evaluate_policy(&env, id).await }
    });
    let error = RwSignal::new(None::<String>);
    let outcome = RwSignal::new(None::<String>);
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(())) => on_changed.run(()),
        Some(Err(e)) => error.set(Some(format!("The policy did not change. {}", e.sentence()))),
        None => {}
    });
    Effect::new(move |_| match evaluate.value().get() {
        Some(Ok(firing)) => {
            error.set(None);
            outcome.set(Some(match firing.len() {
                0 => "Evaluated: nothing fires.".to_owned(),
                1 => "Evaluated: 1 alert firing.".to_owned(),
                n => format!("Evaluated: {n} alerts firing."),
            }));
            on_evaluated.run(());
        }
        Some(Err(e)) => error.set(Some(format!(
            "The policy was not evaluated. {}",
            e.sentence()
        ))),
        None => {}
    });
    let delete_open = RwSignal::new(false);
    let label = name.clone();
    view! {
        <div class="policy-actions">
            <button type="button" class="secondary small" disabled=move || evaluate.pending().get()
                aria-label=format!("Evaluate {label} now")
                on:click=move |_| { evaluate.dispatch(env.get_untracked()); }>
                {move || if evaluate.pending().get() { "Evaluating…" } else { "Evaluate now" }}
            </button>
            <button type="button" class="secondary small" disabled=move || toggle.pending().get()
                on:click=move |_| { toggle.dispatch(env.get_untracked()); }>
                {if enabled { "Disable" } else { "Enable" }}
            </button>
            <button type="button" class="ghost small danger" on:click=move |_| delete_open.set(true)>"Delete"</button>
        </div>
        {move || outcome.get().map(|text| view! { <p class="small" role="status" data-testid="evaluate-result">{text}</p> })}
        <FormError error=error />
        <DeletePolicy env=env id=id name=name open=delete_open on_deleted=on_changed />
    }
    .into_any()
}

#[component]
fn DeletePolicy(
    env: Memo<String>,
    id: i64,
    name: String,
    open: RwSignal<bool>,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let delete = Action::new_unsync(move |env: &String| {
        let env = env.clone();
        async move { client::delete_policy(&env, id).await }
    });
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            open.set(false);
            on_deleted.run(());
        }
        Some(Err(e)) => error.set(Some(format!(
            "The policy was not deleted. {}",
            e.sentence()
        ))),
        None => {}
    });
    view! {
        <ConfirmDialog
            open=open
            id=format!("delete-policy-{id}")
            title=format!("Delete {name}?")
            message="It stops watching at once, and the alerts it fired are deleted with it."
            confirm_label="Delete policy"
            busy_label="Deleting…"
            on_confirm=move |_| { error.set(None); delete.dispatch(env.get_untracked()); }
            busy=delete.pending()
            error=error
            danger=true
        />
    }
    .into_any()
}
