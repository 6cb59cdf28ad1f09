//! `MATCHES_STRING` patterns are JavaScript regular expressions (JS `matchers/string.ts`:
//! `new RegExp(pattern).test(value)`, no flags). Rust's `regex` differs in places that change
//! results, so a pattern is rewritten first: `\d`, `\w`, `\s`, `\b` are ASCII/JS-sized rather
//! than Unicode-sized, `.` also stops at `\r`, U+2028 and U+2029, JS's identity escapes and
//! literal braces are kept literal. Lookaround and backreferences have no Rust equivalent:
//! such a pattern is `Unsupported` (it never matches here, and validation rejects it).
//! Known remaining difference: JS without the `u` flag sees a character outside the BMP as
//! two units, so `^.$` does not match an emoji there but does here.

use regex::Regex;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PatternError {
    /// Not a valid JavaScript regular expression: the SDKs never match it either.
    Invalid(String),
    /// Valid in JavaScript, but uses what Imprint cannot evaluate the same way.
    Unsupported(String),
}

const DIGIT: &str = "0-9";
const WORD: &str = "0-9A-Za-z_";
const SPACE: &str =
    r"\t\n\x0B\f\r \xA0\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}";

/// Translates a JS pattern into an equivalent Rust one.
pub(crate) fn translate(pattern: &str) -> Result<String, PatternError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut i = 0;
    let mut in_class = false;
    let mut class_start = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let Some(&next) = chars.get(i + 1) else {
                return Err(PatternError::Invalid("ends with a lone backslash".into()));
            };
            i += 2;
            i += escape(&chars, i, next, in_class, &mut out)?;
            class_start = false;
            continue;
        }
        if in_class {
            match c {
                ']' if class_start => {
                    // JS: `[]` matches nothing, `[^]` anything; Rust would read ']' literally.
                    out.push_str(r"\x{0}&&[^\x{0}]]");
                    in_class = false;
                }
                ']' => {
                    out.push(']');
                    in_class = false;
                }
                '[' | '&' | '~' => out.push_str(&regex::escape(&c.to_string())),
                '-' if chars.get(i + 1) == Some(&'-') => out.push_str(r"\-"),
                other => out.push(other),
            }
            class_start = false;
            i += 1;
            continue;
        }
        match c {
            '[' => {
                out.push('[');
                in_class = true;
                class_start = true;
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            '.' => out.push_str(r"[^\n\r\u{2028}\u{2029}]"),
            '(' if chars.get(i + 1) == Some(&'?') => {
                i += 1;
                group_prefix(&chars, i + 1, &mut out)?;
            }
            '{' => match quantifier_len(&chars, i) {
                Some(len) => {
                    out.extend(&chars[i..i + len]);
                    i += len - 1;
                }
                None => out.push_str(r"\{"),
            },
            '}' => out.push_str(r"\}"),
            other => out.push(other),
        }
        i += 1;
    }
    if in_class {
        return Err(PatternError::Invalid("unterminated character class".into()));
    }
    Ok(out)
}

