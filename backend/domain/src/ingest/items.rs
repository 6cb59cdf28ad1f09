//! Batches of flat items (Split events, native impressions and events): a JSON array, NDJSON or
//! a `text/plain` body, each item deserialised and converted on its own so one bad item only
//! rejects itself.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::codes;
use super::limits::IngestLimits;
use super::model::{BodyError, Parsed, Rejections};
use super::validate::{diagnose, Field, Reject};

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed::new(IngestLimits::DEFAULT_MAX_LISTED_REJECTIONS)
    }
}

impl<T> Parsed<T> {
    pub(crate) fn new(listed_cap: usize) -> Self {
        Parsed::with_capacity(0, listed_cap)
    }

    pub(crate) fn with_capacity(capacity: usize, listed_cap: usize) -> Self {
        Parsed {
            items: Vec::with_capacity(capacity),
            indices: Vec::with_capacity(capacity),
            rejected: Rejections::new(listed_cap),
        }
    }

    pub(crate) fn push(&mut self, index: usize, item: Result<T, Reject>) {
        match item {
            Ok(item) => {
                self.items.push(item);
                self.indices.push(index);
            }
            Err(Reject { code, message }) => self.rejected.add(index, code, message),
        }
    }
}

/// The body without a UTF-8 byte order mark, or `None` when nothing but whitespace is left:
/// an empty body is an empty batch.
pub(crate) fn content(body: &[u8]) -> Option<&[u8]> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if is_blank(body) {
        None
    } else {
        Some(body)
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// A whole-body error. `expected` completes "the body must be …".
pub(crate) fn body_error(body: &[u8], err: &serde_json::Error, expected: &str) -> BodyError {
    let message = if err.is_syntax() || err.is_eof() {
        format!("The body is not valid JSON: {err}.")
    } else {
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') if expected.starts_with("a JSON array") => {
                format!("The body must be {expected}, not a single object.")
            }
            _ => format!("The body must be {expected}: {err}."),
        }
    };
    BodyError {
        code: codes::INVALID_JSON,
        message,
    }
}

/// A JSON array of items. The whole array is deserialised in one pass when every item fits
/// `W`; only a batch with a bad item pays for slicing it into items and reading them one by one.
pub(crate) fn parse_array<'a, W, T>(
    body: &'a [u8],
    listed_cap: usize,
    expected: &str,
    fields: &[Field],
    mut convert: impl FnMut(W) -> Result<T, Reject>,
) -> Result<Parsed<T>, BodyError>
where
    W: Deserialize<'a>,
{
    let Some(body) = content(body) else {
        return Ok(Parsed::new(listed_cap));
    };
    if let Ok(wires) = serde_json::from_slice::<Vec<W>>(body) {
        let mut parsed = Parsed::with_capacity(wires.len(), listed_cap);
        for (index, wire) in wires.into_iter().enumerate() {
            parsed.push(index, convert(wire));
        }
        return Ok(parsed);
    }
    let raws: Vec<&'a RawValue> =
        serde_json::from_slice(body).map_err(|e| body_error(body, &e, expected))?;
    let mut parsed = Parsed::with_capacity(raws.len(), listed_cap);
    for (index, raw) in raws.into_iter().enumerate() {
        parsed.push(index, item(raw, fields).and_then(&mut convert));
    }
    Ok(parsed)
}

/// One item per non-blank line; a line that is not JSON only rejects itself.
pub(crate) fn parse_ndjson<'a, W, T>(
    body: &'a [u8],
    listed_cap: usize,
    fields: &[Field],
    mut convert: impl FnMut(W) -> Result<T, Reject>,
) -> Parsed<T>
where
    W: Deserialize<'a>,
{
    let Some(body) = content(body) else {
        return Parsed::new(listed_cap);
    };
    let mut parsed = Parsed::new(listed_cap);
    let lines = body.split(|b| *b == b'\n').filter(|line| !is_blank(line));
    for (index, line) in lines.enumerate() {
        let wire = serde_json::from_slice::<&'a RawValue>(line)
            .map_err(|e| {
                Reject::new(
                    codes::INVALID_JSON,
                    format!("The line is not valid JSON: {e}."),
                )
            })
            .and_then(|raw| item(raw, fields));
        parsed.push(index, wire.and_then(&mut convert));
    }
    parsed
}

/// `text/plain`, as `navigator.sendBeacon` sends JSON: an array, a single object, or NDJSON.
pub(crate) fn parse_text<'a, W, T>(
    body: &'a [u8],
    listed_cap: usize,
    expected: &str,
    fields: &[Field],
    mut convert: impl FnMut(W) -> Result<T, Reject>,
) -> Result<Parsed<T>, BodyError>
where
    W: Deserialize<'a>,
{
    let Some(body) = content(body) else {
        return Ok(Parsed::new(listed_cap));
    };
    match serde_json::from_slice::<&'a RawValue>(body) {
        Ok(raw) if raw.get().starts_with('[') => {
            parse_array(body, listed_cap, expected, fields, convert)
        }
        Ok(raw) if raw.get().starts_with('{') => {
            let mut parsed = Parsed::with_capacity(1, listed_cap);
            parsed.push(0, item(raw, fields).and_then(&mut convert));
            Ok(parsed)
        }
        Ok(_) => Err(BodyError {
            code: codes::INVALID_JSON,
            message: format!("The body must be {expected}, a single object, or NDJSON."),
        }),
        // More than one value: the lines are read as NDJSON.
        Err(_)
            if body
                .split(|b| *b == b'\n')
                .filter(|l| !is_blank(l))
                .nth(1)
                .is_some() =>
        {
            Ok(parse_ndjson(body, listed_cap, fields, convert))
        }
        Err(e) => Err(body_error(body, &e, expected)),
    }
}

fn item<'a, W: Deserialize<'a>>(raw: &'a RawValue, fields: &[Field]) -> Result<W, Reject> {
    serde_json::from_str(raw.get()).map_err(|e| diagnose(raw.get(), fields, &e))
}
