//! What the analytics sinks (Amplitude, Segment) share: where to send, which identity field a
//! key goes to, and impression properties as a JSON object.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// `base` (an http or https URL, with or without a trailing slash) with `path` appended.
pub fn endpoint(field: &str, base: &str, path: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(base).map_err(|e| format!("`{field}`: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("`{field}` must be an http or https URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("`{field}` must not have a query or a fragment"));
    }
    let joined = format!("{}{path}", url.as_str().trim_end_matches('/'));
    url::Url::parse(&joined).map_err(|e| format!("`{field}`: {e}"))
}

/// Which identity field each traffic type's keys go to; traffic types not named (and rows
/// without one) use the default.
#[derive(Debug, Clone)]
pub struct IdFields<T> {
    by_traffic_type: BTreeMap<String, T>,
}

impl<T: Copy + Default + DeserializeOwned> IdFields<T> {
    pub fn parse(value: Option<Value>) -> Result<IdFields<T>, String> {
        let by_traffic_type = match value {
            None => BTreeMap::new(),
            Some(value) => serde_json::from_value(value).map_err(|e| format!("`id_field`: {e}"))?,
        };
        Ok(IdFields { by_traffic_type })
    }

    pub fn for_traffic_type(&self, traffic_type: Option<&str>) -> T {
        traffic_type
            .and_then(|t| self.by_traffic_type.get(t))
            .copied()
            .unwrap_or_default()
    }
}

/// The properties an SDK attached, as an object. They are stored as a JSON object's text; a
/// value that somehow is not one is kept whole under `properties` rather than lost.
pub fn properties(text: Option<&str>) -> Map<String, Value> {
    let Some(text) = text else {
        return Map::new();
    };
    match serde_json::from_str(text) {
        Ok(Value::Object(object)) => object,
        _ => Map::from_iter([("properties".to_owned(), Value::String(text.to_owned()))]),
    }
}

/// `extra` over `ours`: the fields Imprint sets win over an SDK property of the same name, so
/// the flag and treatment cannot be overwritten by a property called `flag`.
pub fn merged(mut extra: Map<String, Value>, ours: Map<String, Value>) -> Value {
    extra.extend(ours);
    Value::Object(extra)
}

/// The library field analytics tools show for where events came from.
pub fn library() -> (&'static str, &'static str) {
    ("imprint", env!("CARGO_PKG_VERSION"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[test]
    fn endpoints_append_the_path_once() {
        for base in ["http://127.0.0.1:9/", "http://127.0.0.1:9"] {
            assert_eq!(
                endpoint("base_url", base, "/2/httpapi").unwrap().as_str(),
                "http://127.0.0.1:9/2/httpapi"
            );
        }
        assert_eq!(
            endpoint("base_url", "https://proxy.example.com/amp/", "/2/httpapi")
                .unwrap()
                .as_str(),
            "https://proxy.example.com/amp/2/httpapi"
        );
        assert!(endpoint("base_url", "ftp://example.com", "/x").is_err());
        assert!(endpoint("base_url", "not a url", "/x").is_err());
        assert!(endpoint("base_url", "https://example.com/?a=1", "/x").is_err());
    }

    #[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Field {
        #[default]
        User,
        Device,
    }

    #[test]
    fn traffic_types_not_named_use_the_default() {
        let fields: IdFields<Field> =
            IdFields::parse(Some(json!({ "account": "device" }))).unwrap();
        assert_eq!(fields.for_traffic_type(Some("account")), Field::Device);
        assert_eq!(fields.for_traffic_type(Some("user")), Field::User);
        assert_eq!(fields.for_traffic_type(None), Field::User);
        assert!(IdFields::<Field>::parse(Some(json!({ "account": "email" }))).is_err());
        assert!(IdFields::<Field>::parse(Some(json!(["user"]))).is_err());
    }

    #[test]
    fn properties_are_an_object_and_ours_win() {
        assert_eq!(properties(None), Map::new());
        let extra = properties(Some(r#"{"plan":"pro","flag":"spoofed"}"#));
        let ours = Map::from_iter([("flag".to_owned(), json!("checkout"))]);
        assert_eq!(
            merged(extra, ours),
            json!({ "plan": "pro", "flag": "checkout" })
        );
        assert_eq!(
            Value::Object(properties(Some("[1]"))),
            json!({ "properties": "[1]" })
        );
    }
}
