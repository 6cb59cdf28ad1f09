//! Amplitude-style exposures, stored as impressions.
//!
//! Amplitude's Web Experiment tracks `$impression` events (Feature Experiment the same shape as
//! `$exposure`) whose event properties name the flag and the variant. On ingestion Amplitude
//! transforms them: the event type becomes `[Experiment] Impression` and the properties
//! `flag_key`, `variant` and `experiment_key` become `[Experiment] Flag Key`,
//! `[Experiment] Variant` and `[Experiment] Experiment Key`. Imprint applies the same
//! transformation: the row is an impression (Imprint's `[Experiment] Impression`) of flag
//! `flag_key` with treatment `variant` for `user_id` (or `device_id` without one), and its
//! properties carry the transformed names beside the event's other properties.
//!
//! Bodies: one event, a JSON array of events, or Amplitude's batch `{"api_key"?, "events": [...]}`.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::codes;
use super::items::{body_error, content, parse_array};
use super::limits::IngestLimits;
use super::model::{BodyError, Impression, Parsed};
use super::validate::{self, diagnose, kind_of, opt, req, Field, Kind, PropertiesForm, Reject};

#[cfg(test)]
mod tests;

/// Event types taken as exposures: Amplitude's two, before and after its transformation.
const EXPOSURE_TYPES: [&str; 4] = [
    "$impression",
    "$exposure",
    "[Experiment] Impression",
    "[Experiment] Exposure",
];

/// Amplitude's property names and what its ingestion renames them to.
const RENAMED: [(&str, &str); 3] = [
    ("flag_key", "[Experiment] Flag Key"),
    ("variant", "[Experiment] Variant"),
    ("experiment_key", "[Experiment] Experiment Key"),
];

/// The SDK recorded for an exposure whose event names no `library`.
pub const AMPLITUDE_SDK: &str = "amplitude";

/// What an exposures body held.
#[derive(Debug)]
pub struct AmplitudeExposures {
    pub parsed: Parsed<Impression>,
    /// The body was one event rather than a list: its rejection is the answer.
    pub single: bool,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    events: Option<&'a RawValue>,
}

/// The batch envelope's `api_key`: Amplitude senders put the key there, not in a header.
pub fn amplitude_api_key(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct KeyOnly {
        api_key: Option<String>,
    }
    let body = content(body)?;
    serde_json::from_slice::<KeyOnly>(body).ok()?.api_key
}

#[derive(Deserialize)]
struct AmplitudeEvent<'a> {
    #[serde(borrow)]
    event_type: Cow<'a, str>,
    user_id: Option<String>,
    device_id: Option<String>,
    /// ms since the epoch; Amplitude uses the upload time when absent, and so does Imprint.
    time: Option<i64>,
    #[serde(borrow)]
    event_properties: Option<&'a RawValue>,
    library: Option<String>,
}

const FIELDS: &[Field] = &[
    req("event_type", Kind::Str),
    opt("user_id", Kind::Str),
    opt("device_id", Kind::Str),
    opt("time", Kind::Int),
    opt("library", Kind::Str),
];

const EXPECTED: &str = "an Amplitude event, a JSON array of them, or {\"events\": [...]}";

pub fn parse_amplitude_exposures(
    body: &[u8],
    limits: &IngestLimits,
) -> Result<AmplitudeExposures, BodyError> {
    let cap = limits.max_listed_rejections;
    let convert = |w: AmplitudeEvent<'_>| exposure(w, limits);
    let Some(body) = content(body) else {
        return Ok(AmplitudeExposures {
            parsed: Parsed::new(cap),
            single: false,
        });
    };
    let raw: &RawValue =
        serde_json::from_slice(body).map_err(|e| body_error(body, &e, EXPECTED))?;
    let text = raw.get();
    if text.starts_with('[') {
        let parsed = parse_array(body, cap, EXPECTED, FIELDS, convert)?;
        return Ok(AmplitudeExposures {
            parsed,
            single: false,
        });
    }
    if !text.starts_with('{') {
        return Err(BodyError {
            code: codes::INVALID_JSON,
            message: format!("The body must be {EXPECTED}."),
        });
    }
    let envelope: Envelope<'_> = serde_json::from_str(text).unwrap_or(Envelope { events: None });
    match envelope.events {
        Some(events) => {
            let parsed = parse_array(events.get().as_bytes(), cap, EXPECTED, FIELDS, convert)?;
            Ok(AmplitudeExposures {
                parsed,
                single: false,
            })
        }
        None => {
            let mut parsed = Parsed::with_capacity(1, cap);
            let item = serde_json::from_str(text)
                .map_err(|e| diagnose(text, FIELDS, &e))
                .and_then(convert);
            parsed.push(0, item);
            Ok(AmplitudeExposures {
                parsed,
                single: true,
            })
        }
    }
}

