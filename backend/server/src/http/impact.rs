//! A flag's impact on a metric: `GET …/flags/{flag}/impact?metric=&baseline=&from=&to=`.
//! Results come from the impact actor's cache unless `refresh=true`.

use actix_web::{get, web, HttpRequest};
use imprint_types::ImpactView;

use super::environments::find_environment;
use super::export::criteria::printable;
use super::metrics::find_metric;
use super::{ApiError, ApiResult};
use crate::actors::exports::spec::parse_time;
use crate::auth::Identity;
use crate::impact::{ImpactKey, Versions, WindowSpec};
use crate::state::AppState;

fn invalid(message: String) -> ApiError {
    ApiError::bad_request("invalid_query", message)
}

/// The query string; unknown parameters are refused, as the export's are.
#[derive(Debug, Default)]
struct ImpactQuery {
    metric: Option<i64>,
    baseline: Option<String>,
    window: WindowSpec,
    refresh: bool,
}

fn parse(query: &str) -> ApiResult<ImpactQuery> {
    let mut parsed = ImpactQuery::default();
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
            "metric" => {
                let id = value
                    .parse::<i64>()
                    .map_err(|_| invalid(format!("`metric` is a metric's id, not `{value}`")))?;
                parsed.metric = Some(id);
            }
            "baseline" if !value.is_empty() => parsed.baseline = Some(value.into_owned()),
            "baseline" => {}
            "from" => parsed.window.from = Some(time()?),
            "to" => parsed.window.to = Some(time()?),
            "refresh" => {
                parsed.refresh = match value.as_ref() {
                    "true" | "1" => true,
                    "false" | "0" | "" => false,
                    _ => {
                        return Err(invalid(format!(
                            "`refresh` is true or false, not `{value}`"
                        )))
                    }
                }
            }
            other => {
                return Err(invalid(format!(
                    "unknown parameter `{other}`; the impact takes metric, baseline, from, to \
                     and refresh"
                )))
            }
        }
    }
    Ok(parsed)
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/flags/{flag}/impact", tag = "metrics",
    params(("env" = String, Path), ("flag" = String, Path),
        ("metric" = i64, Query, description = "The metric's id"),
        ("baseline" = Option<String>, Query, description = "The treatment others are compared with; the definition's default treatment when absent"),
        ("from" = Option<String>, Query, description = "Start of the impressions window, ms or RFC 3339; 14 days before `to` when absent"),
        ("to" = Option<String>, Query, description = "End of the window (inclusive), ms or RFC 3339; now when absent"),
        ("refresh" = Option<bool>, Query, description = "Compute again instead of answering from the cache")),
    responses((status = 200, description = "Each treatment's mean and interval, each against the baseline, and the sample-ratio check", body = ImpactView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/flags/{flag}/impact")]
pub async fn impact(
    state: web::Data<AppState>,
    _identity: Identity,
    request: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<ImpactView>> {
    let (env, flag) = path.into_inner();
    let query = parse(request.query_string())?;
    let metric_id = query
        .metric
        .ok_or_else(|| invalid("`metric` names the metric's id: `?metric=3`".into()))?;
    let range = query.window.resolve(imprint_store::now_ms());
    if range.from > range.to {
        return Err(invalid("the window's `from` is after its `to`".into()));
    }
    let environment = find_environment(&state, &env).await?;
    let flag_row = state
        .db
        .find_flag(environment.id, &flag)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no flag `{flag}`")))?;
    let metric = find_metric(&state, environment.id, metric_id).await?;
    if let (Some(baseline), Some(definition)) = (
        &query.baseline,
        state.flags.catalog(environment.id).definitions.get(&flag),
    ) {
        if !definition.treatments.iter().any(|t| &t.name == baseline) {
            return Err(ApiError::bad_request(
                "invalid_baseline",
                format!("`{baseline}` is not a treatment of `{flag}`"),
            ));
        }
    }
    let key = ImpactKey {
        environment_id: environment.id,
        flag,
        metric_id,
        baseline: query.baseline,
        window: query.window,
    };
    let versions = Versions {
        metric: metric.updated_at,
        flag: flag_row.change_number,
    };
    let view = state.impact.get(key, versions, query.refresh).await?;
    Ok(web::Json((*view).clone()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_query_takes_ids_times_and_a_refresh() {
        let q =
            parse("metric=3&baseline=off&from=1000&to=2026-11-24T00:00:00Z&refresh=true").unwrap();
        assert_eq!(q.metric, Some(3));
        assert_eq!(q.baseline.as_deref(), Some("off"));
        assert_eq!(q.window.from, Some(1000));
        assert_eq!(q.window.to, Some(1_795_478_400_000));
        assert!(q.refresh);
        let code = |query: &str| parse(query).unwrap_err().code();
        assert_eq!(code("metric=x"), "invalid_query");
        assert_eq!(code("from=yesterday"), "invalid_query");
        assert_eq!(code("metrics=3"), "invalid_query");
        assert_eq!(code("refresh=maybe"), "invalid_query");
    }
}
