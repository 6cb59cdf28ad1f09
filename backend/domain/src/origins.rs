//! Web origins an environment's SDK keys may be used from. Browsers send `Origin` as
//! `scheme://host[:port]`, lower-case and without a path, so that is the only form accepted and
//! the comparison is a plain string equality.

pub const MAX_ALLOWED_ORIGINS: usize = 100;
const MAX_ORIGIN_LENGTH: usize = 253 + "https://".len() + ":65535".len();

/// Checks and normalises a list of origins; the message names the offending entry.
pub fn parse_allowed_origins(origins: &[String]) -> Result<Vec<String>, String> {
    if origins.len() > MAX_ALLOWED_ORIGINS {
        return Err(format!(
            "at most {MAX_ALLOWED_ORIGINS} allowed origins (max_allowed_origins), got {}",
            origins.len()
        ));
    }
    let mut parsed = Vec::with_capacity(origins.len());
    for origin in origins {
        let origin = parse_origin(origin)?;
        if !parsed.contains(&origin) {
            parsed.push(origin);
        }
    }
    Ok(parsed)
}

fn parse_origin(raw: &str) -> Result<String, String> {
    let invalid = || {
        format!(
            "`{}` is not a web origin such as https://shop.example.com or http://localhost:3000",
            raw.chars().take(80).collect::<String>()
        )
    };
    let origin = raw.trim().trim_end_matches('/').to_ascii_lowercase();
    if origin.len() > MAX_ORIGIN_LENGTH {
        return Err(invalid());
    }
    let (scheme, rest) = origin.split_once("://").ok_or_else(invalid)?;
    if scheme != "http" && scheme != "https" {
        return Err(invalid());
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || rest.starts_with('[') => (host, Some(port)),
        _ => (rest, None),
    };
    let host_ok = if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !v6.is_empty()
            && v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    } else {
        !host.is_empty()
            && host
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n > 0));
    if host_ok && port_ok {
        Ok(origin)
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(list: &[&str]) -> Result<Vec<String>, String> {
        parse_allowed_origins(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn origins_are_normalised_and_deduplicated() {
        assert_eq!(
            parse(&[
                "https://Shop.Example.com/",
                "http://localhost:3000",
                "https://shop.example.com"
            ]),
            Ok(vec![
                "https://shop.example.com".to_owned(),
                "http://localhost:3000".to_owned()
            ])
        );
        assert_eq!(
            parse(&["http://[::1]:8080"]),
            Ok(vec!["http://[::1]:8080".to_owned()])
        );
        assert_eq!(parse(&[]), Ok(vec![]));
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for bad in [
            "shop.example.com",
            "ftp://example.com",
            "https://example.com/path",
            "https://exa mple.com",
            "https://example.com:0",
            "https://example.com:99999",
            "https://",
            "https://ex\u{0}ample.com",
            "*",
        ] {
            assert!(parse(&[bad]).is_err(), "{bad} is refused");
        }
        let many: Vec<String> = (0..=MAX_ALLOWED_ORIGINS)
            .map(|i| format!("https://a{i}.example.com"))
            .collect();
        assert!(parse_allowed_origins(&many).is_err());
    }
}
