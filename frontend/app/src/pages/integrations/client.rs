//! One typed call per sink endpoint of the REST API (backend/server/src/http/sinks/).

use imprint_types::{
    CreateSinkRequest, DeadLetterRetryView, DeadLetterView, ReplayRequest, ReplayView,
    SinkTestResult, SinkView,
};
use serde_json::Value;

use crate::api::{self, ApiError};

fn sinks_path(env: &str) -> String {
    format!("/api/v1/environments/{env}/sinks")
}

fn sink_path(env: &str, id: i64, rest: &str) -> String {
    format!("{}/{id}{rest}", sinks_path(env))
}

pub async fn list_sinks(env: &str) -> Result<Vec<SinkView>, ApiError> {
    api::get(&sinks_path(env)).await
}

/// The answer carries a webhook's signing secret, this once.
pub async fn create_sink(env: &str, request: &CreateSinkRequest) -> Result<SinkView, ApiError> {
    api::post(&sinks_path(env), request).await
}

pub async fn delete_sink(env: &str, id: i64) -> Result<(), ApiError> {
    api::delete(&sink_path(env, id, "")).await
}

pub async fn pause_sink(env: &str, id: i64) -> Result<SinkView, ApiError> {
    api::post(&sink_path(env, id, "/pause"), &()).await
}

pub async fn resume_sink(env: &str, id: i64) -> Result<SinkView, ApiError> {
    api::post(&sink_path(env, id, "/resume"), &()).await
}

pub async fn test_sink(env: &str, id: i64) -> Result<SinkTestResult, ApiError> {
    api::post(&sink_path(env, id, "/test"), &()).await
}

/// `from` is an RFC 3339 time.
pub async fn replay_sink(env: &str, id: i64, from: String) -> Result<ReplayView, ApiError> {
    let request = ReplayRequest {
        from: Value::String(from),
    };
    api::post(&sink_path(env, id, "/replay"), &request).await
}

pub async fn dead_letters(env: &str, id: i64) -> Result<Vec<DeadLetterView>, ApiError> {
    api::get(&sink_path(env, id, "/dead-letters")).await
}

pub async fn retry_dead_letters(env: &str, id: i64) -> Result<DeadLetterRetryView, ApiError> {
    api::post(&sink_path(env, id, "/dead-letters/retry"), &()).await
}