/// Writes the translation of `\next` (already consumed) and returns how many more characters
/// it used.
fn escape(
    chars: &[char],
    at: usize,
    next: char,
    in_class: bool,
    out: &mut String,
) -> Result<usize, PatternError> {
    let class = |body: &str, negated: bool| {
        let caret = if negated { "^" } else { "" };
        format!("[{caret}{body}]")
    };
    let hex_digits =
        |n: usize| chars.len() >= at + n && chars[at..at + n].iter().all(|c| c.is_ascii_hexdigit());
    match next {
        'd' | 'w' | 's' | 'D' | 'W' | 'S' => {
            let body = match next.to_ascii_lowercase() {
                'd' => DIGIT,
                'w' => WORD,
                _ => SPACE,
            };
            let negated = next.is_ascii_uppercase();
            if in_class && !negated {
                out.push_str(body);
            } else {
                out.push_str(&class(body, negated));
            }
        }
        'b' if in_class => out.push_str(r"\x08"),
        'b' => out.push_str(r"(?-u:\b)"),
        'B' if !in_class => out.push_str(r"(?-u:\B)"),
        'f' | 'n' | 'r' | 't' | 'v' => {
            out.push('\\');
            out.push(next);
        }
        'x' if hex_digits(2) => {
            out.push_str(&format!(
                "\\x{{{}}}",
                chars[at..at + 2].iter().collect::<String>()
            ));
            return Ok(2);
        }
        'u' if hex_digits(4) => {
            out.push_str(&format!(
                "\\x{{{}}}",
                chars[at..at + 4].iter().collect::<String>()
            ));
            return Ok(4);
        }
        'c' => match chars.get(at) {
            Some(letter) if letter.is_ascii_alphabetic() => {
                out.push_str(&format!("\\x{{{:02X}}}", u32::from(*letter) % 32));
                return Ok(1);
            }
            // JS reads a `\c` not followed by a letter as a backslash and a 'c'.
            _ => out.push_str(r"\\c"),
        },
        '0' if !chars.get(at).is_some_and(char::is_ascii_digit) => out.push_str(r"\x{0}"),
        '0'..='9' => {
            return Err(PatternError::Unsupported(
                "backreferences and octal escapes".into(),
            ))
        }
        'k' => return Err(PatternError::Unsupported("named backreferences".into())),
        // Other escaped characters stand for themselves in JS (without the `u` flag).
        other => out.push_str(&regex::escape(&other.to_string())),
    }
    Ok(0)
}

/// After `(?`: non-capturing and named groups translate; lookarounds cannot; anything else
/// (such as inline flags) is a syntax error in JS.
fn group_prefix(chars: &[char], at: usize, out: &mut String) -> Result<(), PatternError> {
    match (chars.get(at), chars.get(at + 1)) {
        (Some(':'), _) => {
            out.push_str("(?");
            Ok(())
        }
        (Some('='), _) | (Some('!'), _) | (Some('<'), Some('=')) | (Some('<'), Some('!')) => {
            Err(PatternError::Unsupported("lookaround assertions".into()))
        }
        (Some('<'), _) => {
            out.push_str("(?");
            Ok(())
        }
        _ => Err(PatternError::Invalid(
            "`(?` must start a group such as `(?:` or `(?<name>`".into(),
        )),
    }
}

/// Length of a `{n}`, `{n,}` or `{n,m}` quantifier starting at `at`; JS reads any other
/// brace literally.
fn quantifier_len(chars: &[char], at: usize) -> Option<usize> {
    let close = chars[at..].iter().position(|&c| c == '}')?;
    let inner: String = chars[at + 1..at + close].iter().collect();
    let (min, max) = match inner.split_once(',') {
        Some((min, max)) => (min, Some(max)),
        None => (inner.as_str(), None),
    };
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let valid = digits(min) && max.is_none_or(|m| m.is_empty() || digits(m));
    valid.then_some(close + 1)
}

/// Compiles (once per pattern) the translated pattern.
pub(crate) fn compile(pattern: &str) -> Result<Regex, PatternError> {
    let translated = translate(pattern)?;
    Regex::new(&translated).map_err(|e| match e {
        regex::Error::CompiledTooBig(_) => PatternError::Unsupported("pattern too large".into()),
        other => PatternError::Invalid(other.to_string()),
    })
}

/// Whether `text` matches the JS `pattern`; a pattern that does not compile never matches,
/// as in the SDKs. Compiled patterns are cached: the same flag is evaluated for many keys.
pub(crate) fn is_match(pattern: &str, text: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    const MAX_CACHED: usize = 512;
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let Ok(mut cache) = cache.lock() else {
        return compile(pattern).is_ok_and(|re| re.is_match(text));
    };
    if !cache.contains_key(pattern) {
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), compile(pattern).ok());
    }
    cache
        .get(pattern)
        .and_then(Option::as_ref)
        .is_some_and(|re| re.is_match(text))
}
