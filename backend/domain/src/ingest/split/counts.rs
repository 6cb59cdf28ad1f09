//! What SDKs send instead of impressions: hourly counts (`/testImpressions/count`, OPTIMIZED
//! and NONE modes) and the keys that evaluated flags (`/v1/keys/ss`, `/v1/keys/cs`).

use serde::Deserialize;

use crate::ingest::codes;
use crate::ingest::items::{body_error, content};
use crate::ingest::limits::IngestLimits;
use crate::ingest::model::{BodyError, Parsed, SdkCount, SeenKey};
use crate::ingest::validate::{self, Reject};

#[derive(Deserialize)]
struct WireCounts {
    pf: Option<Vec<WireCount>>,
}

#[derive(Deserialize)]
struct WireCount {
    f: String,
    m: i64,
    rc: i64,
}

/// `POST /api/testImpressions/count`. A count of zero carries nothing and is dropped
/// silently; a negative or implausibly large count, an hour outside the environment's
/// retention or in the future, and a bad flag name reject their item. Only a body of the
/// wrong shape is an error.
pub fn parse_split_counts(
    body: &[u8],
    limits: &IngestLimits,
) -> Result<Parsed<SdkCount>, BodyError> {
    let cap = limits.max_listed_rejections;
    let Some(body) = content(body) else {
        return Ok(Parsed::new(cap));
    };
    let counts: WireCounts = serde_json::from_slice(body).map_err(|e| {
        body_error(
            body,
            &e,
            r#"a JSON object {"pf": [{"f": flag, "m": hour, "rc": count}]}"#,
        )
    })?;
    let counts = counts.pf.unwrap_or_default();
    let mut parsed = Parsed::with_capacity(counts.len(), cap);
    for (index, count) in counts.into_iter().enumerate() {
        if count.rc == 0 {
            continue;
        }
        parsed.push(index, sdk_count(count, limits));
    }
    Ok(parsed)
}

fn sdk_count(count: WireCount, limits: &IngestLimits) -> Result<SdkCount, Reject> {
    validate::required("f", &count.f, limits)?;
    if !(0..=limits.max_sdk_count).contains(&count.rc) {
        return Err(Reject::new(
            codes::INVALID_COUNT,
            format!(
                "`rc` is {}; a count is between 0 and {} (max_sdk_count).",
                count.rc, limits.max_sdk_count
            ),
        ));
    }
    validate::timestamp("m", count.m, limits)?;
    Ok(SdkCount {
        flag: count.f,
        hour: count.m,
        count: count.rc,
    })
}

#[derive(Deserialize)]
struct WireKeys<G> {
    keys: Option<Vec<G>>,
}

#[derive(Deserialize)]
struct WireServerKeys {
    f: String,
    ks: Vec<String>,
}

#[derive(Deserialize)]
struct WireClientKeys {
    k: String,
    fs: Vec<String>,
}

/// `POST /api/v1/keys/ss`: keys grouped by flag. An item is one key of a group, counted
/// across the groups in order; a group with a bad flag rejects each of its keys.
pub fn parse_split_keys_server(
    body: &[u8],
    limits: &IngestLimits,
) -> Result<Parsed<SeenKey>, BodyError> {
    let groups = parse_keys::<WireServerKeys>(body, r#"{"keys": [{"f": flag, "ks": [keys]}]}"#)?;
    Ok(seen_keys(
        groups.into_iter().map(|g| (g.f, g.ks)),
        ("f", "ks[]"),
        limits,
        |flag, key| SeenKey { flag, key },
    ))
}

/// `POST /api/v1/keys/cs`: flags grouped by key, read like `keys/ss`.
pub fn parse_split_keys_client(
    body: &[u8],
    limits: &IngestLimits,
) -> Result<Parsed<SeenKey>, BodyError> {
    let groups = parse_keys::<WireClientKeys>(body, r#"{"keys": [{"k": key, "fs": [flags]}]}"#)?;
    Ok(seen_keys(
        groups.into_iter().map(|g| (g.k, g.fs)),
        ("k", "fs[]"),
        limits,
        |key, flag| SeenKey { flag, key },
    ))
}

/// Groups of (`outer`, [`inner`]) pairs: (flag, keys) or (key, flags).
fn seen_keys(
    groups: impl Iterator<Item = (String, Vec<String>)>,
    (outer_name, inner_name): (&str, &str),
    limits: &IngestLimits,
    make: impl Fn(String, String) -> SeenKey,
) -> Parsed<SeenKey> {
    let mut parsed = Parsed::new(limits.max_listed_rejections);
    let mut index = 0;
    for (outer, inners) in groups {
        let outer_ok = validate::required(outer_name, &outer, limits);
        for inner in inners {
            let item = outer_ok
                .clone()
                .and_then(|()| validate::required(inner_name, &inner, limits))
                .map(|()| make(outer.clone(), inner));
            parsed.push(index, item);
            index += 1;
        }
    }
    parsed
}

fn parse_keys<G: for<'de> Deserialize<'de>>(body: &[u8], shape: &str) -> Result<Vec<G>, BodyError> {
    let Some(body) = content(body) else {
        return Ok(Vec::new());
    };
    let keys: WireKeys<G> = serde_json::from_slice(body)
        .map_err(|e| body_error(body, &e, &format!("a JSON object {shape}")))?;
    Ok(keys.keys.unwrap_or_default())
}
