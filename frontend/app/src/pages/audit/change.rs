//! Audit entries in words: what an action means, and what changed from the old value to the
//! new one.

use serde_json::Value;

/// The actions the log knows, grouped for the filter: (value, label). A value ending in `.`
/// is a prefix: the API matches actions that start with it.
pub const ACTION_GROUPS: &[(&str, &[(&str, &str)])] = &[
    (
        "Flags",
        &[
            ("flag.", "Every flag change"),
            ("flag.create", "Flag created"),
            ("flag.update", "Definition changed"),
            ("flag.kill", "Flag killed"),
            ("flag.restore", "Flag restored"),
            ("flag.import", "Flag imported"),
            ("flag.tracking", "Impression tracking"),
        ],
    ),
    (
        "Environments",
        &[
            ("environment.", "Every environment change"),
            ("environment.create", "Environment created"),
            (
                "environment.update",
                "Environment renamed or retention changed",
            ),
            ("sdk_key.", "Every SDK key change"),
            ("sdk_key.create", "SDK key added"),
            ("sdk_key.revoke", "SDK key revoked"),
        ],
    ),
    (
        "Targeting",
        &[
            ("segment.save", "Segment saved"),
            ("traffic_type.create", "Traffic type created"),
        ],
    ),
    (
        "Metrics",
        &[
            ("metric.", "Every metric change"),
            ("metric.create", "Metric created"),
            ("metric.update", "Metric changed"),
            ("metric.delete", "Metric deleted"),
        ],
    ),
    (
        "Integrations",
        &[
            ("sink.", "Every sink change"),
            ("sink.create", "Sink added"),
            ("sink.update", "Sink settings changed"),
            ("sink.pause", "Sink paused"),
            ("sink.resume", "Sink resumed"),
            ("sink.replay", "Sink replayed"),
            ("sink.retry_dead_letters", "Dead letters retried"),
            ("sink.delete", "Sink deleted"),
        ],
    ),
    (
        "Users",
        &[
            ("user.", "Every user change"),
            ("user.create", "User added"),
            ("user.update", "Role or status changed"),
            ("user.password", "Password changed or reset"),
        ],
    ),
];

/// How an entry reads: its headline and its tone (for the marker's colour).
pub fn headline(action: &str, new_value: Option<&Value>) -> (String, &'static str) {
    let enabled = new_value
        .and_then(|v| v.get("enabled"))
        .and_then(Value::as_bool);
    let (text, tone) = match action {
        "flag.tracking" => match enabled {
            Some(true) => ("Impression tracking turned on", "create"),
            Some(false) => ("Impression tracking turned off", "remove"),
            None => ("Impression tracking changed", "change"),
        },
        "flag.create" => ("Flag created", "create"),
        "flag.update" => ("Flag definition changed", "change"),
        "flag.kill" => ("Flag killed", "remove"),
        "flag.restore" => ("Flag restored", "create"),
        "flag.import" => ("Flag imported", "change"),
        "environment.create" => ("Environment created", "create"),
        "environment.update" => ("Environment changed", "change"),
        "sdk_key.create" => ("SDK key added", "create"),
        "sdk_key.revoke" => ("SDK key revoked", "remove"),
        "segment.save" => ("Segment saved", "change"),
        "traffic_type.create" => ("Traffic type created", "create"),
        "metric.create" => ("Metric created", "create"),
        "metric.update" => ("Metric changed", "change"),
        "metric.delete" => ("Metric deleted", "remove"),
        "sink.create" => ("Sink added", "create"),
        "sink.update" => ("Sink settings changed", "change"),
        "sink.pause" => ("Sink paused", "remove"),
        "sink.resume" => ("Sink resumed", "create"),
        "sink.replay" => ("Sink replayed from a date", "change"),
        "sink.retry_dead_letters" => ("Dead letters retried", "change"),
        "sink.delete" => ("Sink deleted", "remove"),
        "user.create" => ("User added", "create"),
        "user.update" => ("User changed", "change"),
        "user.password" => ("Password changed", "change"),
        other => return (other.to_owned(), "change"),
    };
    (text.to_owned(), tone)
}

/// A value as named fields, in the order they read best.
pub type Fields = Vec<(String, Value)>;

