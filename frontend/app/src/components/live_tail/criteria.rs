//! The criteria both the live tail and the export filter impressions by, as typed in a form
//! and as query-string parameters (`flag`, `event_type`, `treatment`, `key`, `label`, `sdk`,
//! `property.NAME=VALUE`).

/// Filter criteria; empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Criteria {
    /// Comma-separated flag names.
    pub flag: String,
    pub treatment: String,
    pub key: String,
    pub label: String,
    pub sdk: String,
    /// `NAME=VALUE` pairs, separated by commas.
    pub properties: String,
    /// Events only: the `track()` event type.
    pub event_type: String,
}

impl Criteria {
    /// The non-empty criteria as (parameter, value) pairs, in a stable order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, list) in [("flag", &self.flag), ("event_type", &self.event_type)] {
            let items = split_list(list);
            if !items.is_empty() {
                out.push((name.to_owned(), items.join(",")));
            }
        }
        for (name, value) in [
            ("treatment", &self.treatment),
            ("key", &self.key),
            ("label", &self.label),
            ("sdk", &self.sdk),
        ] {
            let value = value.trim();
            if !value.is_empty() {
                out.push((name.to_owned(), value.to_owned()));
            }
        }
        for (name, value) in self.property_pairs() {
            out.push((format!("property.{name}"), value));
        }
        out
    }

    /// `plan=pro, region=eu` → [("plan", "pro"), ("region", "eu")]; entries without `=` are
    /// reported by [`Criteria::property_error`].
    pub fn property_pairs(&self) -> Vec<(String, String)> {
        split_list(&self.properties)
            .into_iter()
            .filter_map(|p| {
                let (name, value) = p.split_once('=')?;
                let name = name.trim();
                (!name.is_empty()).then(|| (name.to_owned(), value.trim().to_owned()))
            })
            .collect()
    }

    /// Words for a property filter that cannot be read, if any.
    pub fn property_error(&self) -> Option<String> {
        split_list(&self.properties)
            .into_iter()
            .find(|p| p.split_once('=').is_none_or(|(n, _)| n.trim().is_empty()))
            .map(|p| format!("“{p}” is not a property filter: write NAME=VALUE, e.g. plan=pro."))
    }

    pub fn is_empty(&self) -> bool {
        self.pairs().is_empty()
    }
}

/// Comma-separated values, trimmed, without empties.
pub fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_become_query_parameters() {
        let criteria = Criteria {
            flag: " checkout, banner ,".into(),
            treatment: "on".into(),
            properties: "plan=pro, region = eu west".into(),
            ..Criteria::default()
        };
        assert_eq!(
            query_string(&criteria.pairs()),
            "flag=checkout%2Cbanner&treatment=on&property.plan=pro&property.region=eu%20west"
        );
        assert!(criteria.property_error().is_none());
        let bad = Criteria {
            properties: "plan".into(),
            ..Criteria::default()
        };
        assert!(bad.property_error().is_some());
        assert!(Criteria::default().is_empty());
    }
}
