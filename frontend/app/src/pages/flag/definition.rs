//! The Definition tab: treatments, targeting rules in order with the label each reports,
//! the default rule, traffic allocation and details; the editor for editors.

use leptos::prelude::*;

use super::chart::treatment_color;
use super::editor::Editor;
use super::model::{describe, Definition, Rule, Serve};
use super::FlagCtx;
use crate::components::change_number::ChangeNumber;

#[component]
pub fn DefinitionTab() -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    let editing = RwSignal::new(false);
    move || {
        if editing.get() {
            // Taken once: a refetch while editing must not throw the draft away.
            let detail = ctx.detail.get_untracked().and_then(Result::ok);
            let initial = detail.as_ref().and_then(|d| d.definition.clone());
            let creating = initial.is_none();
            let initial =
                initial.unwrap_or_else(|| Definition::starter(&ctx.flag.get_untracked(), &[]));
            return view! { <Editor initial=initial creating=creating editing=editing /> }
                .into_any();
        }
        view! { <ReadView editing=editing /> }.into_any()
    }
}

#[component]
fn ReadView(editing: RwSignal<bool>) -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    move || {
        let Some(detail) = ctx.loaded() else {
            return view! {
                <div class="panel loading-panel" aria-busy="true">
                    <p class="muted">"Loading the definition…"</p>
                </div>
            }
            .into_any();
        };
        match detail.definition {
            None => view! { <ObservedOnly editing=editing /> }.into_any(),
            Some(definition) => view! {
                <Show when=move || ctx.can_edit>
                    <div class="tab-toolbar">
                        <p class="muted">"Changes reach SDKs on their next poll."</p>
                        <button type="button" class="primary" on:click=move |_| editing.set(true)>
                            "Edit definition"
                        </button>
                    </div>
                </Show>
                <DefinitionView definition=definition />
            }
            .into_any(),
        }
    }
}

#[component]
fn ObservedOnly(editing: RwSignal<bool>) -> impl IntoView {
    let ctx = expect_context::<FlagCtx>();
    view! {
        <section class="panel empty-state">
            <h2>"Observed only"</h2>
            <p>
                "SDKs have sent impressions for this flag, but Imprint has no definition for it: "
                "SDKs reading their flags from Imprint answer " <code>"control"</code>
                " (label " <code>"definition not found"</code> ")."
            </p>
            {if ctx.can_edit {
                view! {
                    <button type="button" class="primary" on:click=move |_| editing.set(true)>
                        "Create definition"
                    </button>
                }
                .into_any()
            } else {
                view! { <p class="muted">"An editor or admin can create its definition."</p> }.into_any()
            }}
        </section>
    }
    .into_any()
}

