//! The form that creates an alert policy (editors and admins): the metric to watch, one flag
//! or every flag, the threshold as a percentage, the minimum sample and an optional webhook.

use imprint_types::{CreatedAlertPolicy, MetricView};
use leptos::prelude::*;

use super::client;
use super::model::PolicyForm;
use crate::components::form_error::FormError;

#[component]
pub fn CreatePolicyForm(
    env: Memo<String>,
    metrics: Vec<MetricView>,
    /// The created policy, with its webhook's secret in it.
    #[prop(into)]
    on_created: Callback<CreatedAlertPolicy>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let form = RwSignal::new(PolicyForm::new());
    let problem = RwSignal::new(None::<String>);
    let create = Action::new_unsync(
        |(env, request): &(String, imprint_types::CreateAlertPolicyRequest)| {
            let (env, request) = (env.clone(), request.clone());
            async move { client::create_policy(&env, &request).await }
        },
    );
    Effect::new(move |_| match create.value().get() {
        Some(Ok(created)) => {
            create.value().set(None);
            form.set(PolicyForm::new());
            on_created.run(created);
        }
        Some(Err(e)) => problem.set(Some(format!(
            "The alert policy was not created. {}",
            e.sentence()
        ))),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form.with_untracked(PolicyForm::request) {
            Ok(request) => {
                problem.set(None);
                create.dispatch((env.get_untracked(), request));
            }
            Err(e) => problem.set(Some(e)),
        }
    };
    view! {
        <form class="panel policy-form" on:submit=submit aria-labelledby="policy-form-title"
            data-testid="policy-form">
            <h2 id="policy-form-title">"New alert policy"</h2>
            <p class="muted small">
                "Fires when a treatment is significantly worse than the baseline on the metric, in its undesired direction, "
                "by more than the threshold. Checked again and again, so it uses an always-valid sequential test."
            </p>
            <div class="form-grid">
                <div class="field">
                    <label for="policy-metric">"Metric"</label>
                    <select id="policy-metric" prop:value=move || form.with(|f| f.metric.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.metric = v); }>
                        <option value="">"Choose a metric…"</option>
                        {metrics.into_iter().map(|m| view! {
                            <option value=m.id.to_string()>{m.name}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="policy-flag">"Flag (optional)"</label>
                    <input id="policy-flag" type="text" autocomplete="off" spellcheck="false"
                        placeholder="every flag with impressions" prop:value=move || form.with(|f| f.flag.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.flag = v); } />
                </div>
                <div class="field">
                    <label for="policy-threshold">"Threshold (%)"</label>
                    <input id="policy-threshold" type="text" inputmode="decimal" autocomplete="off"
                        placeholder="5" prop:value=move || form.with(|f| f.threshold.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.threshold = v); } />
                    <p class="help">"Fire when a treatment is more than this much worse than the baseline."</p>
                </div>
                <div class="field">
                    <label for="policy-min-users">"Minimum users per treatment (optional)"</label>
                    <input id="policy-min-users" type="number" min="1" step="1" autocomplete="off"
                        placeholder="Imprint's default" prop:value=move || form.with(|f| f.min_users.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.min_users = v); } />
                </div>
                <div class="field">
                    <label for="policy-webhook">"Webhook URL (optional)"</label>
                    <input id="policy-webhook" type="url" autocomplete="off" spellcheck="false"
                        placeholder="https://hooks.example.com/imprint" prop:value=move || form.with(|f| f.webhook_url.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.webhook_url = v); } />
                    <p class="help">"Receives fired and resolved alerts, signed as Standard Webhooks."</p>
                </div>
            </div>
            <FormError error=problem />
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button type="submit" class="primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Creating…" } else { "Create policy" }}
                </button>
            </div>
        </form>
    }
    .into_any()
}
