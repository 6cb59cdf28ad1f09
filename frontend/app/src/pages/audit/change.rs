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
        "user.create" => ("User added", "create"),
        "user.update" => ("User changed", "change"),
        "user.password" => ("Password changed", "change"),
        other => return (other.to_owned(), "change"),
    };
    (text.to_owned(), tone)
}

/// Known shapes made readable before comparing: a key as its kind and hint, a user's
/// `active` as a status, a tracking toggle as tracking, a password change as news.
pub fn readable(action: &str, value: Option<&Value>) -> Option<Value> {
    let value = value?;
    let Value::Object(map) = value else {
        return Some(value.clone());
    };
    let mut out = serde_json::Map::new();
    if action.starts_with("sdk_key.") {
        let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
        let hint = map.get("hint").and_then(Value::as_str).unwrap_or("");
        let prefix = if kind == "client" {
            "imp_cli_"
        } else {
            "imp_srv_"
        };
        out.insert(
            "key".into(),
            Value::String(format!("{kind} {prefix}…{hint}")),
        );
        return Some(Value::Object(out));
    }
    for (field, v) in map {
        match (action, field.as_str(), v) {
            (a, "active", Value::Bool(active)) if a.starts_with("user.") => {
                let status = if *active { "active" } else { "deactivated" };
                out.insert("status".into(), Value::String(status.into()));
            }
            (a, "password_changed", Value::Bool(changed)) if a.starts_with("user.") => {
                if *changed {
                    out.insert("password".into(), Value::String("changed".into()));
                }
            }
            ("flag.tracking", "enabled", v) => {
                out.insert("tracking".into(), v.clone());
            }
            _ => {
                out.insert(field.clone(), v.clone());
            }
        }
    }
    Some(Value::Object(out))
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

/// What changed, field by field. Fields equal on both sides are left out; so are fields that
/// only appear on the new side with an empty or false value (`password_changed: false`).
pub fn lines(old: Option<&Value>, new: Option<&Value>) -> Vec<Line> {
    match (old, new) {
        (None, None) => Vec::new(),
        (None, Some(new)) => fields(new)
            .into_iter()
            .map(|(field, value)| Line::Set {
                field,
                value: short(&value),
            })
            .collect(),
        (Some(old), None) => fields(old)
            .into_iter()
            .map(|(field, value)| Line::Removed {
                field,
                value: short(&value),
            })
            .collect(),
        (Some(Value::Object(old)), Some(Value::Object(new))) => {
            let mut keys: Vec<&String> = new.keys().collect();
            keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
            keys.into_iter()
                .filter_map(|key| {
                    let before = old.get(key);
                    let after = new.get(key);
                    if before == after {
                        return None;
                    }
                    let field = humanize(key);
                    match (before, after) {
                        (None, None) => None,
                        (None, Some(after)) if is_blank(after) => None,
                        (None, Some(after)) => Some(Line::Set {
                            field,
                            value: short(after),
                        }),
                        (Some(before), None) => Some(Line::Removed {
                            field,
                            value: short(before),
                        }),
                        (Some(before), Some(after)) => Some(Line::Changed {
                            field,
                            old: short(before),
                            new: short(after),
                        }),
                    }
                })
                .collect()
        }
        (Some(old), Some(new)) if old == new => Vec::new(),
        (Some(old), Some(new)) => vec![Line::Changed {
            field: "value".into(),
            old: short(old),
            new: short(new),
        }],
    }
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

fn fields(value: &Value) -> Vec<(String, Value)> {
    match value {
        Value::Object(map) => map
            .iter()
            .filter(|(_, v)| !is_blank(v))
            .map(|(k, v)| (humanize(k), v.clone()))
            .collect(),
        other => vec![("value".into(), other.clone())],
    }
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
        Value::Bool(true) => "on".to_owned(),
        Value::Bool(false) => "off".to_owned(),
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

    #[test]
    fn updates_show_only_what_changed() {
        let old = json!({"name": "prod", "retention_days": 90});
        let new = json!({"name": "prod", "retention_days": 30});
        assert_eq!(
            lines(Some(&old), Some(&new)),
            vec![Line::Changed {
                field: "retention days".into(),
                old: "90".into(),
                new: "30".into()
            }]
        );
    }

    #[test]
    fn new_false_flags_are_not_news() {
        let old = json!({"role": "viewer", "active": true});
        let new = json!({"role": "editor", "active": true, "password_changed": false});
        assert_eq!(
            lines(Some(&old), Some(&new)),
            vec![Line::Changed {
                field: "role".into(),
                old: "viewer".into(),
                new: "editor".into()
            }]
        );
    }

    #[test]
    fn creations_and_removals_list_their_fields() {
        let key = json!({"id": 3, "kind": "server", "hint": "ab12"});
        assert_eq!(lines(None, Some(&key)).len(), 3);
        assert!(matches!(lines(Some(&key), None)[0], Line::Removed { .. }));
    }

    #[test]
    fn keys_users_and_tracking_read_as_people_say_them() {
        let key = json!({"id": 3, "kind": "client", "hint": "ab12"});
        let key = readable("sdk_key.revoke", Some(&key));
        assert_eq!(
            lines(key.as_ref(), None),
            vec![Line::Removed {
                field: "key".into(),
                value: "client imp_cli_…ab12".into()
            }]
        );
        let old = readable(
            "user.update",
            Some(&json!({"role": "viewer", "active": true})),
        );
        let new = readable(
            "user.update",
            Some(&json!({"role": "viewer", "active": false, "password_changed": false})),
        );
        assert_eq!(
            lines(old.as_ref(), new.as_ref()),
            vec![Line::Changed {
                field: "status".into(),
                old: "active".into(),
                new: "deactivated".into()
            }]
        );
        let new = readable(
            "user.password",
            Some(&json!({"role": "viewer", "active": true, "password_changed": true})),
        );
        assert_eq!(
            lines(old.as_ref(), new.as_ref()),
            vec![Line::Set {
                field: "password".into(),
                value: "changed".into()
            }]
        );
    }

    #[test]
    fn tracking_reads_as_on_or_off() {
        let on = json!({"enabled": true});
        assert_eq!(
            headline("flag.tracking", Some(&on)),
            ("Impression tracking turned on".into(), "create")
        );
        assert_eq!(short(&json!(false)), "off");
        assert_eq!(short(&json!(["a", "b"])), "a, b");
        assert_eq!(short(&json!("x".repeat(100))).chars().count(), SHORT_CHARS);
    }
}
