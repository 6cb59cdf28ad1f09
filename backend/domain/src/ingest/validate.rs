//! Per-item checks shared by the Split and native formats. Each returns the first problem
//! found as a [`Reject`]; the caller turns it into an `ItemRejection` at the item's index.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::codes;
use super::limits::IngestLimits;
use super::text::{forbidden_in_name, forbidden_in_text, ForbiddenChar};

/// One item's problem, before its index is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reject {
    pub code: &'static str,
    pub message: String,
}

impl Reject {
    pub fn new(code: &'static str, message: String) -> Self {
        Reject { code, message }
    }
}

/// A field that must be present and non-empty.
pub(crate) fn required(field: &str, value: &str, limits: &IngestLimits) -> Result<(), Reject> {
    if value.is_empty() {
        return Err(Reject::new(
            codes::MISSING_FIELD,
            format!("`{field}` is empty; it is required."),
        ));
    }
    not_too_long(field, value, limits)
}

pub(crate) fn optional(
    field: &str,
    value: Option<&str>,
    limits: &IngestLimits,
) -> Result<(), Reject> {
    value.map_or(Ok(()), |v| not_too_long(field, v, limits))
}

fn not_too_long(field: &str, value: &str, limits: &IngestLimits) -> Result<(), Reject> {
    if let Some(problem) = forbidden_in_name(value) {
        return Err(Reject::new(
            codes::INVALID_CHARACTER,
            problem.message(field),
        ));
    }
    if value.len() > limits.max_key_bytes {
        return Err(Reject::new(
            codes::TOO_LONG,
            format!(
                "`{field}` is {} bytes long; the limit is {} bytes.",
                value.len(),
                limits.max_key_bytes
            ),
        ));
    }
    Ok(())
}

pub(crate) fn timestamp(field: &str, ms: i64, limits: &IngestLimits) -> Result<(), Reject> {
    if ms <= 0 {
        return Err(Reject::new(
            codes::INVALID_TIMESTAMP,
            format!(
                "`{field}` is {ms}; it must be a positive number of milliseconds since the epoch."
            ),
        ));
    }
    if ms > limits.now_ms.saturating_add(limits.max_future_ms) {
        return Err(Reject::new(
            codes::TIMESTAMP_IN_FUTURE,
            format!(
                "`{field}` {ms} is more than {} ms ahead of the server's clock ({}).",
                limits.max_future_ms, limits.now_ms
            ),
        ));
    }
    if ms < limits.oldest_timestamp_ms {
        return Err(Reject::new(
            codes::EXPIRED,
            format!(
                "`{field}` {ms} is older than this environment keeps data (the oldest accepted is {}).",
                limits.oldest_timestamp_ms
            ),
        ));
    }
    Ok(())
}

/// Where properties may arrive as a JSON string holding the object (Split impressions) as well
/// as the object itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PropertiesForm {
    ObjectOnly,
    ObjectOrString,
}

/// Properties as stored: a compact JSON object, or `None` when absent, null or empty (an empty
/// object carries nothing worth a column).
pub(crate) fn properties(
    field: &str,
    raw: Option<&RawValue>,
    form: PropertiesForm,
    limits: &IngestLimits,
) -> Result<Option<String>, Reject> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get();
    let object: Map<String, Value> = if text.starts_with('{') {
        serde_json::from_str(text).map_err(|e| invalid_properties(field, e.to_string()))?
    } else if text.starts_with('"') && form == PropertiesForm::ObjectOrString {
        let inner: String =
            serde_json::from_str(text).map_err(|e| invalid_properties(field, e.to_string()))?;
        match serde_json::from_str::<Value>(&inner) {
            Ok(Value::Object(object)) => object,
            Ok(Value::Null) => return Ok(None),
            Ok(other) => {
                return Err(invalid_properties(
                    field,
                    format!("the string holds {}, not an object", kind_of(&other)),
                ))
            }
            Err(e) => {
                return Err(invalid_properties(
                    field,
                    format!("the string does not hold valid JSON ({e})"),
                ))
            }
        }
    } else {
        let found = serde_json::from_str::<Value>(text)
            .map(|v| kind_of(&v))
            .unwrap_or("something else");
        return Err(invalid_properties(field, format!("found {found}")));
    };
    if object.is_empty() {
        return Ok(None);
    }
    plain_properties(field, &object)?;
    let compact =
        serde_json::to_string(&object).map_err(|e| invalid_properties(field, e.to_string()))?;
    if compact.len() > limits.max_properties_bytes {
        return Err(Reject::new(
            codes::PROPERTIES_TOO_LARGE,
            format!(
                "`{field}` is {} bytes once serialised; the limit is {} bytes.",
                compact.len(),
                limits.max_properties_bytes
            ),
        ));
    }
    Ok(Some(compact))
}