/// Known shapes made readable before comparing: a key as its kind and hint, a user's
/// `active` as a status, a tracking toggle as on or off, a segment as its key count, a flag
/// definition as what people decide (treatments, rules, serving) without its seeds and
/// change numbers. Anything else keeps its fields, with `_` read as a space.
pub fn readable(action: &str, value: Option<&Value>) -> Option<Fields> {
    let value = value?;
    let Value::Object(map) = value else {
        return Some(vec![("value".into(), value.clone())]);
    };
    let text = |v: String| Value::String(v);
    let str_of = |field: &str| {
        map.get(field)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    if action.starts_with("sdk_key.") {
        let kind = str_of("kind");
        let prefix = if kind == "client" {
            "imp_cli_"
        } else {
            "imp_srv_"
        };
        let key = format!("{kind} {prefix}…{}", str_of("hint"));
        return Some(vec![("key".into(), text(key))]);
    }
    if action == "segment.save" {
        let keys = map.get("keys").map(|k| k.to_string()).unwrap_or_default();
        let value = match (map.get("added"), map.get("removed")) {
            (Some(added), Some(removed)) => format!("{keys} (+{added}, −{removed})"),
            _ => keys,
        };
        return Some(vec![("keys".into(), text(value))]);
    }
    if action.starts_with("flag.") && map.contains_key("treatments") {
        return Some(flag_fields(map));
    }
    let mut out = Fields::new();
    for (field, v) in map {
        match (action, field.as_str(), v) {
            (a, "active", Value::Bool(active)) if a.starts_with("user.") => {
                let status = if *active { "active" } else { "deactivated" };
                out.push(("status".into(), text(status.into())));
            }
            (a, "password_changed", Value::Bool(changed)) if a.starts_with("user.") => {
                if *changed {
                    out.push(("password".into(), text("changed".into())));
                }
            }
            ("flag.tracking", "enabled", Value::Bool(on)) => {
                out.push((
                    "tracking".into(),
                    text(if *on { "on" } else { "off" }.into()),
                ));
            }
            _ => out.push((humanize(field), v.clone())),
        }
    }
    Some(out)
}

/// A flag definition as people read it.
fn flag_fields(map: &serde_json::Map<String, Value>) -> Fields {
    let text = |v: String| Value::String(v);
    let mut out = Fields::new();
    let treatments = map
        .get("treatments")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|t| t.get("name").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    out.push(("treatments".into(), text(treatments)));
    if let Some(default) = map.get("default_treatment") {
        out.push(("default treatment".into(), default.clone()));
    }
    if let Some(serve) = map.get("default_rule").filter(|v| !v.is_null()) {
        out.push(("default rule".into(), text(serving(serve))));
    }
    let rules = map
        .get("rules")
        .and_then(Value::as_array)
        .map(|rules| {
            rules
                .iter()
                .map(|rule| {
                    let label = rule.get("label").and_then(Value::as_str).unwrap_or("rule");
                    let serve = rule.get("serve").map(serving).unwrap_or_default();
                    format!("{label} → {serve}")
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    out.push((
        "rules".into(),
        text(if rules.is_empty() {
            "none".into()
        } else {
            rules
        }),
    ));
    if let Some(allocation) = map.get("traffic_allocation").and_then(Value::as_i64) {
        out.push(("traffic allocation".into(), text(format!("{allocation}%"))));
    }
    for (field, name) in [
        ("traffic_type", "traffic type"),
        ("sets", "sets"),
        ("status", "status"),
        ("killed", "killed"),
        ("description", "description"),
        ("prerequisites", "prerequisites"),
    ] {
        if let Some(v) = map.get(field) {
            out.push((name.into(), v.clone()));
        }
    }
    let configs: serde_json::Map<String, Value> = map
        .get("treatments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| {
            Some((
                t.get("name")?.as_str()?.to_owned(),
                t.get("config")?.clone(),
            ))
        })
        .collect();
    if !configs.is_empty() {
        out.push(("configs".into(), Value::Object(configs)));
    }
    out
}

/// `{"treatment":"on"}` → `on`; `{"split":[…]}` → `on 80% / off 20%`.
fn serving(serve: &Value) -> String {
    if let Some(treatment) = serve.get("treatment").and_then(Value::as_str) {
        return treatment.to_owned();
    }
    match serve.get("split").and_then(Value::as_array) {
        Some(parts) => parts
            .iter()
            .map(|p| {
                let treatment = p.get("treatment").and_then(Value::as_str).unwrap_or("?");
                let size = p.get("size").and_then(Value::as_i64).unwrap_or(0);
                format!("{treatment} {size}%")
            })
            .collect::<Vec<_>>()
            .join(" / "),
        None => serve.to_string(),
    }
}

/// One line of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A field that changed.
    Changed {
        field: String,
        old: String,
        new: String,
    },
    /// A field of something created.
    Set { field: String, value: String },
    /// A field of something removed.
    Removed { field: String, value: String },
}

/// What changed, field by field. Fields equal on both sides are left out; so are empty or
/// false fields that only one side has.
pub fn lines(old: Option<&Fields>, new: Option<&Fields>) -> Vec<Line> {
    let empty = Fields::new();
    let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    let get = |fields: &Fields, name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut names: Vec<String> = new.iter().map(|(n, _)| n.clone()).collect();
    names.extend(
        old.iter()
            .map(|(n, _)| n.clone())
            .filter(|n| !new.iter().any(|(m, _)| m == n)),
    );
    names
        .into_iter()
        .filter_map(|field| match (get(old, &field), get(new, &field)) {
            (before, after) if before == after => None,
            (None, Some(after)) if is_blank(&after) => None,
            (Some(before), None) if is_blank(&before) => None,
            (None, Some(after)) => Some(Line::Set {
                field,
                value: short(&after),
            }),
            (Some(before), None) => Some(Line::Removed {
                field,
                value: short(&before),
            }),
            (Some(before), Some(after)) => Some(Line::Changed {
                field,
                old: short(&before),
                new: short(&after),
            }),
            (None, None) => None,
        })
        .collect()
}

/// True when the values are too big for one line each: the full JSON is worth showing.
pub fn has_detail(old: Option<&Value>, new: Option<&Value>) -> bool {
    let big = |v: &Value| match v {
        Value::Object(map) => map.values().any(|v| v.is_object() || v.is_array()),
        Value::Array(_) => true,
        _ => false,
    };
    old.is_some_and(big) || new.is_some_and(big)
}

fn is_blank(value: &Value) -> bool {
    matches!(value, Value::Null | Value::Bool(false))
        || value.as_str().is_some_and(str::is_empty)
        || value.as_array().is_some_and(Vec::is_empty)
}

/// `retention_days` → `retention days`.
fn humanize(key: &str) -> String {
    key.replace('_', " ")
}

const SHORT_CHARS: usize = 60;

/// A value on one line: strings bare, booleans as words, the rest as compact JSON, cut short.
pub fn short(value: &Value) -> String {
    let text = match value {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(|v| v.is_string() || v.is_number()) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    if text.chars().count() > SHORT_CHARS {
        let cut: String = text.chars().take(SHORT_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

pub fn pretty(value: Option<&Value>) -> String {
    value
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string()))
        .unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diff(action: &str, old: Option<Value>, new: Option<Value>) -> Vec<Line> {
        lines(
            readable(action, old.as_ref()).as_ref(),
            readable(action, new.as_ref()).as_ref(),
        )
    }

    fn changed(field: &str, old: &str, new: &str) -> Line {
        Line::Changed {
            field: field.into(),
            old: old.into(),
            new: new.into(),
        }
    }

    #[test]
    fn updates_show_only_what_changed() {
        let old = json!({"name": "prod", "retention_days": 90});
        let new = json!({"name": "prod", "retention_days": 30});
        assert_eq!(
            diff("environment.update", Some(old), Some(new)),
            vec![changed("retention days", "90", "30")]
        );
    }

    #[test]
    fn creations_and_removals_list_their_fields() {
        let env = json!({"name": "prod", "retention_days": 90});
        assert_eq!(diff("environment.create", None, Some(env)).len(), 2);
        let key = json!({"id": 3, "kind": "client", "hint": "ab12"});
        assert_eq!(
            diff("sdk_key.revoke", Some(key), None),
            vec![Line::Removed {
                field: "key".into(),
                value: "client imp_cli_…ab12".into()
            }]
        );
    }

    #[test]
    fn users_read_as_status_and_password_news() {
        let old = json!({"role": "viewer", "active": true});
        let off = json!({"role": "viewer", "active": false, "password_changed": false});
        assert_eq!(
            diff("user.update", Some(old.clone()), Some(off)),
            vec![changed("status", "active", "deactivated")]
        );
        let reset = json!({"role": "viewer", "active": true, "password_changed": true});
        assert_eq!(
            diff("user.password", Some(old), Some(reset)),
            vec![Line::Set {
                field: "password".into(),
                value: "changed".into()
            }]
        );
    }

    #[test]
    fn definitions_read_as_decisions_without_seeds() {
        let old = json!({
            "name": "checkout", "traffic_type": "user", "seed": 1, "change_number": 10,
            "treatments": [{"name": "on", "config": {"color": "blue"}}, {"name": "off"}],
            "default_treatment": "off", "killed": false, "traffic_allocation": 100,
            "rules": [{"label": "whitelisted", "serve": {"treatment": "on"}}],
            "default_rule": {"split": [{"treatment": "on", "size": 50}, {"treatment": "off", "size": 50}]},
        });
        let mut new = old.clone();
        new["seed"] = json!(2);
        new["change_number"] = json!(11);
        new["killed"] = json!(true);
        new["default_rule"] = json!({"treatment": "off"});
        assert_eq!(
            diff("flag.kill", Some(old.clone()), Some(new)),
            vec![
                changed("default rule", "on 50% / off 50%", "off"),
                changed("killed", "no", "yes"),
            ]
        );
        let created = diff("flag.create", None, Some(old));
        assert!(created.contains(&Line::Set {
            field: "rules".into(),
            value: "whitelisted → on".into()
        }));
        assert!(!created
            .iter()
            .any(|l| matches!(l, Line::Set { field, .. } if field == "seed")));
    }

    #[test]
    fn tracking_and_segments_read_in_words() {
        assert_eq!(
            headline("flag.tracking", Some(&json!({"enabled": true}))),
            ("Impression tracking turned on".into(), "create")
        );
        assert_eq!(
            diff(
                "flag.tracking",
                Some(json!({"enabled": true})),
                Some(json!({"enabled": false}))
            ),
            vec![changed("tracking", "on", "off")]
        );
        assert_eq!(
            diff(
                "segment.save",
                Some(json!({"keys": 0})),
                Some(json!({"keys": 3, "added": 3, "removed": 0}))
            ),
            vec![changed("keys", "0", "3 (+3, −0)")]
        );
        assert_eq!(short(&json!(["a", "b"])), "a, b");
        assert_eq!(short(&json!("x".repeat(100))).chars().count(), SHORT_CHARS);
    }
}
