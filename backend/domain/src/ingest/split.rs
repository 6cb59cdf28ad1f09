//! The Split wire format, as `@splitsoftware/splitio` and `splitio_client` post it (see
//! `shared/split-wire/README.md`). Unknown fields are ignored: newer SDK cores add some.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::items::{body_error, content, parse_array};
use super::limits::IngestLimits;
use super::model::{BodyError, Event, Impression, Parsed, SdkMetadata};
use super::validate::{self, opt, req, Field, Kind, PropertiesForm, Reject};

mod counts;

pub use counts::{parse_split_counts, parse_split_keys_client, parse_split_keys_server};

#[cfg(test)]
mod capture_tests;
#[cfg(test)]
mod tests;

const IMPRESSION_GROUPS: &str = r#"a JSON array of impression groups [{"f": flag, "i": [...]}]"#;

/// The hot path: a whole bulk body deserialises in one pass into these, borrowing the flag
/// and the required strings from the body. Optional strings are owned because serde cannot
/// borrow through `Option`, and they end up owned in the `Impression` anyway.
#[derive(Deserialize)]
struct WireGroup<'a> {
    #[serde(borrow)]
    f: Cow<'a, str>,
    #[serde(borrow)]
    i: Vec<WireImpression<'a>>,
}

#[derive(Deserialize)]
struct WireImpression<'a> {
    #[serde(borrow)]
    k: Cow<'a, str>,
    #[serde(borrow)]
    t: Cow<'a, str>,
    m: i64,
    c: Option<i64>,
    r: Option<String>,
    b: Option<String>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
}

const IMPRESSION_FIELDS: &[Field] = &[
    req("k", Kind::Str),
    req("t", Kind::Str),
    req("m", Kind::Int),
    opt("c", Kind::Int),
    opt("r", Kind::Str),
    opt("b", Kind::Str),
];

/// The slow path, for a body the hot path refused: groups and items are sliced apart so each
/// bad item is rejected alone.
#[derive(Deserialize)]
struct LooseGroup<'a> {
    #[serde(borrow)]
    f: Option<&'a RawValue>,
    #[serde(borrow)]
    i: Vec<&'a RawValue>,
}

/// `POST /api/testImpressions/bulk`. An item's `index` counts impressions across all groups, in
/// order. `traffic_type` is unknown on this path; `sdk` and machine fields come from `meta`.
/// `properties` is a JSON string holding an object (an object itself is accepted too); an
/// empty object is stored as `None`.
pub fn parse_split_impressions(
    body: &[u8],
    meta: &SdkMetadata,
    limits: &IngestLimits,
) -> Result<Parsed<Impression>, BodyError> {
    let cap = limits.max_listed_rejections;
    let Some(body) = content(body) else {
        return Ok(Parsed::new(cap));
    };
    if let Ok(groups) = serde_json::from_slice::<Vec<WireGroup<'_>>>(body) {
        let mut parsed = Parsed::with_capacity(groups.iter().map(|g| g.i.len()).sum(), cap);
        let mut index = 0;
        for group in groups {
            for wire in group.i {
                parsed.push(index, impression(&group.f, wire, meta, limits));
                index += 1;
            }
        }
        return Ok(parsed);
    }
    let groups: Vec<&RawValue> =
        serde_json::from_slice(body).map_err(|e| body_error(body, &e, IMPRESSION_GROUPS))?;
    let mut parsed = Parsed::new(cap);
    let mut index = 0;
    for (position, group) in groups.into_iter().enumerate() {
        let group: LooseGroup<'_> = serde_json::from_str(group.get()).map_err(|e| {
            body_error(
                body,
                &e,
                &format!("{IMPRESSION_GROUPS}, and group {position} is not one"),
            )
        })?;
        let flag = group_flag(group.f);
        for raw in group.i {
            let wire = serde_json::from_str::<WireImpression<'_>>(raw.get())
                .map_err(|e| validate::diagnose(raw.get(), IMPRESSION_FIELDS, &e));
            let item = match (&flag, wire) {
                (Err(reject), _) => Err(reject.clone()),
                (Ok(_), Err(reject)) => Err(reject),
                (Ok(flag), Ok(wire)) => impression(flag, wire, meta, limits),
            };
            parsed.push(index, item);
            index += 1;
        }
    }
    Ok(parsed)
}

