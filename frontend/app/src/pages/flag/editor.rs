//! The structured definition editor. It sends the whole definition
//! (`PUT …/flags/{flag}/definition`) and shows each validation problem next to its field,
//! by the field path the API names (`rules[0].serve.split`, `treatments[1].name`, …).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::editor_rule::{RuleDraft, RuleEditor};
use super::editor_serve::{ServeDraft, ServeEditor, TreatmentSelect};
use super::editor_support::{humanise, next_id, EditorCtx, FieldErrors, Problems};
use super::model::{Definition, Treatment};
use super::request::put_definition;
use super::FlagCtx;

#[derive(Clone, Copy)]
struct TreatmentDraft {
    id: u64,
    name: RwSignal<String>,
    config: RwSignal<String>,
}

impl TreatmentDraft {
    fn new(t: &Treatment) -> TreatmentDraft {
        TreatmentDraft {
            id: next_id(),
            name: RwSignal::new(t.name.clone()),
            config: RwSignal::new(
                t.config
                    .as_ref()
                    .map(|c| serde_json::to_string_pretty(c).unwrap_or_default())
                    .unwrap_or_default(),
            ),
        }
    }
}

#[component]
pub fn Editor(initial: Definition, creating: bool, editing: RwSignal<bool>) -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let names: Vec<String> = initial.treatments.iter().map(|t| t.name.clone()).collect();
    let treatments = RwSignal::new(
        initial
            .treatments
            .iter()
            .map(TreatmentDraft::new)
            .collect::<Vec<_>>(),
    );
    let default_treatment = RwSignal::new(initial.default_treatment.clone());
    let allocation = RwSignal::new(initial.traffic_allocation.to_string());
    let traffic_type = RwSignal::new(initial.traffic_type.clone());
    let sets = RwSignal::new(initial.sets.join(", "));
    let description = RwSignal::new(initial.description.clone());
    let rules = RwSignal::new(
        initial
            .rules
            .iter()
            .map(|r| RuleDraft::new(Some(r.clone()), &names))
            .collect::<Vec<_>>(),
    );
    let default_rule = ServeDraft::new(initial.default_rule.as_ref(), &names);
    let initial = StoredValue::new(initial);
    let problems = Problems(RwSignal::new(Vec::new()));
    let failure = RwSignal::new(None::<String>);
    let summary = NodeRef::<leptos::html::Div>::new();
    // The problems are listed at the top of the form: bring them into view.
    let show_summary = move || {
        request_animation_frame(move || {
            #[cfg(feature = "hydrate")]
            if let Some(el) = summary.get_untracked() {
                el.scroll_into_view();
            }
        })
    };
    let pending = RwSignal::new(false);
    let names = Memo::new(move |_| {
        treatments.with(|list| {
            list.iter()
                .map(|t| t.name.get().trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
        })
    });
    provide_context(EditorCtx { problems, names });

    // A renamed treatment stays selected wherever it was served.
    let rename = move |old: String, new: String| {
        if old.is_empty() || names.get_untracked().iter().filter(|n| **n == old).count() > 1 {
            return;
        }
        let swap = |s: RwSignal<String>| {
            if s.get_untracked() == old {
                s.set(new.clone());
            }
        };
        swap(default_treatment);
        let serves = rules
            .get_untracked()
            .into_iter()
            .map(|r| r.serve)
            .chain([default_rule]);
        for serve in serves {
            swap(serve.treatment);
            serve
                .split
                .get_untracked()
                .iter()
                .for_each(|p| swap(p.treatment));
        }
    };

    let build = move || {
        let mut local = Vec::new();
        let mut d = initial.get_value();
        d.treatments = treatments
            .get()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let text = t.config.get();
                let config = match text.trim() {
                    "" => None,
                    json => serde_json::from_str(json)
                        .map_err(|e| {
                            local.push((
                                format!("treatments[{i}].config"),
                                format!("is not valid JSON ({e})"),
                            ))
                        })
                        .ok(),
                };
                Treatment {
                    name: t.name.get().trim().to_owned(),
                    config,
                }
            })
            .collect();
        d.default_treatment = default_treatment.get();
        match allocation.get().trim().parse::<u8>() {
            Ok(n) if n <= 100 => d.traffic_allocation = n,
            _ => local.push((
                "traffic_allocation".into(),
                "must be a whole number between 0 and 100".into(),
            )),
        }
        d.traffic_type = traffic_type.get().trim().to_owned();
        d.sets = sets
            .get()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        d.description = description.get().trim().to_owned();
        d.rules = rules
            .get()
            .iter()
            .enumerate()
            .map(|(i, r)| r.build(&format!("rules[{i}]"), &mut local))
            .collect();
        d.default_rule = default_rule.build("default_rule", &mut local);
        (d, local)
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (definition, local) = build();
        if !local.is_empty() {
            failure.set(Some(
                "Some fields need fixing before the definition can be saved:".into(),
            ));
            problems.0.set(local);
            show_summary();
            return;
        }
        pending.set(true);
        failure.set(None);
        let (env, flag) = (ctx.env.get_untracked(), ctx.flag.get_untracked());
        // The change number the editor opened at: a save over someone else's newer change
        // is refused (409) instead of silently replacing it.
        let expected = (!creating).then(|| initial.get_value().change_number);
        spawn_local(async move {
            match put_definition(&env, &flag, &definition, expected).await {
                Ok(_) => {
                    problems.0.set(Vec::new());
                    editing.set(false);
                    ctx.detail.refetch();
                }
                Err(e) if e.is_conflict() => {
                    failure.set(Some(
                        "Not saved: someone else changed this flag while you were editing. \
                         Your edits are still here; copy what you need, cancel, and edit the \
                         newest definition again."
                            .into(),
                    ));
                    problems.0.set(Vec::new());
                    show_summary();
                }
                Err(e) if !e.fields.is_empty() => {
                    failure.set(Some(
                        "The definition was not saved. Fix these fields:".into(),
                    ));
                    problems
                        .0
                        .set(e.fields.into_iter().map(|p| (p.field, p.message)).collect());
                    show_summary();
                }
                Err(e) => {
                    failure.set(Some(format!(
                        "The definition was not saved: {}",
                        e.error.sentence()
                    )));
                    problems.0.set(Vec::new());
                    show_summary();
                }
            }
            pending.set(false);
        });
    };

    let add_rule = move |_| {
        rules.update(|list| list.push(RuleDraft::new(None, &names.get_untracked())));
    };
    let bad = move |path: &'static str| move || (!problems.under(path).is_empty()).to_string();

    view! {
        <form class="editor" on:submit=save novalidate>
            <div class="editor-bar">
                <div>
                    <h2>{if creating { "Create definition" } else { "Edit definition" }}</h2>
                    <p class="muted small">"Saving replaces the whole definition and takes a new change number."</p>
                </div>
                <div class="editor-bar-actions">
                    <button type="button" class="secondary" on:click=move |_| editing.set(false)>"Cancel"</button>
                    <button type="submit" class="primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Saving…" } else { "Save definition" }}
                    </button>
                </div>
            </div>
            <Show when=move || failure.get().is_some()>
                <div class="form-error summary" role="alert" node_ref=summary>
                    <p>{move || failure.get()}</p>
                    <ul>
                        {move || problems.0.get().into_iter().map(|(field, message)| {
                            view! { <li><strong>{humanise(&field)}</strong>": " {message}</li> }
                        }).collect_view()}
                    </ul>
                </div>
            </Show>
            <section class="panel" aria-labelledby="edit-treatments">
                <h2 id="edit-treatments">"Treatments"</h2>
                <p class="muted small">"Names SDKs return, each with an optional JSON configuration object."</p>
                <div class="treatment-editors">
                    <For each=move || treatments.get() key=|t| t.id let(t)>
                        {
                            let index = move || treatments.with(|l| l.iter().position(|x| x.id == t.id).unwrap_or(0));
                            let at = move || format!("treatments[{}]", index());
                            view! {
                                <div class="treatment-editor">
                                    <input
                                        class="mono"
                                        aria-label=move || format!("Treatment {} name", index() + 1)
                                        aria-invalid=move || (!problems.at(&format!("{}.name", at())).is_empty()).to_string()
                                        prop:value=move || t.name.get()
                                        on:input=move |ev| {
                                            let old = t.name.get_untracked().trim().to_owned();
                                            let new = event_target_value(&ev);
                                            t.name.set(new.clone());
                                            rename(old, new.trim().to_owned());
                                        }
                                    />
                                    <textarea
                                        class="mono"
                                        rows=move || t.config.with(|c| c.lines().count().clamp(1, 8))
                                        placeholder="{\"color\": \"blue\"}  (optional)"
                                        aria-label=move || format!("Treatment {} configuration (JSON)", index() + 1)
                                        aria-invalid=move || (!problems.at(&format!("{}.config", at())).is_empty()).to_string()
                                        prop:value=move || t.config.get()
                                        on:input=move |ev| t.config.set(event_target_value(&ev))
                                    ></textarea>
                                    <button
                                        type="button"
                                        class="ghost small"
                                        aria-label=move || format!("Remove treatment {}", index() + 1)
                                        on:click=move |_| treatments.update(|l| l.retain(|x| x.id != t.id))
                                    >"Remove"</button>
                                </div>
                                <FieldErrors messages=Signal::derive(move || problems.under_messages(&at())) />
                            }
                        }
                    </For>
                </div>
                <button
                    type="button"
                    class="ghost small"
                    on:click=move |_| treatments.update(|l| l.push(TreatmentDraft::new(&Treatment { name: String::new(), config: None })))
                >"+ Add treatment"</button>
                <FieldErrors messages=Signal::derive(move || problems.at("treatments")) />
                <div class="field">
                    <span class="field-label">"Default treatment"</span>
                    <TreatmentSelect value=default_treatment label="Default treatment" invalid=Signal::derive(move || !problems.at("default_treatment").is_empty()) />
                    <span class="muted small">"Served when the flag is killed and to keys outside the traffic allocation."</span>
                    <FieldErrors messages=Signal::derive(move || problems.at("default_treatment")) />
                </div>
            </section>
            <section class="panel" aria-labelledby="edit-targeting">
                <h2 id="edit-targeting">"Targeting"</h2>
                <div class="field allocation-field">
                    <label for="edit-allocation">"Traffic allocation"</label>
                    <span class="percent-input">
                        <input id="edit-allocation" type="number" min="0" max="100" inputmode="numeric"
                            aria-invalid=bad("traffic_allocation")
                            prop:value=move || allocation.get()
                            on:input=move |ev| allocation.set(event_target_value(&ev)) />
                        <span aria-hidden="true">"%"</span>
                    </span>
                    <span class="muted small">"of keys reach the targeting rules; individual targets always apply."</span>
                    <FieldErrors messages=Signal::derive(move || problems.at("traffic_allocation")) />
                </div>
                <ol class="rule-editors">
                    <For each=move || rules.get() key=|r| r.id let(rule)>
                        <RuleEditor rule=rule rules=rules />
                    </For>
                </ol>
                <button type="button" class="secondary small" on:click=add_rule>"+ Add rule"</button>
                <div class="rule-card default-rule">
                    <div class="rule-card-head"><span class="rule-num">"∗"</span><strong>"Default rule"</strong></div>
                    <ServeEditor serve=default_rule path="default_rule" legend="Default rule serves" allow_none=true />
                </div>
            </section>
            <section class="panel" aria-labelledby="edit-details">
                <h2 id="edit-details">"Details"</h2>
                <div class="details-grid">
                    <div class="field">
                        <label for="edit-traffic-type">"Traffic type"</label>
                        <input id="edit-traffic-type" class="mono" aria-invalid=bad("traffic_type")
                            prop:value=move || traffic_type.get()
                            on:input=move |ev| traffic_type.set(event_target_value(&ev)) />
                        <FieldErrors messages=Signal::derive(move || problems.at("traffic_type")) />
                    </div>
                    <div class="field">
                        <label for="edit-sets">"Flag sets"</label>
                        <input id="edit-sets" placeholder="checkout, mobile" aria-invalid=bad("sets")
                            prop:value=move || sets.get()
                            on:input=move |ev| sets.set(event_target_value(&ev)) />
                        <FieldErrors messages=Signal::derive(move || problems.under_messages("sets")) />
                    </div>
                </div>
                <div class="field">
                    <label for="edit-description">"Description"</label>
                    <textarea id="edit-description" rows="2"
                        prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </div>
            </section>
            <div class="editor-footer">
                <button type="button" class="secondary" on:click=move |_| editing.set(false)>"Cancel"</button>
                <button type="submit" class="primary" disabled=move || pending.get()>"Save definition"</button>
            </div>
        </form>
    }
    .into_any()
}
