//! What the create form holds, and how it becomes a `CreateSinkRequest`.

use std::collections::BTreeMap;

use imprint_types::CreateSinkRequest;
use serde_json::{json, Map, Value};

use super::kinds::{kind, Input, Kind, Setting};

#[derive(Debug, Clone, PartialEq)]
pub struct SinkForm {
    pub kind: &'static str,
    pub name: String,
    /// Also deliver `track()` events.
    pub events: bool,
    /// Only these flags, comma-separated; every flag when empty.
    pub flags: String,
    /// Typed settings by `config` key (a checkbox holds "true" or "").
    pub values: BTreeMap<&'static str, String>,
}

impl Default for SinkForm {
    fn default() -> Self {
        SinkForm {
            kind: "webhook",
            name: String::new(),
            events: false,
            flags: String::new(),
            values: BTreeMap::new(),
        }
    }
}

impl SinkForm {
    pub fn kind(&self) -> Kind {
        kind(self.kind)
    }

    pub fn value(&self, key: &str) -> String {
        self.values.get(key).cloned().unwrap_or_default()
    }

    /// A form for another kind keeps the name and the shared parts.
    pub fn switch_kind(&mut self, value: &'static str) {
        self.kind = value;
        self.values.clear();
    }

    /// The request, or what to fix first.
    pub fn request(&self) -> Result<CreateSinkRequest, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("Give the sink a name.".into());
        }
        let mut config = Map::new();
        for setting in self.kind().settings {
            if let Some(value) = self.setting_value(setting)? {
                config.insert(setting.key.to_owned(), value);
            }
        }
        let flags: Vec<&str> = self
            .flags
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
        Ok(CreateSinkRequest {
            kind: self.kind.to_owned(),
            name: name.to_owned(),
            config,
            filter: (!flags.is_empty()).then(|| json!({ "flag": flags })),
            events: self.events,
            enabled: true,
        })
    }

    fn setting_value(&self, setting: &Setting) -> Result<Option<Value>, String> {
        let raw = self.value(setting.key);
        let text = raw.trim();
        match setting.input {
            Input::Checkbox => Ok(Some(Value::Bool(text == "true"))),
            Input::Choice(options) => {
                let chosen = if text.is_empty() {
                    options.first().map_or("", |(v, _)| *v)
                } else {
                    text
                };
                Ok(Some(Value::String(chosen.to_owned())))
            }
            _ if text.is_empty() && setting.required => {
                Err(format!("{} is required.", setting.label))
            }
            _ if text.is_empty() => Ok(None),
            Input::Number => match text.parse::<u64>() {
                Ok(n) if n > 0 => Ok(Some(json!(n))),
                _ => Err(format!("{} must be a whole number above 0.", setting.label)),
            },
            // Secrets are sent as typed: spaces may be part of them.
            Input::Secret => Ok(Some(Value::String(raw))),
            Input::Text => Ok(Some(Value::String(text.to_owned()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(url: &str) -> SinkForm {
        let mut form = SinkForm {
            name: " Warehouse ".into(),
            ..SinkForm::default()
        };
        form.values.insert("url", url.into());
        form
    }

    #[test]
    fn a_webhook_form_becomes_the_api_request() {
        let mut form = webhook("http://127.0.0.1:9/hook");
        form.values.insert("gzip", "true".into());
        form.values.insert("max_batch", "50".into());
        form.flags = "checkout, , search".into();
        form.events = true;
        let request = form.request().unwrap();
        assert_eq!(request.kind, "webhook");
        assert_eq!(request.name, "Warehouse");
        assert_eq!(
            Value::Object(request.config),
            json!({"url": "http://127.0.0.1:9/hook", "format": "split", "gzip": true, "max_batch": 50})
        );
        assert_eq!(
            request.filter,
            Some(json!({"flag": ["checkout", "search"]}))
        );
        assert!(request.events && request.enabled);
    }

    #[test]
    fn missing_and_malformed_settings_are_named() {
        assert_eq!(webhook("").request().unwrap_err(), "URL is required.");
        let mut form = webhook("http://x");
        form.values.insert("flush_ms", "soon".into());
        assert!(form
            .request()
            .unwrap_err()
            .starts_with("Wait for a full batch"));
        form.name = " ".into();
        assert_eq!(form.request().unwrap_err(), "Give the sink a name.");
    }

    #[test]
    fn other_kinds_send_their_own_settings() {
        let mut form = webhook("http://x");
        form.switch_kind("segment");
        form.values.insert("write_key", " wk ".into());
        let request = form.request().unwrap();
        assert_eq!(Value::Object(request.config), json!({"write_key": " wk "}));
        assert_eq!(request.filter, None);
    }
}
