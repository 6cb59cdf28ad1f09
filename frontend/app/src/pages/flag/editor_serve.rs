//! What a rule serves, in the editor: one treatment or a percentage split.

use leptos::prelude::*;

use super::editor_support::{next_id, EditorCtx, FieldErrors};
use super::model::{Partition, Serve};

#[derive(Clone, Copy)]
pub struct PartitionDraft {
    pub id: u64,
    pub treatment: RwSignal<String>,
    pub size: RwSignal<String>,
}

/// `mode`: `treatment`, `split`, or `none` (only the default rule may have none).
#[derive(Clone, Copy)]
pub struct ServeDraft {
    pub mode: RwSignal<&'static str>,
    pub treatment: RwSignal<String>,
    pub split: RwSignal<Vec<PartitionDraft>>,
}

impl ServeDraft {
    pub fn new(serve: Option<&Serve>, treatments: &[String]) -> ServeDraft {
        let first = treatments.first().cloned().unwrap_or_default();
        let second = treatments.get(1).cloned().unwrap_or_else(|| first.clone());
        let even = |a: String, b: String| {
            vec![
                PartitionDraft::new(&Partition {
                    treatment: a,
                    size: 50,
                }),
                PartitionDraft::new(&Partition {
                    treatment: b,
                    size: 50,
                }),
            ]
        };
        match serve {
            Some(Serve::Treatment(name)) => ServeDraft {
                mode: RwSignal::new("treatment"),
                treatment: RwSignal::new(name.clone()),
                split: RwSignal::new(even(first, second)),
            },
            Some(Serve::Split(parts)) => ServeDraft {
                mode: RwSignal::new("split"),
                treatment: RwSignal::new(
                    parts.first().map(|p| p.treatment.clone()).unwrap_or(first),
                ),
                split: RwSignal::new(parts.iter().map(PartitionDraft::new).collect()),
            },
            None => ServeDraft {
                mode: RwSignal::new("none"),
                treatment: RwSignal::new(first.clone()),
                split: RwSignal::new(even(first, second)),
            },
        }
    }

    /// The serve, or the problems found before sending (sizes that are not numbers).
    pub fn build(&self, path: &str, problems: &mut Vec<(String, String)>) -> Option<Serve> {
        match self.mode.get_untracked() {
            "none" => None,
            "treatment" => Some(Serve::Treatment(self.treatment.get_untracked())),
            _ => {
                let parts = self
                    .split
                    .get_untracked()
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let text = p.size.get_untracked();
                        let size = text.trim().parse::<u8>().unwrap_or_else(|_| {
                            problems.push((
                                format!("{path}.split[{i}].size"),
                                "must be a whole number between 0 and 100".into(),
                            ));
                            0
                        });
                        Partition {
                            treatment: p.treatment.get_untracked(),
                            size,
                        }
                    })
                    .collect();
                Some(Serve::Split(parts))
            }
        }
    }
}

impl PartitionDraft {
    fn new(p: &Partition) -> PartitionDraft {
        PartitionDraft {
            id: next_id(),
            treatment: RwSignal::new(p.treatment.clone()),
            size: RwSignal::new(p.size.to_string()),
        }
    }
}

