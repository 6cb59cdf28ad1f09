//! One targeting rule in the editor: its kind, conditions, what it serves and its label.

use leptos::prelude::*;

use super::editor_matcher::{MatcherDraft, MatcherEditor};
use super::editor_serve::{ServeDraft, ServeEditor};
use super::editor_support::{next_id, EditorCtx, FieldErrors};
use super::model::Rule;

#[derive(Clone, Copy)]
pub struct RuleDraft {
    pub id: u64,
    pub kind: RwSignal<String>,
    pub matchers: RwSignal<Vec<MatcherDraft>>,
    pub serve: ServeDraft,
    pub label: RwSignal<String>,
    /// The label was typed here: it is kept as typed (empty: generated).
    pub label_touched: RwSignal<bool>,
    /// The rule as loaded; `None` for a new rule.
    pub original: StoredValue<Option<Rule>>,
}

impl RuleDraft {
    pub fn new(rule: Option<Rule>, treatments: &[String]) -> RuleDraft {
        let matchers = match &rule {
            Some(r) => r.matchers.iter().map(MatcherDraft::new).collect(),
            None => vec![MatcherDraft::blank()],
        };
        RuleDraft {
            id: next_id(),
            kind: RwSignal::new(
                rule.as_ref()
                    .map(|r| r.kind.clone())
                    .unwrap_or_else(|| "rollout".into()),
            ),
            matchers: RwSignal::new(matchers),
            serve: ServeDraft::new(
                Some(&rule.as_ref().map(|r| r.serve.clone()).unwrap_or_else(|| {
                    super::model::Serve::Treatment(treatments.first().cloned().unwrap_or_default())
                })),
                treatments,
            ),
            label: RwSignal::new(
                rule.as_ref()
                    .and_then(|r| r.label.clone())
                    .unwrap_or_default(),
            ),
            label_touched: RwSignal::new(false),
            original: StoredValue::new(rule),
        }
    }

    /// True when the conditions differ from the loaded rule's: its stored label (generated
    /// from them) would no longer describe it.
    pub fn conditions_changed(&self) -> bool {
        let mut ignored = Vec::new();
        let current: Vec<_> = self
            .matchers
            .get()
            .iter()
            .map(|m| m.build("", &mut ignored))
            .collect();
        let kind = self.kind.get();
        self.original.with_value(|original| match original {
            Some(o) => o.matchers != current || o.kind != kind,
            None => true,
        })
    }

    pub fn build(&self, path: &str, problems: &mut Vec<(String, String)>) -> Rule {
        let matchers = self
            .matchers
            .get()
            .iter()
            .enumerate()
            .map(|(j, m)| m.build(&format!("{path}.matchers[{j}]"), problems))
            .collect();
        let serve = self
            .serve
            .build(&format!("{path}.serve"), problems)
            .unwrap_or_else(|| super::model::Serve::Treatment(String::new()));
        let label = if self.label_touched.get() {
            let typed = self.label.get().trim().to_owned();
            (!typed.is_empty()).then_some(typed)
        } else if self.conditions_changed() {
            None
        } else {
            self.original
                .with_value(|o| o.as_ref().and_then(|o| o.label.clone()))
        };
        Rule {
            kind: self.kind.get(),
            matchers,
            serve,
            label,
        }
    }
}

#[component]
pub fn RuleEditor(rule: RuleDraft, rules: RwSignal<Vec<RuleDraft>>) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let problems = ctx.problems;
    let index = Signal::derive(move || {
        rules.with(|list| list.iter().position(|r| r.id == rule.id).unwrap_or(0))
    });
    let path = Signal::derive(move || format!("rules[{}]", index.get()));
    let number = move || index.get() + 1;
    let shift = move |by: isize| {
        rules.update(|list| {
            let from = index.get_untracked();
            let to = from as isize + by;
            if to >= 0 && (to as usize) < list.len() {
                list.swap(from, to as usize);
            }
        })
    };
    let label_id = format!("rule-label-{}", rule.id);
    let label_hint = move || {
        if rule.label_touched.get() {
            None
        } else if rule.conditions_changed() {
            Some("Generated from the conditions when you save.")
        } else {
            None
        }
    };

    view! {
        <li class="rule-card">
            <div class="rule-card-head">
                <span class="rule-num">{number}</span>
                <select
                    aria-label=move || format!("Rule {} kind", number())
                    prop:value=move || rule.kind.get()
                    on:change=move |ev| rule.kind.set(event_target_value(&ev))
                >
                    <option value="rollout" selected=move || rule.kind.get() == "rollout">"Targeting rule"</option>
                    <option value="whitelist" selected=move || rule.kind.get() == "whitelist">"Individual targets"</option>
                </select>
                <span class="spacer"></span>
                <button
                    type="button"
                    class="ghost small icon-button"
                    aria-label=move || format!("Move rule {} up", number())
                    title="Move up"
                    disabled=move || index.get() == 0
                    on:click=move |_| shift(-1)
                >"↑"</button>
                <button
                    type="button"
                    class="ghost small icon-button"
                    aria-label=move || format!("Move rule {} down", number())
                    title="Move down"
                    disabled=move || { index.get() + 1 >= rules.with(Vec::len) }
                    on:click=move |_| shift(1)
                >"↓"</button>
                <button
                    type="button"
                    class="ghost small danger-text"
                    aria-label=move || format!("Remove rule {}", number())
                    on:click=move |_| rules.update(|list| list.retain(|r| r.id != rule.id))
                >"Remove"</button>
            </div>
            <div class="matchers">
                <For each=move || rule.matchers.get() key=|m| m.id let(matcher)>
                    {
                        let position = Signal::derive(move || {
                            rule.matchers.with(|l| l.iter().position(|m| m.id == matcher.id).unwrap_or(0))
                        });
                        view! {
                            <MatcherEditor
                                matcher=matcher
                                path=Signal::derive(move || format!("{}.matchers[{}]", path.get(), position.get()))
                                position=position
                                on_remove=Callback::new(move |()| rule.matchers.update(|l| l.retain(|m| m.id != matcher.id)))
                            />
                        }
                    }
                </For>
                <button
                    type="button"
                    class="ghost small"
                    on:click=move |_| rule.matchers.update(|l| l.push(MatcherDraft::blank()))
                >"+ Add condition"</button>
                <FieldErrors messages=Signal::derive(move || problems.at(&format!("{}.matchers", path.get()))) />
            </div>
            <ServeEditor
                serve=rule.serve
                path=Signal::derive(move || format!("{}.serve", path.get()))
                legend=Signal::derive(move || format!("Rule {} serves", number()))
            />
            <div class="label-row">
                <label for=label_id.clone()>"Label"</label>
                <input
                    id=label_id
                    placeholder="Generated from the conditions"
                    aria-invalid=move || (!problems.at(&format!("{}.label", path.get())).is_empty()).to_string()
                    prop:value=move || {
                        if !rule.label_touched.get() && rule.conditions_changed() { String::new() } else { rule.label.get() }
                    }
                    on:input=move |ev| {
                        rule.label_touched.set(true);
                        rule.label.set(event_target_value(&ev));
                    }
                />
                <span class="muted small">
                    {move || label_hint().unwrap_or("What SDKs report as the impression's label when this rule decides.")}
                </span>
            </div>
            <FieldErrors messages=Signal::derive(move || problems.at(&format!("{}.label", path.get()))) />
        </li>
    }
    .into_any()
}
