//! One typed call per metric endpoint of the REST API (backend/server/src/http/metrics/).

use imprint_types::{CreateMetricRequest, MetricView, UpdateMetricRequest};

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
