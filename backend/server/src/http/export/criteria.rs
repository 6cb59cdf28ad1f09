//! The query string of a streaming export: `format`, `gzip` and the criteria.
//!
//! Unknown parameters are refused rather than ignored, so a misspelt criterion (`flags=`)
//! cannot silently export everything.

use crate::actors::exports::spec::{
    parse_time, ExportFormat, ExportKind, ExportSpec, TimeFieldName,
};
use crate::http::{ApiError, ApiResult};
use imprint_domain::ingest::text::{forbidden_in_name, forbidden_in_text};

fn invalid(message: String) -> ApiError {
    ApiError::bad_request("invalid_query", message)
}

/// Flag names, treatments and event types cannot hold commas, so `flag=a,b` lists two.
fn list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// Values are compared with stored strings, which never hold control characters (PostgreSQL
/// refuses NUL in a query parameter outright): such a parameter is refused, not sent.
/// Property values are free text, so tab and line breaks pass there.
pub(crate) fn printable(name: &str, value: &str) -> ApiResult<()> {
    let problem = forbidden_in_name(name)
        .map(|p| p.message("parameter name"))
        .or_else(|| {
            if name.starts_with("property.") {
                forbidden_in_text(value).map(|p| p.message(name))
            } else {
                forbidden_in_name(value).map(|p| p.message(name))
            }
        });
    problem.map_or(Ok(()), |message| Err(invalid(message)))
}

pub fn parse(query: &str, kind: ExportKind) -> ApiResult<ExportSpec> {
    let mut spec = ExportSpec {
        kind,
        ..ExportSpec::default()
    };
    let criteria = &mut spec.criteria;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        printable(&name, &value)?;
        let time = || {
            parse_time(&value).ok_or_else(|| {
                invalid(format!(
                    "`{name}` must be ms since the epoch or an RFC 3339 time, not `{value}`"
                ))
            })
        };
        match name.as_ref() {
            "format" => {
                spec.format = ExportFormat::parse(&value).ok_or_else(|| {
                    ApiError::bad_request(
                        "unsupported_format",
                        format!("format `{value}` is not supported; use ndjson, csv or parquet"),
                    )
                })?
            }
            "gzip" => {
                spec.gzip = match value.as_ref() {
                    "true" | "1" => true,
                    "false" | "0" | "" => false,
                    _ => return Err(invalid(format!("`gzip` is true or false, not `{value}`"))),
                }
            }
            "flag" => criteria.flag.extend(list(&value)),
            "treatment" => criteria.treatment.extend(list(&value)),
            "event_type" => criteria.event_type.extend(list(&value)),
            "key" => criteria.key.push(value.clone().into_owned()),
            "label" => criteria.label.push(value.clone().into_owned()),
            "sdk" => criteria.sdk.push(value.clone().into_owned()),
            "from" => criteria.from = Some(time()?),
            "to" => criteria.to = Some(time()?),
            "time_field" => {
                criteria.time_field = match value.as_ref() {
                    "timestamp" => TimeFieldName::Timestamp,
                    "received_at" => TimeFieldName::ReceivedAt,
                    _ => {
                        return Err(invalid(format!(
                            "`time_field` is timestamp or received_at, not `{value}`"
                        )))
                    }
                }
            }
            other => match other.strip_prefix("property.") {
                Some(property) if !property.is_empty() => {
                    criteria
                        .properties
                        .insert(property.to_owned(), value.clone().into_owned());
                }
                _ => {
                    return Err(invalid(format!(
                        "unknown parameter `{other}`; see the API documentation for the criteria"
                    )))
                }
            },
        }
    }
    spec.criteria.check(kind).map_err(invalid)?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_parse_from_the_query_string() {
        let spec = parse(
            "format=csv&gzip=true&flag=a,b&flag=c&key=u%2C1&from=1000&to=2026-11-24T00:00:00Z\
             &time_field=received_at&property.plan=pro",
            ExportKind::Impressions,
        )
        .unwrap();
        assert_eq!(spec.format, ExportFormat::Csv);
        assert!(spec.gzip);
        assert_eq!(spec.criteria.flag, ["a", "b", "c"]);
        assert_eq!(spec.criteria.key, ["u,1"]);
        assert_eq!(spec.criteria.from, Some(1000));
        assert_eq!(spec.criteria.to, Some(1_795_478_400_000));
        assert_eq!(spec.criteria.time_field, TimeFieldName::ReceivedAt);
        assert_eq!(spec.criteria.properties["plan"], "pro");
    }

    #[test]
    fn bad_criteria_are_refused_with_their_own_codes() {
        let code = |query: &str, kind| parse(query, kind).unwrap_err().code();
        assert_eq!(
            code("format=xml", ExportKind::Impressions),
            "unsupported_format"
        );
        assert_eq!(
            code("from=yesterday", ExportKind::Impressions),
            "invalid_query"
        );
        assert_eq!(
            code("time_field=now", ExportKind::Impressions),
            "invalid_query"
        );
        assert_eq!(code("flags=a", ExportKind::Impressions), "invalid_query");
        assert_eq!(code("flag=a", ExportKind::Events), "invalid_query");
        assert_eq!(
            code("from=2000&to=1000", ExportKind::Events),
            "invalid_query"
        );
        assert_eq!(code("key=a%00b", ExportKind::Impressions), "invalid_query");
        assert_eq!(
            code("flag=%E2%80%AEx", ExportKind::Impressions),
            "invalid_query"
        );
        assert_eq!(code("property.a%01=x", ExportKind::Events), "invalid_query");
        assert_eq!(
            code("property.note=%00", ExportKind::Events),
            "invalid_query"
        );
        assert!(parse("property.note=a%0Ab", ExportKind::Events).is_ok());
    }

    proptest::proptest! {
        /// Whatever the query string, the answer is a spec or a 400 with a known code.
        #[test]
        fn any_query_string_gets_an_answer(
            query in "(format|gzip|flag|key|label|sdk|from|to|time_field|property\\.[a-z]{0,3}|x)=\\PC{0,12}(&[a-z_.]{1,10}=[%0-9A-Za-z\\x00-\\x1f,]{0,12}){0,4}"
        ) {
            for kind in [ExportKind::Impressions, ExportKind::Events] {
                if let Err(e) = parse(&query, kind) {
                    proptest::prop_assert!(
                        ["invalid_query", "unsupported_format"].contains(&e.code()),
                        "{}",
                        e.code()
                    );
                }
            }
        }
    }
}