/// A select over the flag's treatments (as currently edited); keeps an unknown current value
/// visible so that a renamed treatment does not silently change what is served.
#[component]
pub fn TreatmentSelect(
    value: RwSignal<String>,
    #[prop(into)] label: Signal<String>,
    #[prop(into, optional)] invalid: Signal<bool>,
) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    view! {
        <select
            aria-label=move || label.get()
            aria-invalid=move || invalid.get().to_string()
            on:change=move |ev| value.set(event_target_value(&ev))
            prop:value=move || value.get()
        >
            {move || {
                let names = ctx.names.get();
                let current = value.get();
                let missing = (!current.is_empty() && !names.contains(&current)).then(|| {
                    let text = format!("{current} (not a treatment)");
                    view! { <option value=current.clone() selected=true>{text}</option> }
                });
                view! {
                    {missing}
                    {names.into_iter().map(|name| {
                        let selected = name == current;
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                }
            }}
        </select>
    }
    .into_any()
}

#[component]
pub fn ServeEditor(
    serve: ServeDraft,
    /// The field path of this serve, e.g. `rules[2].serve` or `default_rule`.
    #[prop(into)]
    path: Signal<String>,
    /// What the radio group is about, e.g. "Rule 3 serves".
    #[prop(into)]
    legend: Signal<String>,
    #[prop(optional)] allow_none: bool,
) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let problems = ctx.problems;
    let name = format!("serve-{}", next_id());
    let total = move || {
        serve
            .split
            .get()
            .iter()
            .map(|p| p.size.get().trim().parse::<u32>().unwrap_or(0))
            .sum::<u32>()
    };
    let modes: Vec<(&'static str, &'static str)> = if allow_none {
        vec![
            ("treatment", "One treatment"),
            ("split", "Percentage split"),
            ("none", "Default treatment"),
        ]
    } else {
        vec![
            ("treatment", "One treatment"),
            ("split", "Percentage split"),
        ]
    };
    let add_partition = move |_| {
        let used: Vec<String> = serve
            .split
            .get_untracked()
            .iter()
            .map(|p| p.treatment.get_untracked())
            .collect();
        let next = ctx
            .names
            .get_untracked()
            .into_iter()
            .find(|n| !used.contains(n))
            .unwrap_or_default();
        serve.split.update(|s| {
            s.push(PartitionDraft::new(&Partition {
                treatment: next,
                size: 0,
            }))
        });
    };

    view! {
        <fieldset class="serve-editor">
            <legend class="visually-hidden">{move || legend.get()}</legend>
            <div class="segmented">
                {modes.into_iter().map(|(mode, text)| {
                    let name = name.clone();
                    view! {
                        <label class="segment" class:checked=move || serve.mode.get() == mode>
                            <input
                                type="radio"
                                name=name
                                value=mode
                                prop:checked=move || serve.mode.get() == mode
                                on:change=move |_| serve.mode.set(mode)
                            />
                            {text}
                        </label>
                    }
                }).collect_view()}
            </div>
            {move || match serve.mode.get() {
                "treatment" => view! {
                    <div class="serve-row">
                        <span class="serve-word">"Serve"</span>
                        <TreatmentSelect
                            value=serve.treatment
                            label=Signal::derive(move || format!("{} treatment", legend.get()))
                            invalid=Signal::derive(move || !problems.at(&format!("{}.treatment", path.get())).is_empty())
                        />
                    </div>
                    <FieldErrors messages=Signal::derive(move || problems.at(&format!("{}.treatment", path.get()))) />
                }.into_any(),
                "split" => view! {
                    <div class="split-editor">
                        <For each=move || serve.split.get() key=|p| p.id let(part)>
                            {
                                let index = move || serve.split.with(|s| s.iter().position(|p| p.id == part.id).unwrap_or(0));
                                let at = move || format!("{}.split[{}]", path.get(), index());
                                view! {
                                    <div class="partition">
                                        <TreatmentSelect
                                            value=part.treatment
                                            label=Signal::derive(move || format!("Partition {} treatment", index() + 1))
                                            invalid=Signal::derive(move || !problems.under(&format!("{}.treatment", at())).is_empty())
                                        />
                                        <span class="percent-input">
                                            <input
                                                type="number"
                                                min="0"
                                                max="100"
                                                inputmode="numeric"
                                                aria-label=move || format!("Partition {} percentage", index() + 1)
                                                aria-invalid=move || (!problems.at(&format!("{}.size", at())).is_empty()).to_string()
                                                prop:value=move || part.size.get()
                                                on:input=move |ev| part.size.set(event_target_value(&ev))
                                            />
                                            <span aria-hidden="true">"%"</span>
                                        </span>
                                        <button
                                            type="button"
                                            class="ghost small"
                                            aria-label=move || format!("Remove partition {}", index() + 1)
                                            on:click=move |_| serve.split.update(|s| s.retain(|p| p.id != part.id))
                                        >"Remove"</button>
                                    </div>
                                    <FieldErrors messages=Signal::derive(move || problems.under_messages(&at())) />
                                }
                            }
                        </For>
                        <div class="split-footer">
                            <button type="button" class="ghost small" on:click=add_partition>"+ Add partition"</button>
                            <span class="split-total" class:bad=move || total() != 100 aria-live="polite">
                                {move || format!("Total {}%", total())}
                            </span>
                        </div>
                    </div>
                    <FieldErrors messages=Signal::derive(move || problems.at(&format!("{}.split", path.get()))) />
                }.into_any(),
                _ => view! {
                    <p class="muted small">"Keys that match no rule get the default treatment."</p>
                }.into_any(),
            }}
            <FieldErrors messages=Signal::derive(move || problems.at(&path.get())) />
        </fieldset>
    }
    .into_any()
}
