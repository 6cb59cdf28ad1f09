//! One condition of a rule, in the editor: subject (key or attribute), negation, the kind of
//! comparison and its values. Kinds the editor does not know keep their JSON as it was.

use leptos::prelude::*;
use serde_json::{Map, Number, Value};

use super::editor_support::{next_id, EditorCtx, FieldErrors};
use super::model::{condition_type, strings, text, Matcher};

/// How a kind's operands are entered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    None,
    Values,
    Versions,
    Segment,
    Number,
    NumberRange,
    Pattern,
    Boolean,
    Version,
    VersionRange,
}

const KINDS: [(&str, &str, Shape); 21] = [
    ("in_list", "is in list", Shape::Values),
    ("in_segment", "is in segment", Shape::Segment),
    ("all_keys", "is any key", Shape::None),
    ("equal_to", "= number", Shape::Number),
    ("greater_than_or_equal_to", "≥ number", Shape::Number),
    ("less_than_or_equal_to", "≤ number", Shape::Number),
    ("between", "is between numbers", Shape::NumberRange),
    ("starts_with", "starts with", Shape::Values),
    ("ends_with", "ends with", Shape::Values),
    ("contains_string", "contains", Shape::Values),
    ("matches_regex", "matches regex", Shape::Pattern),
    ("equal_to_boolean", "is boolean", Shape::Boolean),
    ("equal_to_semver", "= version", Shape::Version),
    (
        "greater_than_or_equal_to_semver",
        "≥ version",
        Shape::Version,
    ),
    ("less_than_or_equal_to_semver", "≤ version", Shape::Version),
    ("between_semver", "is between versions", Shape::VersionRange),
    ("in_list_semver", "is in version list", Shape::Versions),
    ("equal_to_set", "set equals", Shape::Values),
    ("contains_any_of_set", "set contains any of", Shape::Values),
    ("contains_all_of_set", "set contains all of", Shape::Values),
    ("part_of_set", "set is part of", Shape::Values),
];

fn shape_of(kind: &str) -> Option<Shape> {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, _, s)| *s)
}

#[derive(Clone, Copy)]
pub struct MatcherDraft {
    pub id: u64,
    pub on_key: RwSignal<bool>,
    pub attribute: RwSignal<String>,
    pub negate: RwSignal<bool>,
    pub kind: RwSignal<String>,
    /// Comma-separated values or versions.
    pub values: RwSignal<String>,
    /// Segment, pattern, number, version, or a range's start.
    pub first: RwSignal<String>,
    /// A range's end.
    pub second: RwSignal<String>,
    pub boolean: RwSignal<bool>,
    /// The condition as loaded: unknown kinds are saved from it unchanged, known ones keep
    /// its other fields (such as `data_type`).
    pub raw: StoredValue<Value>,
}

impl MatcherDraft {
    pub fn new(m: &Matcher) -> MatcherDraft {
        let c = &m.condition;
        let kind = condition_type(c).to_owned();
        let shape = shape_of(&kind);
        let list = match shape {
            Some(Shape::Versions) => strings(c, "versions"),
            _ => strings(c, "values"),
        };
        let (first, second) = match shape {
            Some(Shape::Segment) => (text(c, "segment"), String::new()),
            Some(Shape::Pattern) => (text(c, "pattern"), String::new()),
            Some(Shape::Number) => (text(c, "value"), String::new()),
            Some(Shape::Version) => (text(c, "version"), String::new()),
            Some(Shape::NumberRange | Shape::VersionRange) => (text(c, "start"), text(c, "end")),
            _ => (String::new(), String::new()),
        };
        MatcherDraft {
            id: next_id(),
            on_key: RwSignal::new(m.attribute.is_none()),
            attribute: RwSignal::new(m.attribute.clone().unwrap_or_default()),
            negate: RwSignal::new(m.negate),
            kind: RwSignal::new(kind),
            values: RwSignal::new(list.join(", ")),
            first: RwSignal::new(first),
            second: RwSignal::new(second),
            boolean: RwSignal::new(c.get("value").and_then(Value::as_bool).unwrap_or(true)),
            raw: StoredValue::new(c.clone()),
        }
    }