/// A group's flag. When it is unusable every impression of the group is rejected with it.
fn group_flag(raw: Option<&RawValue>) -> Result<Cow<'_, str>, Reject> {
    let Some(raw) = raw else {
        return Err(Reject::new(
            super::codes::INVALID_ITEM,
            "The group's `f` (flag) is missing.".to_owned(),
        ));
    };
    serde_json::from_str(raw.get()).map_err(|_| {
        Reject::new(
            super::codes::INVALID_ITEM,
            "The group's `f` (flag) must be a string.".to_owned(),
        )
    })
}

fn impression(
    flag: &str,
    wire: WireImpression<'_>,
    meta: &SdkMetadata,
    limits: &IngestLimits,
) -> Result<Impression, Reject> {
    validate::required("f", flag, limits)?;
    validate::required("k", &wire.k, limits)?;
    validate::optional("b", wire.b.as_deref(), limits)?;
    validate::required("t", &wire.t, limits)?;
    validate::optional("r", wire.r.as_deref(), limits)?;
    validate::timestamp("m", wire.m, limits)?;
    let properties = validate::properties(
        "properties",
        wire.properties,
        PropertiesForm::ObjectOrString,
        limits,
    )?;
    Ok(Impression {
        flag: flag.to_owned(),
        key: wire.k.into_owned(),
        bucketing_key: wire.b,
        treatment: wire.t.into_owned(),
        label: wire.r,
        change_number: wire.c,
        timestamp: wire.m,
        traffic_type: None,
        properties,
        sdk: meta.sdk.clone(),
        machine_ip: meta.machine_ip.clone(),
        machine_name: meta.machine_name.clone(),
    })
}

#[derive(Deserialize)]
struct WireEvent<'a> {
    #[serde(rename = "eventTypeId", borrow)]
    event_type: Cow<'a, str>,
    #[serde(rename = "trafficTypeName")]
    traffic_type: String,
    value: Option<f64>,
    timestamp: i64,
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    properties: Option<&'a RawValue>,
}

const EVENT_FIELDS: &[Field] = &[
    req("eventTypeId", Kind::Str),
    req("trafficTypeName", Kind::Str),
    opt("value", Kind::Num),
    req("timestamp", Kind::Int),
    req("key", Kind::Str),
];

/// `POST /api/events/bulk`. `trafficTypeName` is required, as every Split SDK sends it.
/// `properties` is an object or null (a string holding an object is accepted too).
pub fn parse_split_events(
    body: &[u8],
    meta: &SdkMetadata,
    limits: &IngestLimits,
) -> Result<Parsed<Event>, BodyError> {
    parse_array(
        body,
        limits.max_listed_rejections,
        "a JSON array of events",
        EVENT_FIELDS,
        |wire: WireEvent<'_>| {
            validate::required("eventTypeId", &wire.event_type, limits)?;
            validate::required("key", &wire.key, limits)?;
            validate::required("trafficTypeName", &wire.traffic_type, limits)?;
            validate::timestamp("timestamp", wire.timestamp, limits)?;
            let properties = validate::properties(
                "properties",
                wire.properties,
                PropertiesForm::ObjectOrString,
                limits,
            )?;
            Ok(Event {
                event_type: wire.event_type.into_owned(),
                key: wire.key.into_owned(),
                traffic_type: Some(wire.traffic_type),
                value: wire.value,
                timestamp: wire.timestamp,
                properties,
                sdk: meta.sdk.clone(),
                machine_ip: meta.machine_ip.clone(),
                machine_name: meta.machine_name.clone(),
            })
        },
    )
}