#[component]
pub fn DefinitionView(definition: Definition) -> impl IntoView {
    let d = StoredValue::new(definition);
    let names: Vec<String> =
        d.with_value(|d| d.treatments.iter().map(|t| t.name.clone()).collect());
    let names = StoredValue::new(names);
    let chip = move |name: String| view! { <TreatmentChip name=name names=names.get_value() /> };
    let (killed, archived, default_treatment) = d.with_value(|d| {
        (
            d.killed,
            d.status == "archived",
            d.default_treatment.clone(),
        )
    });

    view! {
        {killed.then(|| view! {
            <div class="banner warn" role="status">
                <strong>"Killed. "</strong>
                "Every key gets the default treatment " {chip(default_treatment.clone())}
                " with the label " <code>"killed"</code> ". Restore the flag to apply its rules again."
            </div>
        })}
        {archived.then(|| view! {
            <div class="banner" role="status">
                "Archived: SDKs answer " <code>"control"</code> " for this flag."
            </div>
        })}
        <div class="definition-grid">
            <section class="panel targeting" aria-labelledby="targeting-title">
                <h2 id="targeting-title">"Targeting"</h2>
                <p class="muted small">
                    "Rules are evaluated in order: the first whose conditions all match decides, and SDKs report its label."
                </p>
                <div class="allocation">
                    <span class="allocation-label">"Traffic allocation"</span>
                    <span class="meter" aria-hidden="true">
                        <span style=format!("width:{}%", d.with_value(|d| d.traffic_allocation))></span>
                    </span>
                    <strong>{format!("{}%", d.with_value(|d| d.traffic_allocation))}</strong>
                    <span class="muted small">
                        "of keys reach the targeting rules; the others get the default treatment, labelled " <code>"not in split"</code> "."
                    </span>
                </div>
                <ol class="rules">
                    {d.with_value(|def| def.rules.clone())
                        .into_iter()
                        .enumerate()
                        .map(|(i, rule)| view! {
                            <RuleView index=i rule=rule traffic_type=d.with_value(|d| d.traffic_type.clone()) names=names />
                        })
                        .collect_view()}
                    <li class="rule default-rule">
                        <div class="rule-head">
                            <span class="rule-num" aria-hidden="true">"∗"</span>
                            <strong>"Default rule"</strong>
                            <span class="label-chip" title="The label SDKs report when this rule decides">
                                <span class="muted">"label "</span>"default rule"
                            </span>
                        </div>
                        <p class="muted small">"Keys that no rule matched."</p>
                        {match d.with_value(|d| d.default_rule.clone()) {
                            Some(serve) => view! { <ServeView serve=serve names=names /> }.into_any(),
                            None => view! {
                                <div class="serve">
                                    <span class="serve-word">"Serve"</span>
                                    {chip(d.with_value(|d| d.default_treatment.clone()))}
                                    <span class="muted small">"(no default rule: the default treatment)"</span>
                                </div>
                            }.into_any(),
                        }}
                    </li>
                </ol>
            </section>
            <div class="side-column">
                <section class="panel" aria-labelledby="treatments-title">
                    <h2 id="treatments-title">"Treatments"</h2>
                    <ul class="treatments">
                        {d.with_value(|d| d.treatments.clone()).into_iter().map(|t| {
                            let is_default = t.name == d.with_value(|d| d.default_treatment.clone());
                            let config = t.config.as_ref().map(|c| serde_json::to_string_pretty(c).unwrap_or_default());
                            view! {
                                <li>
                                    <div class="treatment-row">
                                        {chip(t.name.clone())}
                                        {is_default.then(|| view! { <span class="badge subtle">"default treatment"</span> })}
                                    </div>
                                    {match config {
                                        Some(text) => view! { <pre class="config" aria-label=format!("Configuration of {}", t.name)>{text}</pre> }.into_any(),
                                        None => view! { <p class="muted small">"No configuration"</p> }.into_any(),
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
                <DetailsPanel d=d />
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn DetailsPanel(d: StoredValue<Definition>) -> impl IntoView {
    let def = d.get_value();
    let sets = if def.sets.is_empty() {
        view! { <span class="muted">"None"</span> }.into_any()
    } else {
        def.sets
            .iter()
            .map(|s| view! { <span class="tag">{s.clone()}</span> })
            .collect_view()
            .into_any()
    };
    let description = if def.description.trim().is_empty() {
        view! { <span class="muted">"No description"</span> }.into_any()
    } else {
        view! { <span class="description">{def.description.clone()}</span> }.into_any()
    };
    view! {
        <section class="panel" aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            <dl class="details">
                <dt>"Description"</dt><dd>{description}</dd>
                <dt>"Traffic type"</dt><dd><code>{def.traffic_type.clone()}</code></dd>
                <dt>"Flag sets"</dt><dd class="tags">{sets}</dd>
                <dt>"Status"</dt><dd>{if def.killed { "Killed".to_owned() } else { capitalised(&def.status) }}</dd>
                <dt>"Changed"</dt><dd><ChangeNumber value=def.change_number/></dd>
                {(!def.prerequisites.is_empty()).then(|| view! {
                    <dt>"Prerequisites"</dt>
                    <dd>
                        {def.prerequisites.iter().map(|p| view! {
                            <div><code>{p.flag.clone()}</code> " is " {p.treatments.join(" or ")}</div>
                        }).collect_view()}
                    </dd>
                })}
            </dl>
        </section>
    }
    .into_any()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[component]
fn RuleView(
    index: usize,
    rule: Rule,
    traffic_type: String,
    names: StoredValue<Vec<String>>,
) -> impl IntoView {
    let kind = if rule.kind == "whitelist" {
        "Individual targets"
    } else {
        "Targeting rule"
    };
    let label = rule.label.clone().unwrap_or_default();
    view! {
        <li class="rule">
            <div class="rule-head">
                <span class="rule-num">{index + 1}</span>
                <strong>{kind}</strong>
                <span class="label-chip" title="The label SDKs report when this rule decides">
                    <span class="muted">"label "</span>{label}
                </span>
            </div>
            <ul class="conditions">
                {rule.matchers.iter().enumerate().map(|(i, m)| {
                    let (subject, predicate) = describe(m, &traffic_type);
                    view! {
                        <li>
                            <span class="cond-word">{if i == 0 { "If" } else { "and" }}</span>
                            <code class="subject">{subject}</code>
                            <span>{predicate}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ServeView serve=rule.serve names=names />
        </li>
    }
    .into_any()
}

#[component]
pub fn ServeView(serve: Serve, names: StoredValue<Vec<String>>) -> impl IntoView {
    match serve {
        Serve::Treatment(name) => view! {
            <div class="serve">
                <span class="serve-word">"Serve"</span>
                <TreatmentChip name=name names=names.get_value() />
            </div>
        }
        .into_any(),
        Serve::Split(parts) => {
            let summary = parts
                .iter()
                .map(|p| format!("{} {}%", p.treatment, p.size))
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <div class="serve">
                    <span class="serve-word">"Split"</span>
                    <div class="split-bar" role="img" aria-label=format!("Split: {summary}")>
                        {parts.iter().filter(|p| p.size > 0).map(|p| {
                            let color = color_of(&names.get_value(), &p.treatment);
                            view! {
                                <span style=format!("width:{}%;background:{color}", p.size) title=format!("{} {}%", p.treatment, p.size)>
                                    {(p.size >= 12).then(|| format!("{} {}%", p.treatment, p.size))}
                                </span>
                            }
                        }).collect_view()}
                    </div>
                </div>
            }
            .into_any()
        }
    }
}

fn color_of(names: &[String], name: &str) -> &'static str {
    let index = names.iter().position(|n| n == name).unwrap_or(names.len());
    treatment_color(index, name)
}

#[component]
pub fn TreatmentChip(name: String, names: Vec<String>) -> impl IntoView {
    let color = color_of(&names, &name);
    view! {
        <span class="treatment-chip">
            <span class="swatch" style=format!("background:{color}") aria-hidden="true"></span>
            {name}
        </span>
    }
    .into_any()
}