    pub fn blank() -> MatcherDraft {
        MatcherDraft::new(&Matcher {
            negate: false,
            attribute: None,
            condition: serde_json::json!({"type": "in_list", "values": []}),
        })
    }

    /// The matcher as JSON; problems the API could not word (a number that is not one) are
    /// added under `path`.
    pub fn build(&self, path: &str, problems: &mut Vec<(String, String)>) -> Matcher {
        let kind = self.kind.get_untracked();
        let raw = self.raw.get_value();
        let attribute = (!self.on_key.get_untracked()).then(|| self.attribute.get_untracked());
        let negate = self.negate.get_untracked();
        let Some(shape) = shape_of(&kind) else {
            return Matcher {
                negate,
                attribute,
                condition: raw,
            };
        };
        let mut c = match raw {
            Value::Object(map) if condition_type(&Value::Object(map.clone())) == kind => map,
            _ => Map::new(),
        };
        c.insert("type".into(), Value::String(kind));
        let list = || -> Value {
            self.values
                .get_untracked()
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| Value::String(v.to_owned()))
                .collect::<Vec<_>>()
                .into()
        };
        let first = self.first.get_untracked().trim().to_owned();
        let second = self.second.get_untracked().trim().to_owned();
        let mut number = |key: &str, text: &str| {
            let value = parse_number(text).unwrap_or_else(|| {
                problems.push((format!("{path}.condition.{key}"), "must be a number".into()));
                Value::Number(0.into())
            });
            c.insert(key.into(), value);
        };
        match shape {
            Shape::None => {}
            Shape::Number => number("value", &first),
            Shape::NumberRange => {
                number("start", &first);
                number("end", &second);
            }
            _ => {}
        }
        match shape {
            Shape::Values => {
                c.insert("values".into(), list());
            }
            Shape::Versions => {
                c.insert("versions".into(), list());
            }
            Shape::Segment => {
                c.insert("segment".into(), first.into());
            }
            Shape::Pattern => {
                // Patterns keep their spaces.
                c.insert("pattern".into(), self.first.get_untracked().into());
            }
            Shape::Boolean => {
                c.insert("value".into(), self.boolean.get_untracked().into());
            }
            Shape::Version => {
                c.insert("version".into(), first.into());
            }
            Shape::VersionRange => {
                c.insert("start".into(), first.into());
                c.insert("end".into(), second.into());
            }
            Shape::None | Shape::Number | Shape::NumberRange => {}
        }
        Matcher {
            negate,
            attribute,
            condition: Value::Object(c),
        }
    }
}

fn parse_number(text: &str) -> Option<Value> {
    let text = text.trim();
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::Number(i.into()));
    }
    let f = text.parse::<f64>().ok()?;
    Number::from_f64(f).map(Value::Number)
}