fn exposure(w: AmplitudeEvent<'_>, limits: &IngestLimits) -> Result<Impression, Reject> {
    if !EXPOSURE_TYPES.contains(&w.event_type.as_ref()) {
        return Err(Reject::new(
            codes::UNSUPPORTED_EVENT_TYPE,
            format!(
                "`event_type` is `{}`; exposures are `$impression` or `$exposure`.",
                w.event_type.escape_debug()
            ),
        ));
    }
    let key = [&w.user_id, &w.device_id]
        .into_iter()
        .flatten()
        .find(|id| !id.is_empty())
        .cloned()
        .ok_or_else(|| {
            Reject::new(
                codes::MISSING_FIELD,
                "`user_id` or `device_id` is required.".into(),
            )
        })?;
    validate::required("user_id", &key, limits)?;
    let properties = transformed_properties(w.event_properties)?;
    let flag = text_property(&properties, 0)?.ok_or_else(|| missing_property(0))?;
    let treatment = text_property(&properties, 1)?.ok_or_else(|| missing_property(1))?;
    text_property(&properties, 2)?;
    validate::required("event_properties.flag_key", &flag, limits)?;
    validate::required("event_properties.variant", &treatment, limits)?;
    validate::optional("library", w.library.as_deref(), limits)?;
    let timestamp = w.time.unwrap_or(limits.now_ms);
    validate::timestamp("time", timestamp, limits)?;
    let serialised = serde_json::to_string(&properties)
        .ok()
        .and_then(|s| RawValue::from_string(s).ok());
    let properties = validate::properties(
        "event_properties",
        serialised.as_deref(),
        PropertiesForm::ObjectOnly,
        limits,
    )?;
    Ok(Impression {
        flag,
        key,
        bucketing_key: None,
        treatment,
        label: None,
        change_number: None,
        timestamp,
        traffic_type: None,
        properties,
        sdk: Some(w.library.unwrap_or_else(|| AMPLITUDE_SDK.to_owned())),
        machine_ip: None,
        machine_name: None,
    })
}

/// The event properties with Amplitude's names replaced by the transformed ones.
fn transformed_properties(raw: Option<&RawValue>) -> Result<Map<String, Value>, Reject> {
    let Some(raw) = raw else {
        return Err(missing_property(0));
    };
    let value: Value = serde_json::from_str(raw.get()).map_err(|e| {
        Reject::new(
            codes::INVALID_PROPERTIES,
            format!("`event_properties` is not valid JSON: {e}."),
        )
    })?;
    let Value::Object(object) = value else {
        return Err(Reject::new(
            codes::INVALID_PROPERTIES,
            format!(
                "`event_properties` must be a JSON object, not {}.",
                kind_of(&value)
            ),
        ));
    };
    Ok(object
        .into_iter()
        .map(|(name, value)| {
            let renamed = RENAMED.iter().find(|(from, _)| *from == name);
            match renamed {
                Some((_, to)) => ((*to).to_owned(), value),
                None => (name, value),
            }
        })
        .collect())
}

/// The transformed property `RENAMED[i]` as text, if present; anything but a string is refused.
fn text_property(properties: &Map<String, Value>, i: usize) -> Result<Option<String>, Reject> {
    let (original, renamed) = RENAMED[i];
    match properties.get(renamed) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(Reject::new(
            codes::INVALID_ITEM,
            format!(
                "`event_properties.{original}` must be a string, not {}.",
                kind_of(other)
            ),
        )),
    }
}

fn missing_property(i: usize) -> Reject {
    Reject::new(
        codes::MISSING_FIELD,
        format!(
            "`event_properties.{}` is required: it names the {}.",
            RENAMED[i].0,
            ["flag", "treatment"][i.min(1)]
        ),
    )
}
