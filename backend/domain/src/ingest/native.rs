//! Imprint's own ingestion API: flat items with readable field names, as a JSON array, NDJSON,
//! or JSON in a `text/plain` body (what `navigator.sendBeacon` can send without a preflight).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::codes;
use super::items::{content, parse_array, parse_ndjson, parse_text};
use super::limits::IngestLimits;
use super::model::{BodyError, Event, Impression, Parsed};
use super::validate::{self, opt, req, Field, Kind, PropertiesForm, Reject};

#[cfg(test)]
mod tests;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeFormat {
    /// `application/json`: one JSON array of items.
    JsonArray,
    /// One item per line; a bad line rejects only itself.
    Ndjson,
    /// `text/plain` holding JSON: an array, a single object, or NDJSON.
    TextJson,
}

impl NativeFormat {
    /// The format a `Content-Type` header announces. Anything unknown, or no header at all, is
    /// read as a JSON array, the API's documented default.
    pub fn from_content_type(ct: Option<&str>) -> NativeFormat {
        let Some(ct) = ct else {
            return NativeFormat::JsonArray;
        };
        let mime = ct.split(';').next().unwrap_or_default().trim();
        if [
            "application/x-ndjson",
            "application/ndjson",
            "application/jsonl",
        ]
        .iter()
        .any(|m| mime.eq_ignore_ascii_case(m))
        {
            NativeFormat::Ndjson
        } else if mime.eq_ignore_ascii_case("text/plain") {
            NativeFormat::TextJson
        } else {
            NativeFormat::JsonArray
        }
    }
}

/// Parses `body` in `format`, each item through `W` and `convert`.
fn parse<'a, W, T>(
    body: &'a [u8],
    format: NativeFormat,
    limits: &IngestLimits,
    expected: &str,
    fields: &[Field],
    convert: impl FnMut(W) -> Result<T, Reject>,
) -> Result<Parsed<T>, BodyError>
where
    W: Deserialize<'a>,
{
    let cap = limits.max_listed_rejections;
    match format {
        NativeFormat::JsonArray => parse_array(body, cap, expected, fields, convert),
        NativeFormat::Ndjson => Ok(parse_ndjson(body, cap, fields, convert)),
        NativeFormat::TextJson => parse_text(body, cap, expected, fields, convert),
    }
}

/// An impression item. Besides Imprint's own fields it takes the example payload of Split's
/// impressions page (`environmentId`, `feature`, `treatment`, `key`, `timestamp`,
/// `properties`): `feature` is another name for `flag`.
#[derive(Deserialize)]
struct NativeImpression<'a> {
    #[serde(borrow)]
    flag: Option<Cow<'a, str>>,
    #[serde(borrow)]
    feature: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "environmentId")]
    environment_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    treatment: Cow<'a, str>,
    timestamp: i64,
    label: Option<String>,
    change_number: Option<i64>,
    bucketing_key: Option<String>,
    traffic_type: Option<String>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
    sdk: Option<String>,
    machine_ip: Option<String>,
    machine_name: Option<String>,
}

const IMPRESSION_FIELDS: &[Field] = &[
    opt("flag", Kind::Str),
    opt("feature", Kind::Str),
    opt("environmentId", Kind::Str),
    req("key", Kind::Str),
    req("treatment", Kind::Str),
    req("timestamp", Kind::Int),
    opt("label", Kind::Str),
    opt("change_number", Kind::Int),
    opt("bucketing_key", Kind::Str),
    opt("traffic_type", Kind::Str),
    opt("sdk", Kind::Str),
    opt("machine_ip", Kind::Str),
    opt("machine_name", Kind::Str),
];

/// Native impressions. `timestamp` is in ms; `properties` must be a JSON object (an empty one
/// is stored as `None`). Traffic type and SDK fields are held to the key length limit.
pub fn parse_native_impressions(
    body: &[u8],
    format: NativeFormat,
    limits: &IngestLimits,
) -> Result<Parsed<Impression>, BodyError> {
    parse_native_impressions_in(body, format, limits, &[])
}

