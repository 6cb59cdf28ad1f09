//! Server-side evaluation for clients without an SDK: `POST /api/v1/evaluate`. Evaluations
//! are recorded as impressions through the ingestion pipeline (tracking toggle included).

use std::collections::BTreeMap;

use actix_web::{post, web};
use imprint_domain::definitions::{evaluate, Evaluation, EvaluationKey, DEFINITION_NOT_FOUND};
use imprint_domain::ingest::text::forbidden_in_name;
use imprint_domain::ingest::{Impression, Parsed};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::sdk_auth::SdkCaller;
use super::{ApiError, ApiResult};
use crate::actors::environments::EnvInfo;
use crate::actors::flags::EnvCatalog;
use crate::state::AppState;

pub const EVALUATOR_SDK: &str = "imprint-evaluator";

#[derive(Deserialize, utoipa::ToSchema)]
pub struct EvaluateRequest {
    pub key: String,
    #[serde(default)]
    pub bucketing_key: Option<String>,
    /// Flags to evaluate; all active flags when absent.
    #[serde(default)]
    pub flags: Option<Vec<String>>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: Map<String, Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EvaluatedFlag {
    pub treatment: String,
    pub config: Option<String>,
    pub label: String,
    pub change_number: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct EvaluateResponse {
    pub key: String,
    pub treatments: BTreeMap<String, EvaluatedFlag>,
}

/// Evaluates `flags` (or every active flag) for one key against the catalog.
pub fn evaluate_all(
    catalog: &EnvCatalog,
    key: &EvaluationKey<'_>,
    attributes: &Map<String, Value>,
    flags: Option<&[String]>,
) -> Vec<(String, Evaluation)> {
    let names: Vec<String> = match flags {
        Some(names) => names.to_vec(),
        None => {
            let mut active: Vec<String> = catalog
                .definitions
                .values()
                .filter(|d| d.status == imprint_domain::definitions::FlagStatus::Active)
                .map(|d| d.name.clone())
                .collect();
            active.sort();
            active
        }
    };
    names
        .into_iter()
        .map(|name| {
            let evaluation = evaluate(catalog.definitions.get(&name), key, attributes, catalog);
            (name, evaluation)
        })
        .collect()
}

/// Records evaluations as impressions (not those of unknown flags, like the SDKs).
pub async fn record(
    state: &AppState,
    env: &EnvInfo,
    catalog: &EnvCatalog,
    key: &EvaluationKey<'_>,
    evaluations: &[(String, Evaluation)],
    sdk: &str,
) {
    let now = imprint_store::now_ms();
    let impressions: Vec<Impression> = evaluations
        .iter()
        .filter(|(_, e)| e.label != DEFINITION_NOT_FOUND)
        .map(|(flag, e)| Impression {
            flag: flag.clone(),
            key: key.matching_key.to_owned(),
            bucketing_key: key.bucketing_key.map(str::to_owned),
            treatment: e.treatment.clone(),
            label: Some(e.label.clone()),
            change_number: e.change_number,
            timestamp: now,
            traffic_type: catalog
                .definitions
                .get(flag)
                .map(|d| d.traffic_type.clone()),
            properties: None,
            sdk: Some(sdk.to_owned()),
            machine_ip: None,
            machine_name: None,
        })
        .collect();
    if impressions.is_empty() {
        return;
    }
    // The answer matters more than its record: a busy writer must not fail the evaluation.
    let impressions = Parsed::from_items(impressions);
    if let Err(e) = state.ingest.impressions(env, impressions, now).await {
        tracing::warn!(error = %e, sdk, "evaluation impressions were not recorded");
    }
}

/// A key is stored with the impressions its evaluations make: 1 to `max_key_bytes` bytes,
/// without control characters or bidirectional overrides (`invalid_key`).
pub fn check_key(field: &str, value: &str, max_key_bytes: usize) -> Result<(), ApiError> {
    if value.is_empty() || value.len() > max_key_bytes {
        return Err(ApiError::bad_request(
            "invalid_key",
            format!("`{field}` must have 1 to {max_key_bytes} bytes (max_key_bytes)."),
        ));
    }
    match forbidden_in_name(value) {
        Some(problem) => Err(ApiError::bad_request("invalid_key", problem.message(field))),
        None => Ok(()),
    }
}

/// The flags asked for, each once, in the order first named; at most `max_evaluate_flags`.
fn requested_flags(names: &[String], settings: &crate::config::Settings) -> ApiResult<Vec<String>> {
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<String> = names
        .iter()
        .filter(|name| seen.insert(name.as_str()))
        .cloned()
        .collect();
    let limit = settings.max_evaluate_flags;
    if distinct.len() > limit {
        return Err(ApiError::bad_request(
            "too_many_flags",
            format!(
                "`flags` names {} distinct flags; the limit is {limit} (max_evaluate_flags).",
                distinct.len()
            ),
        ));
    }
    for name in &distinct {
        if name.is_empty() || name.len() > settings.max_key_bytes {
            return Err(ApiError::bad_request(
                "invalid_flag",
                format!(
                    "a flag name must have 1 to {} bytes (max_key_bytes).",
                    settings.max_key_bytes
                ),
            ));
        }
        if let Some(problem) = forbidden_in_name(name) {
            return Err(ApiError::bad_request(
                "invalid_flag",
                problem.message("flags"),
            ));
        }
    }
    Ok(distinct)
}

#[utoipa::path(post, path = "/api/v1/evaluate", tag = "evaluation", request_body = EvaluateRequest, responses((status = 200, description = "Success", body = EvaluateResponse), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/evaluate")]
pub async fn evaluate_handler(
    state: web::Data<AppState>,
    caller: SdkCaller,
    body: web::Json<EvaluateRequest>,
) -> ApiResult<web::Json<EvaluateResponse>> {
    let body = body.into_inner();
    let max_key_bytes = state.settings.max_key_bytes;
    check_key("key", &body.key, max_key_bytes)?;
    if let Some(bucketing_key) = &body.bucketing_key {
        check_key("bucketing_key", bucketing_key, max_key_bytes)?;
    }
    let flags = match &body.flags {
        Some(names) => Some(requested_flags(names, &state.settings)?),
        None => None,
    };
    let catalog = state.flags.catalog(caller.environment.id);
    let key = EvaluationKey {
        matching_key: &body.key,
        bucketing_key: body.bucketing_key.as_deref(),
    };
    let evaluations = evaluate_all(&catalog, &key, &body.attributes, flags.as_deref());
    record(
        &state,
        &caller.environment,
        &catalog,
        &key,
        &evaluations,
        EVALUATOR_SDK,
    )
    .await;
    Ok(web::Json(EvaluateResponse {
        key: body.key.clone(),
        treatments: evaluations
            .into_iter()
            .map(|(flag, e)| {
                (
                    flag,
                    EvaluatedFlag {
                        treatment: e.treatment,
                        config: e.config,
                        label: e.label,
                        change_number: e.change_number,
                    },
                )
            })
            .collect(),
    }))
}
