//! One typed call per metric endpoint of the REST API (backend/server/src/http/metrics/), and
//! the impact of a flag on one metric (backend/server/src/http/impact.rs).

use imprint_types::{CreateMetricRequest, ImpactView, MetricView, UpdateMetricRequest};

use crate::api::{self, ApiError};

fn metrics_path(env: &str) -> String {
    format!("/api/v1/environments/{env}/metrics")
}

pub async fn list_metrics(env: &str) -> Result<Vec<MetricView>, ApiError> {
    api::get(&metrics_path(env)).await
}

pub async fn create_metric(
    env: &str,
    request: &CreateMetricRequest,
) -> Result<MetricView, ApiError> {
    api::post(&metrics_path(env), request).await
}

pub async fn update_metric(
    env: &str,
    id: i64,
    request: &UpdateMetricRequest,
) -> Result<MetricView, ApiError> {
    api::patch(&format!("{}/{id}", metrics_path(env)), request).await
}

pub async fn delete_metric(env: &str, id: i64) -> Result<(), ApiError> {
    api::delete(&format!("{}/{id}", metrics_path(env))).await
}

/// The flag's impact on `metric` against `baseline` (the API's default when empty), over the
/// API's default window; `refresh` computes again instead of reading the cache.
pub async fn impact(
    env: &str,
    flag: &str,
    metric: i64,
    baseline: &str,
    refresh: bool,
) -> Result<ImpactView, ApiError> {
    let mut path = format!("/api/v1/environments/{env}/flags/{flag}/impact?metric={metric}");
    if !baseline.is_empty() {
        path.push_str(&format!("&baseline={}", query_value(baseline)));
    }
    if refresh {
        path.push_str("&refresh=true");
    }
    api::get(&path).await
}

/// Treatment names are plain, but a query value is escaped all the same.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::query_value;

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_value("on"), "on");
        assert_eq!(query_value("a b&c"), "a%20b%26c");
    }
}
