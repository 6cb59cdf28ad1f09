//! The form that creates a sink (admins only): the kind, its settings, and the parts every
//! kind shares (name, `track()` events, a filter by flags).

use imprint_types::SinkView;
use leptos::prelude::*;

use super::client;
use super::kinds::{Input, Setting, KINDS};
use super::model::SinkForm;
use crate::api::ApiError;
use crate::components::form_error::FormError;

#[component]
pub fn CreateSinkForm(
    env: Memo<String>,
    /// The created sink, with a webhook's secret in it.
    #[prop(into)]
    on_created: Callback<SinkView>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let form = RwSignal::new(SinkForm::default());
    let problem = RwSignal::new(None::<String>);
    let create = Action::new_unsync(
        |(env, request): &(String, imprint_types::CreateSinkRequest)| {
            let (env, request) = (env.clone(), request.clone());
            async move { client::create_sink(&env, &request).await }
        },
    );
    Effect::new(move |_| match create.value().get() {
        Some(Ok(sink)) => {
            form.set(SinkForm::default());
            create.value().set(None);
            on_created.run(sink);
        }
        Some(Err(e)) => problem.set(Some(refusal(&e))),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form.with_untracked(SinkForm::request) {
            Ok(request) => {
                problem.set(None);
                create.dispatch((env.get_untracked(), request));
            }
            Err(e) => problem.set(Some(e)),
        }
    };
    let settings = move || form.with(|f| f.kind().settings);

    view! {
        <form class="panel sink-form" on:submit=submit aria-labelledby="sink-form-title">
            <h2 id="sink-form-title">"New integration"</h2>
            <div class="form-grid">
                <div class="field">
                    <label for="sink-kind">"Kind"</label>
                    <select id="sink-kind" prop:value=move || form.with(|f| f.kind)
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev);
                            if let Some(k) = KINDS.iter().find(|k| k.value == chosen) {
                                form.update(|f| f.switch_kind(k.value));
                            }
                        }>
                        {KINDS.iter().map(|k| view! { <option value=k.value>{k.label}</option> }).collect_view()}
                    </select>
                    <p class="help">{move || form.with(|f| f.kind().summary)}</p>
                </div>
                <div class="field">
                    <label for="sink-name">"Name"</label>
                    <input id="sink-name" type="text" autocomplete="off" placeholder="e.g. Data warehouse"
                        prop:value=move || form.with(|f| f.name.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.name = v); } />
                </div>
            </div>
            <fieldset class="sink-settings">
                <legend>{move || format!("{} settings", form.with(|f| f.kind().label))}</legend>
                <div class="form-grid">
                    // Keyed by kind and setting, so switching kinds draws fresh fields.
                    <For each=settings key=|s| (s.key, s.label) let:setting>
                        <SettingField setting=*setting form=form />
                    </For>
                </div>
            </fieldset>
            <div class="form-grid">
                <div class="field">
                    <label for="sink-flags">"Only these flags"</label>
                    <input id="sink-flags" type="text" autocomplete="off" spellcheck="false"
                        placeholder="every flag; a, b for some"
                        prop:value=move || form.with(|f| f.flags.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.flags = v); } />
                </div>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=move || form.with(|f| f.events)
                        on:change=move |ev| { let on = event_target_checked(&ev); form.update(|f| f.events = on); } />
                    "Also send track() events"
                </label>
            </div>
            <FormError error=problem />
            <div class="form-actions">
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button type="submit" class="primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Creating…" } else { "Create integration" }}
                </button>
            </div>
        </form>
    }
    .into_any()
}

fn refusal(e: &ApiError) -> String {
    format!("The integration was not created. {}", e.sentence())
}

/// One setting's label and input, bound to the form's value for its key.
#[component]
fn SettingField(setting: Setting, form: RwSignal<SinkForm>) -> impl IntoView {
    let id = format!("sink-setting-{}", setting.key);
    let key = setting.key;
    let value = move || form.with(|f| f.value(key));
    let set = move |v: String| {
        form.update(|f| {
            f.values.insert(key, v);
        })
    };
    let label = if setting.required {
        setting.label.to_owned()
    } else {
        format!("{} (optional)", setting.label)
    };
    match setting.input {
        Input::Checkbox => view! {
            <label class="checkbox">
                <input id=id type="checkbox" prop:checked=move || value() == "true"
                    on:change=move |ev| set(if event_target_checked(&ev) { "true".into() } else { String::new() }) />
                {setting.label}
            </label>
        }
        .into_any(),
        Input::Choice(options) => view! {
            <div class="field">
                <label for=id.clone()>{setting.label}</label>
                <select id=id prop:value=move || {
                    let v = value();
                    if v.is_empty() { options.first().map_or(String::new(), |(o, _)| (*o).to_owned()) } else { v }
                } on:change=move |ev| set(event_target_value(&ev))>
                    {options.iter().map(|(v, text)| view! { <option value=*v>{*text}</option> }).collect_view()}
                </select>
            </div>
        }
        .into_any(),
        input => {
            let kind = match input {
                Input::Secret => "password",
                Input::Number => "number",
                _ => "text",
            };
            view! {
                <div class="field">
                    <label for=id.clone()>{label}</label>
                    <input id=id type=kind autocomplete="off" spellcheck="false" placeholder=setting.hint
                        min=(input == Input::Number).then_some("1")
                        prop:value=value on:input=move |ev| set(event_target_value(&ev)) />
                </div>
            }
            .into_any()
        }
    }
}
