//! Semantic versions as the SDKs read them (JS `utils/Semver.ts`; Python
//! `models/grammar/matchers/utils/utils.py` agrees): `MAJOR.MINOR.PATCH[-PRE][+META]`, no
//! leading `v`, leading zeros ignored in numeric parts, metadata ignored when ordering but
//! part of equality.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Semver {
    major: String,
    minor: String,
    patch: String,
    pre_release: Vec<String>,
    /// Normalised text (leading zeros removed), metadata included: what "equal" and
    /// "in list" compare.
    pub(crate) version: String,
}

fn is_numeric(part: &str) -> bool {
    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
}

/// "007" is 7, "0" stays "0".
fn without_leading_zeros(part: &str) -> String {
    let trimmed = part.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

impl Semver {
    /// `None` where the SDKs throw (and so the matcher does not match).
    pub(crate) fn parse(text: &str) -> Option<Semver> {
        // Metadata is everything after the first '+', and must not be empty.
        let (without_metadata, metadata) = match text.split_once('+') {
            Some((_, "")) => return None,
            Some((head, meta)) => (head, Some(meta)),
            None => (text, None),
        };
        // The pre-release is everything after the first '-'; each dot-part is non-empty.
        let (core, pre_release) = match without_metadata.split_once('-') {
            Some((core, pre)) => {
                let parts: Option<Vec<String>> = pre
                    .split('.')
                    .map(|part| match part {
                        "" => None,
                        p if is_numeric(p) => Some(without_leading_zeros(p)),
                        p => Some(p.to_owned()),
                    })
                    .collect();
                (core, parts?)
            }
            None => (without_metadata, Vec::new()),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() != 3 || !parts.iter().all(|p| is_numeric(p)) {
            return None;
        }
        let [major, minor, patch] = [parts[0], parts[1], parts[2]].map(without_leading_zeros);
        let mut version = format!("{major}.{minor}.{patch}");
        if !pre_release.is_empty() {
            version.push('-');
            version.push_str(&pre_release.join("."));
        }
        if let Some(meta) = metadata {
            version.push('+');
            version.push_str(meta);
        }
        Some(Semver {
            major,
            minor,
            patch,
            pre_release,
            version,
        })
    }

    /// Precedence: numeric parts, then a release above its pre-releases, then pre-release
    /// parts one by one (numbers numerically, else as text), then the longer pre-release.
    pub(crate) fn compare(&self, other: &Semver) -> Ordering {
        if self.version == other.version {
            return Ordering::Equal;
        }
        let core = compare_parts(&self.major, &other.major)
            .then_with(|| compare_parts(&self.minor, &other.minor))
            .then_with(|| compare_parts(&self.patch, &other.patch));
        if core != Ordering::Equal {
            return core;
        }
        match (self.pre_release.is_empty(), other.pre_release.is_empty()) {
            (false, true) => return Ordering::Less,
            (true, false) => return Ordering::Greater,
            _ => {}
        }
        for (a, b) in self.pre_release.iter().zip(&other.pre_release) {
            let result = compare_parts(a, b);
            if result != Ordering::Equal {
                return result;
            }
        }
        self.pre_release.len().cmp(&other.pre_release.len())
    }
}

/// Numbers (already without leading zeros) compare by length first; text compares by UTF-16
/// code units, as JS's `<` does.
fn compare_parts(a: &str, b: &str) -> Ordering {
    if is_numeric(a) && is_numeric(b) && a.len() != b.len() {
        return a.len().cmp(&b.len());
    }
    a.encode_utf16().cmp(b.encode_utf16())
}