#[component]
pub fn MatcherEditor(
    matcher: MatcherDraft,
    /// `rules[i].matchers[j]`
    #[prop(into)]
    path: Signal<String>,
    #[prop(into)] position: Signal<usize>,
    on_remove: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<EditorCtx>();
    let problems = ctx.problems;
    let shape = move || shape_of(&matcher.kind.get());
    let bad = move |suffix: &'static str| {
        move || {
            (!problems
                .under(&format!("{}{suffix}", path.get()))
                .is_empty())
            .to_string()
        }
    };
    let name = move |what: &str| format!("Condition {} {what}", position.get() + 1);
    let raw_kind = matcher.raw.with_value(|raw| condition_type(raw).to_owned());
    let unknown = shape_of(&raw_kind).is_none().then_some(raw_kind);

    view! {
        <div class="matcher">
            <div class="matcher-row">
                <span class="cond-word">{move || if position.get() == 0 { "If" } else { "and" }}</span>
                <select
                    aria-label=move || name("subject")
                    prop:value=move || if matcher.on_key.get() { "key" } else { "attribute" }
                    on:change=move |ev| matcher.on_key.set(event_target_value(&ev) == "key")
                >
                    <option value="key" selected=move || matcher.on_key.get()>"the key"</option>
                    <option value="attribute" selected=move || !matcher.on_key.get()>"attribute"</option>
                </select>
                <Show when=move || !matcher.on_key.get()>
                    <input
                        class="attribute-input"
                        placeholder="attribute name"
                        aria-label=move || name("attribute")
                        aria-invalid=bad(".attribute")
                        prop:value=move || matcher.attribute.get()
                        on:input=move |ev| matcher.attribute.set(event_target_value(&ev))
                    />
                </Show>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || matcher.negate.get()
                        on:change=move |ev| matcher.negate.set(event_target_checked(&ev))
                    />
                    "not"
                </label>
                <select
                    aria-label=move || name("type")
                    prop:value=move || matcher.kind.get()
                    on:change=move |ev| matcher.kind.set(event_target_value(&ev))
                >
                    {unknown.clone().map(|kind| {
                        let text = format!("{kind} (kept as is)");
                        view! { <option value=kind.clone() selected=move || matcher.kind.get() == kind>{text}</option> }
                    })}
                    {KINDS.iter().map(|(kind, text, _)| view! {
                        <option value=*kind selected=move || matcher.kind.get() == *kind>{*text}</option>
                    }).collect_view()}
                </select>
                <Operands matcher=matcher shape=Signal::derive(shape) name=Signal::derive(move || name("")) invalid=Signal::derive(move || bad(".condition")() == "true") />
                <button
                    type="button"
                    class="ghost small icon-button"
                    aria-label=move || format!("Remove condition {}", position.get() + 1)
                    title="Remove condition"
                    on:click=move |_| on_remove.run(())
                >"✕"</button>
            </div>
            {move || shape().is_none().then(|| view! {
                <pre class="raw-condition" aria-label="Condition JSON, kept unchanged">
                    {matcher.raw.with_value(|raw| serde_json::to_string(raw).unwrap_or_default())}
                </pre>
            })}
            <FieldErrors messages=Signal::derive(move || problems.under_messages(&path.get())) />
        </div>
    }
    .into_any()
}

#[component]
fn Operands(
    matcher: MatcherDraft,
    shape: Signal<Option<Shape>>,
    name: Signal<String>,
    invalid: Signal<bool>,
) -> impl IntoView {
    let input = move |signal: RwSignal<String>,
                      label: &'static str,
                      placeholder: &'static str,
                      numeric: bool| {
        view! {
            <input
                class="operand"
                inputmode=if numeric { "decimal" } else { "text" }
                placeholder=placeholder
                aria-label=move || format!("{}{label}", name.get())
                aria-invalid=move || invalid.get().to_string()
                prop:value=move || signal.get()
                on:input=move |ev| signal.set(event_target_value(&ev))
            />
        }
    };
    move || match shape.get() {
        Some(Shape::Values) => input(matcher.values, "values", "value, value, …", false).into_any(),
        Some(Shape::Versions) => {
            input(matcher.values, "versions", "1.2.0, 1.3.0", false).into_any()
        }
        Some(Shape::Segment) => input(matcher.first, "segment", "segment name", false).into_any(),
        Some(Shape::Pattern) => input(matcher.first, "pattern", "^regex$", false).into_any(),
        Some(Shape::Number) => input(matcher.first, "number", "0", true).into_any(),
        Some(Shape::Version) => input(matcher.first, "version", "1.2.3", false).into_any(),
        Some(Shape::NumberRange) => view! {
            {input(matcher.first, "from", "from", true)}
            <span class="muted">"and"</span>
            {input(matcher.second, "to", "to", true)}
        }
        .into_any(),
        Some(Shape::VersionRange) => view! {
            {input(matcher.first, "from version", "1.0.0", false)}
            <span class="muted">"and"</span>
            {input(matcher.second, "to version", "2.0.0", false)}
        }
        .into_any(),
        Some(Shape::Boolean) => view! {
            <select
                aria-label=move || format!("{}value", name.get())
                prop:value=move || matcher.boolean.get().to_string()
                on:change=move |ev| matcher.boolean.set(event_target_value(&ev) == "true")
            >
                <option value="true" selected=move || matcher.boolean.get()>"true"</option>
                <option value="false" selected=move || !matcher.boolean.get()>"false"</option>
            </select>
        }
        .into_any(),
        Some(Shape::None) | None => ().into_any(),
    }
}