/// Native impressions posted to the environment known as any of `environment` (its name and
/// id): an item whose `environmentId` names another is rejected `wrong_environment`, so an
/// item meant for production never lands in staging. Empty: any. A JSON body may be a single
/// impression, as Split's example payload is.
pub fn parse_native_impressions_in(
    body: &[u8],
    format: NativeFormat,
    limits: &IngestLimits,
    environment: &[&str],
) -> Result<Parsed<Impression>, BodyError> {
    let single_object = content(body).is_some_and(|b| b.trim_ascii_start().starts_with(b"{"));
    let format = if format == NativeFormat::JsonArray && single_object {
        NativeFormat::TextJson
    } else {
        format
    };
    parse(
        body,
        format,
        limits,
        "a JSON array of impressions",
        IMPRESSION_FIELDS,
        |w: NativeImpression<'_>| {
            let flag = w.flag.or(w.feature).ok_or_else(|| {
                Reject::new(
                    codes::INVALID_ITEM,
                    "`flag` (or `feature`) is missing.".into(),
                )
            })?;
            if let Some(named) = w.environment_id.as_deref() {
                check_environment(named, environment)?;
            }
            validate::required("flag", &flag, limits)?;
            validate::required("key", &w.key, limits)?;
            validate::optional("bucketing_key", w.bucketing_key.as_deref(), limits)?;
            validate::required("treatment", &w.treatment, limits)?;
            validate::optional("label", w.label.as_deref(), limits)?;
            validate::optional("traffic_type", w.traffic_type.as_deref(), limits)?;
            check_sdk_fields(&w.sdk, &w.machine_ip, &w.machine_name, limits)?;
            validate::timestamp("timestamp", w.timestamp, limits)?;
            let properties = validate::properties(
                "properties",
                w.properties,
                PropertiesForm::ObjectOnly,
                limits,
            )?;
            Ok(Impression {
                flag: flag.into_owned(),
                key: w.key.into_owned(),
                bucketing_key: w.bucketing_key,
                treatment: w.treatment.into_owned(),
                label: w.label,
                change_number: w.change_number,
                timestamp: w.timestamp,
                traffic_type: w.traffic_type,
                properties,
                sdk: w.sdk,
                machine_ip: w.machine_ip,
                machine_name: w.machine_name,
            })
        },
    )
}

fn check_environment(named: &str, environment: &[&str]) -> Result<(), Reject> {
    if environment.is_empty() || environment.contains(&named) {
        return Ok(());
    }
    Err(Reject::new(
        codes::WRONG_ENVIRONMENT,
        format!(
            "`environmentId` is `{}`, but the SDK key belongs to `{}`.",
            named.escape_debug(),
            environment[0]
        ),
    ))
}

#[derive(Deserialize)]
struct NativeEvent<'a> {
    #[serde(borrow)]
    event_type: Cow<'a, str>,
    #[serde(borrow)]
    key: Cow<'a, str>,
    timestamp: i64,
    traffic_type: Option<String>,
    value: Option<f64>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
    sdk: Option<String>,
    machine_ip: Option<String>,
    machine_name: Option<String>,
}

const EVENT_FIELDS: &[Field] = &[
    req("event_type", Kind::Str),
    req("key", Kind::Str),
    req("timestamp", Kind::Int),
    opt("traffic_type", Kind::Str),
    opt("value", Kind::Num),
    opt("sdk", Kind::Str),
    opt("machine_ip", Kind::Str),
    opt("machine_name", Kind::Str),
];

/// Native events; the same rules as impressions.
pub fn parse_native_events(
    body: &[u8],
    format: NativeFormat,
    limits: &IngestLimits,
) -> Result<Parsed<Event>, BodyError> {
    parse(
        body,
        format,
        limits,
        "a JSON array of events",
        EVENT_FIELDS,
        |w: NativeEvent<'_>| {
            validate::required("event_type", &w.event_type, limits)?;
            validate::required("key", &w.key, limits)?;
            validate::optional("traffic_type", w.traffic_type.as_deref(), limits)?;
            check_sdk_fields(&w.sdk, &w.machine_ip, &w.machine_name, limits)?;
            validate::timestamp("timestamp", w.timestamp, limits)?;
            let properties = validate::properties(
                "properties",
                w.properties,
                PropertiesForm::ObjectOnly,
                limits,
            )?;
            Ok(Event {
                event_type: w.event_type.into_owned(),
                key: w.key.into_owned(),
                traffic_type: w.traffic_type,
                value: w.value,
                timestamp: w.timestamp,
                properties,
                sdk: w.sdk,
                machine_ip: w.machine_ip,
                machine_name: w.machine_name,
            })
        },
    )
}

/// On the Split path these come from request headers, which the HTTP layer bounds; here each
/// item carries its own, so they get the key limit.
fn check_sdk_fields(
    sdk: &Option<String>,
    machine_ip: &Option<String>,
    machine_name: &Option<String>,
    limits: &IngestLimits,
) -> Result<(), Reject> {
    validate::optional("sdk", sdk.as_deref(), limits)?;
    validate::optional("machine_ip", machine_ip.as_deref(), limits)?;
    validate::optional("machine_name", machine_name.as_deref(), limits)
}
