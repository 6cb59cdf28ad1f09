//! What the editor's parts share: row keys, the problems by field path and how they are
//! worded.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::*;

static IDS: AtomicU64 = AtomicU64::new(1);

/// Keys for the editor's lists, so rows keep their inputs when others move.
pub fn next_id() -> u64 {
    IDS.fetch_add(1, Ordering::Relaxed)
}

/// Problems by field path, from the API or found before sending.
#[derive(Clone, Copy)]
pub struct Problems(pub RwSignal<Vec<(String, String)>>);

impl Problems {
    /// Messages about exactly this field.
    pub fn at(&self, path: &str) -> Vec<String> {
        self.0.with(|all| {
            all.iter()
                .filter(|(field, _)| field == path)
                .map(|(_, message)| message.clone())
                .collect()
        })
    }

    /// Problems about this field or anything inside it, with the rest of their path.
    pub fn under(&self, prefix: &str) -> Vec<(String, String)> {
        self.0.with(|all| {
            all.iter()
                .filter_map(|(field, message)| {
                    let rest = field.strip_prefix(prefix)?;
                    (rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
                        .then(|| (rest.to_owned(), message.clone()))
                })
                .collect()
        })
    }

    /// `under`, worded: "value 2: must not be empty".
    pub fn under_messages(&self, prefix: &str) -> Vec<String> {
        self.under(prefix)
            .into_iter()
            .map(|(rest, message)| match humanise(&rest) {
                name if name.is_empty() => message,
                name => format!("{name}: {message}"),
            })
            .collect()
    }
}

/// `rules[0].matchers[1].condition.values[2]` → `Rule 1 › condition 2 › value 3`.
pub fn humanise(path: &str) -> String {
    path.split('.')
        .filter(|part| !part.is_empty())
        .filter_map(|part| {
            let (name, index) = match part.split_once('[') {
                Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (part, None),
            };
            let word = match name {
                "" => "item",
                "rules" => "Rule",
                "matchers" => "condition",
                "treatments" => "treatment",
                "split" => "partition",
                "sets" => "set",
                "values" => "value",
                "versions" => "version",
                "size" => "percentage",
                "config" => "configuration",
                "default_rule" => "Default rule",
                "default_treatment" => "Default treatment",
                "traffic_allocation" => "Traffic allocation",
                "traffic_type" => "Traffic type",
                "prerequisites" => "prerequisite",
                "serve" | "condition" => return None,
                other => other,
            };
            Some(match index {
                Some(i) => format!("{word} {}", i + 1),
                None => word.to_owned(),
            })
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

#[derive(Clone, Copy)]
pub struct EditorCtx {
    pub problems: Problems,
    /// The treatments' names as currently typed, for the selects.
    pub names: Memo<Vec<String>>,
}

#[component]
pub fn FieldErrors(#[prop(into)] messages: Signal<Vec<String>>) -> impl IntoView {
    move || {
        let list = messages.get();
        (!list.is_empty()).then(|| {
            view! {
                <ul class="field-errors">
                    {list.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_read_as_words() {
        assert_eq!(
            humanise("rules[0].matchers[1].condition.values[2]"),
            "Rule 1 › condition 2 › value 3"
        );
        assert_eq!(humanise("default_rule.split"), "Default rule › partition");
        assert_eq!(humanise("treatments[1].name"), "treatment 2 › name");
        assert_eq!(humanise(""), "");
    }
}
