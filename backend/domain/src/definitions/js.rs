//! JavaScript's value conversions, as the JS SDK applies them to attribute values before a
//! matcher sees them (JS `evaluator/value/sanitize.ts` and `utils/lang/index.ts`): the
//! evaluator must turn `"42"`, `true` or `[5]` into the same number or string the Node SDK
//! does, or the same key would get another treatment here than in the SDK.

use serde_json::Value;

const MS_PER_DAY: f64 = 86_400_000.0;
const MS_PER_MINUTE: f64 = 60_000.0;
/// Largest time value a JS `Date` holds; past it `Date` is invalid (NaN).
const MAX_DATE_MS: f64 = 8.64e15;

/// JS `String(value)` (also `value + ''`).
pub(crate) fn to_js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => s.clone(),
        Value::Array(items) => join_array(items),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

/// `Array.prototype.join(',')`: null elements become empty strings.
fn join_array(items: &[Value]) -> String {
    items
        .iter()
        .map(|item| match item {
            Value::Null => String::new(),
            other => to_js_string(other),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// JS SDK `sanitizeString`: a plain object yields its `matchingKey` (when truthy), anything
/// else goes through the SDK's `toString` (null is empty, arrays keep only their string
/// elements, -0 is "-0"); an empty result means "no value".
pub(crate) fn sanitize_string(value: &Value) -> Option<String> {
    let text = match value {
        Value::Object(map) => match map.get("matchingKey") {
            Some(key) if truthy(key) => lang_to_string(key),
            _ => String::new(),
        },
        other => lang_to_string(other),
    };
    (!text.is_empty()).then_some(text)
}

/// The SDK's own `toString` (`utils/lang/index.ts`), which differs from `String()`.
fn lang_to_string(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(","),
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if x == 0.0 && x.is_sign_negative() {
                "-0".to_owned()
            } else {
                number_to_string(x)
            }
        }
        other => to_js_string(other),
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0 && !x.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// JS SDK `sanitizeArray`: only arrays; each element as `String(e)`; duplicates dropped
/// (first kept); an empty list means "no value".
pub(crate) fn sanitize_set(value: &Value) -> Option<Vec<String>> {
    let Value::Array(items) = value else {
        return None;
    };
    let mut unique: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let text = to_js_string(item);
        if !unique.contains(&text) {
            unique.push(text);
        }
    }
    (!unique.is_empty()).then_some(unique)
}

/// JS SDK `sanitizeBoolean`: booleans, or the strings "true"/"false" in any case.
pub(crate) fn sanitize_boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// JS SDK `sanitizeNumber` (its `toNumber`, then NaN means "no value"). As in JS, null and
/// `[]` are 0, booleans are 0/1, `[7]` is 7, strings are trimmed and read as JS numbers.
pub(crate) fn sanitize_number(value: &Value) -> Option<f64> {
    let number = match value {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        Value::Array(items) => string_to_number(&join_array(items)),
        Value::Object(_) => f64::NAN,
    };
    (!number.is_nan()).then_some(number)
}

/// JS whitespace and line terminators, which `Number("…")` ignores around the digits.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// ECMAScript StringToNumber: empty is 0; `0x`/`0o`/`0b` integers; `Infinity`; decimal
/// literals with optional sign, fraction and exponent; anything else NaN.
pub(crate) fn string_to_number(text: &str) -> f64 {
    let text = text.trim_matches(is_js_space);
    if text.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = text.strip_prefix(prefix) {
            return radix_to_number(digits, radix);
        }
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned == "Infinity" {
        return if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    if is_decimal_literal(unsigned) {
        text.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

fn radix_to_number(digits: &str, radix: u32) -> f64 {
    if digits.is_empty() {
        return f64::NAN;
    }
    let mut value = 0.0_f64;
    for c in digits.chars() {
        match c.to_digit(radix) {
            Some(d) => value = value * f64::from(radix) + f64::from(d),
            None => return f64::NAN,
        }
    }
    value
}

/// `digits [. digits] [e [+-] digits]` or `. digits [exponent]`: Rust's float parser also
/// takes "inf" and "nan", which JS does not, hence this check first.
fn is_decimal_literal(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((int_part, frac_part)) => (int_part, frac_part),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int_part)
        && all_digits(frac_part)
        && (!int_part.is_empty() || !frac_part.is_empty());
    let exponent_ok = match exponent {
        None => true,
        Some(exp) => {
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            !digits.is_empty() && all_digits(digits)
        }
    };
    mantissa_ok && exponent_ok
}

/// ECMAScript Number::toString: shortest round-trip digits, plain notation for exponents
/// -7 < e < 21, scientific (`1e+21`, `1.5e-7`) outside.
pub(crate) fn number_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    // Rust's `{:e}` gives the same shortest digits: "d.ddde<exp>".
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exp) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let n = exp + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let exp_sign = if n - 1 < 0 { "-" } else { "+" };
        let exp_abs = (n - 1).abs();
        if k == 1 {
            format!("{digits}e{exp_sign}{exp_abs}")
        } else {
            format!("{}.{}e{exp_sign}{exp_abs}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

/// What `new Date(ms)` keeps of a number: integral ms, or NaN past the Date range.
fn time_clip(ms: f64) -> f64 {
    if ms.is_finite() && ms.abs() <= MAX_DATE_MS {
        ms.trunc()
    } else {
        f64::NAN
    }
}

/// JS `zeroSinceHH` (`evaluator/convertions/index.ts`): the start of the UTC day.
pub(crate) fn start_of_utc_day(ms: f64) -> f64 {
    let t = time_clip(ms);
    (t / MS_PER_DAY).floor() * MS_PER_DAY
}

/// JS `zeroSinceSS`: the start of the UTC minute.
pub(crate) fn start_of_utc_minute(ms: f64) -> f64 {
    let t = time_clip(ms);
    (t / MS_PER_MINUTE).floor() * MS_PER_MINUTE
}

/// `2024-03-01` (for labels).
pub(crate) fn format_utc_day(ms: f64) -> String {
    let (y, m, d, _, _) = civil(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2024-03-01T09:30Z` (for labels).
pub(crate) fn format_utc_minute(ms: f64) -> String {
    let (y, m, d, hh, mm) = civil(ms);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}Z")
}

/// Calendar date and time of day from ms since the epoch (days-to-civil, proleptic
/// Gregorian).
fn civil(ms: f64) -> (i64, i64, i64, i64, i64) {
    let ms = if ms.is_finite() { ms as i64 } else { 0 };
    let days = ms.div_euclid(86_400_000);
    let minute_of_day = ms.rem_euclid(86_400_000) / 60_000;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, minute_of_day / 60, minute_of_day % 60)
}
