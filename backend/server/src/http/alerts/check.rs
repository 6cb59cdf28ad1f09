//! What an alert policy may hold. Each problem is a 400 with its own code, so forms can say
//! which field is wrong.

use imprint_domain::ingest::text::forbidden_in_name;

use crate::http::{ApiError, ApiResult};

const MAX_FLAG_BYTES: usize = 250;
const MAX_URL_CHARS: usize = 2000;
/// A threshold is relative: up to ten times worse than the baseline is a meaningful bound.
const MAX_THRESHOLD: f64 = 10.0;
/// The always-valid test needs a few users per group before its variance means anything.
const MIN_MIN_USERS: u64 = 10;
const MAX_MIN_USERS: u64 = 100_000_000;

pub fn flag(flag: Option<String>) -> ApiResult<Option<String>> {
    let Some(flag) = flag.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    if flag.len() > MAX_FLAG_BYTES || forbidden_in_name(&flag).is_some() {
        return Err(ApiError::bad_request(
            "invalid_flag",
            format!("`flag` is a flag's name: 1 to {MAX_FLAG_BYTES} bytes, no control characters"),
        ));
    }
    Ok(Some(flag))
}

pub fn threshold(threshold: f64) -> ApiResult<f64> {
    if !(threshold > 0.0 && threshold <= MAX_THRESHOLD) {
        return Err(ApiError::bad_request(
            "invalid_threshold",
            format!(
                "`threshold` is the relative degradation that fires, above 0 and at most \
                 {MAX_THRESHOLD} (0.05 = 5% worse than the baseline)"
            ),
        ));
    }
    Ok(threshold)
}

pub fn min_users(min_users: u64) -> ApiResult<i64> {
    if !(MIN_MIN_USERS..=MAX_MIN_USERS).contains(&min_users) {
        return Err(ApiError::bad_request(
            "invalid_min_users",
            format!(
                "`min_users` is between {MIN_MIN_USERS} and {MAX_MIN_USERS} users per treatment"
            ),
        ));
    }
    Ok(min_users as i64)
}

/// An http(s) URL; an empty one means no webhook.
pub fn webhook_url(url: Option<String>) -> ApiResult<Option<String>> {
    let Some(url) = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let invalid = |why: &str| {
        ApiError::bad_request(
            "invalid_webhook_url",
            format!("`webhook_url` must be an http or https URL of at most {MAX_URL_CHARS} characters: {why}"),
        )
    };
    if url.chars().count() > MAX_URL_CHARS {
        return Err(invalid("too long"));
    }
    let parsed = url::Url::parse(&url).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid("no http(s) host"));
    }
    Ok(Some(url))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_checked_with_their_own_codes() {
        assert_eq!(threshold(0.05).unwrap(), 0.05);
        for bad in [0.0, -0.1, f64::NAN, 11.0] {
            assert_eq!(threshold(bad).unwrap_err().code(), "invalid_threshold");
        }
        assert_eq!(min_users(100).unwrap(), 100);
        assert_eq!(min_users(1).unwrap_err().code(), "invalid_min_users");
        assert_eq!(webhook_url(Some(" ".into())).unwrap(), None);
        assert_eq!(
            webhook_url(Some("ftp://x/".into())).unwrap_err().code(),
            "invalid_webhook_url"
        );
        assert!(webhook_url(Some("https://hooks.example.com/a".into())).is_ok());
        assert_eq!(flag(Some("".into())).unwrap(), None);
        assert_eq!(
            flag(Some("a\nb".into())).unwrap_err().code(),
            "invalid_flag"
        );
    }
}