/// Property names follow the rules of names, string values those of text, at any depth
/// (serde_json's recursion limit has already bounded the depth).
fn plain_properties(field: &str, object: &Map<String, Value>) -> Result<(), Reject> {
    match forbidden_in_object(object) {
        None => Ok(()),
        Some((path, problem)) => Err(Reject::new(
            codes::INVALID_CHARACTER,
            problem.message(&format!("{field}{path}")),
        )),
    }
}

/// The first forbidden character and the path to it (`.name[2].inner`), built only for the
/// rare failing item.
fn forbidden_in_object(object: &Map<String, Value>) -> Option<(String, ForbiddenChar)> {
    object.iter().find_map(|(name, value)| {
        let shown = || format!(".{}", name.escape_debug());
        if let Some(problem) = forbidden_in_name(name) {
            return Some((shown(), problem));
        }
        forbidden_in_value(value).map(|(path, problem)| (shown() + &path, problem))
    })
}

fn forbidden_in_value(value: &Value) -> Option<(String, ForbiddenChar)> {
    match value {
        Value::String(text) => forbidden_in_text(text).map(|p| (String::new(), p)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            forbidden_in_value(v).map(|(path, problem)| (format!("[{i}]{path}"), problem))
        }),
        Value::Object(object) => forbidden_in_object(object),
        _ => None,
    }
}

fn invalid_properties(field: &str, detail: String) -> Reject {
    Reject::new(
        codes::INVALID_PROPERTIES,
        format!("`{field}` must be a JSON object: {detail}."),
    )
}

/// The JSON type a field must have, to explain a failed deserialisation.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Str,
    Int,
    Num,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub(crate) const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

pub(crate) const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// Why an item failed to deserialise, naming the field. serde's own messages do not name the
/// field on a type mismatch, so this re-reads the (rare) failing item as a `Value`.
pub(crate) fn diagnose(raw: &str, fields: &[Field], err: &serde_json::Error) -> Reject {
    let value: Value = match serde_json::from_str(raw) {
        Ok(value) => value,
        Err(e) => {
            return Reject::new(
                codes::INVALID_JSON,
                format!("The item is not valid JSON: {e}."),
            )
        }
    };
    let Value::Object(object) = value else {
        return Reject::new(
            codes::INVALID_ITEM,
            format!("The item is {}, not a JSON object.", kind_of(&value)),
        );
    };
    for field in fields {
        let name = field.name;
        let problem = match object.get(name) {
            None | Some(Value::Null) if field.required => Some("is missing".to_owned()),
            None | Some(Value::Null) => None,
            Some(v) => match field.kind {
                Kind::Str if !v.is_string() => {
                    Some(format!("must be a string, not {}", kind_of(v)))
                }
                Kind::Int if v.as_i64().is_none() => Some(format!(
                    "must be a whole number that fits in 64 bits, not {}",
                    kind_of(v)
                )),
                Kind::Num if !v.is_number() => {
                    Some(format!("must be a number, not {}", kind_of(v)))
                }
                _ => None,
            },
        };
        if let Some(problem) = problem {
            return Reject::new(codes::INVALID_ITEM, format!("`{name}` {problem}."));
        }
    }
    Reject::new(
        codes::INVALID_ITEM,
        format!("The item could not be read: {err}."),
    )
}

pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a fractional number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
