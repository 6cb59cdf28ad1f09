//! The OpenFeature Remote Evaluation Protocol (OFREP), so OpenFeature SDKs with an OFREP
//! provider can evaluate Imprint's flags: `POST /ofrep/v1/evaluate/flags/{key}` and the bulk
//! `POST /ofrep/v1/evaluate/flags`. Authenticated with an SDK key as a Bearer token.
//! Treatments are string values; the matched rule's label and the change number travel in
//! the metadata.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use imprint_domain::definitions::{
    Evaluation, EvaluationKey, DEFAULT_RULE, DEFINITION_NOT_FOUND, KILLED, NOT_IN_SPLIT,
    PREREQUISITES_NOT_MET,
};
use imprint_domain::ingest::text::forbidden_in_name;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::evaluate::{evaluate_all, record};
use super::sdk_auth::SdkCaller;
use crate::state::AppState;

pub const OFREP_SDK: &str = "ofrep";

const CONTEXT_RULE: &str = "the context needs a string `targetingKey` of 1 to max_key_bytes \
     bytes, without control characters or bidirectional overrides";

#[derive(Deserialize, Default)]
pub struct OfrepRequest {
    #[serde(default)]
    context: Map<String, Value>,
}

fn reason(label: &str) -> &'static str {
    match label {
        KILLED => "DISABLED",
        DEFAULT_RULE | NOT_IN_SPLIT | PREREQUISITES_NOT_MET => "DEFAULT",
        _ => "TARGETING_MATCH",
    }
}

fn success(flag: &str, evaluation: &Evaluation) -> Value {
    let mut metadata = json!({ "label": evaluation.label });
    if let Some(cn) = evaluation.change_number {
        metadata["changeNumber"] = json!(cn);
    }
    if let Some(config) = &evaluation.config {
        metadata["config"] = json!(config);
    }
    json!({
        "key": flag,
        "value": evaluation.treatment,
        "variant": evaluation.treatment,
        "reason": reason(&evaluation.label),
        "metadata": metadata,
    })
}

fn failure(flag: &str, code: &str, details: &str) -> Value {
    json!({ "key": flag, "errorCode": code, "errorDetails": details })
}

/// The targeting key and the other context entries, which are the attributes. The key is
/// stored with the impressions, so it is held to the ingestion rules: 1 to `max_key_bytes`
/// bytes, no control characters or bidirectional overrides.
fn split_context(
    mut context: Map<String, Value>,
    max_key_bytes: usize,
) -> Result<(String, Map<String, Value>), &'static str> {
    match context.remove("targetingKey") {
        Some(Value::String(key))
            if !key.is_empty()
                && key.len() <= max_key_bytes
                && forbidden_in_name(&key).is_none() =>
        {
            Ok((key, context))
        }
        Some(_) => Err("INVALID_CONTEXT"),
        None => Err("TARGETING_KEY_MISSING"),
    }
}

fn parse_body(body: &[u8]) -> Result<OfrepRequest, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(OfrepRequest::default());
    }
    serde_json::from_slice(body).map_err(|e| format!("the body is not an OFREP request: {e}"))
}

#[utoipa::path(post, path = "/ofrep/v1/evaluate/flags/{key}", tag = "OFREP", params(("key" = String, Path)), responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/ofrep/v1/evaluate/flags/{key}")]
pub async fn evaluate_one(
    state: web::Data<AppState>,
    caller: SdkCaller,
    flag: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let flag = flag.into_inner();
    let request = match parse_body(&body) {
        Ok(request) => request,
        Err(details) => {
            return HttpResponse::BadRequest().json(failure(&flag, "PARSE_ERROR", &details))
        }
    };
    let (targeting_key, attributes) =
        match split_context(request.context, state.settings.max_key_bytes) {
            Ok(parts) => parts,
            Err(code) => {
                return HttpResponse::BadRequest().json(failure(&flag, code, CONTEXT_RULE))
            }
        };
    let catalog = state.flags.catalog(caller.environment.id);
    let key = EvaluationKey::new(&targeting_key);
    let evaluations = evaluate_all(
        &catalog,
        &key,
        &attributes,
        Some(std::slice::from_ref(&flag)),
    );
    record(
        &state,
        &caller.environment,
        &catalog,
        &key,
        &evaluations,
        OFREP_SDK,
    )
    .await;
    match evaluations.first() {
        Some((_, e)) if e.label != DEFINITION_NOT_FOUND => {
            HttpResponse::Ok().json(success(&flag, e))
        }
        _ => HttpResponse::NotFound().json(failure(
            &flag,
            "FLAG_NOT_FOUND",
            "no such flag in this environment",
        )),
    }
}

#[utoipa::path(post, path = "/ofrep/v1/evaluate/flags", tag = "OFREP", responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/ofrep/v1/evaluate/flags")]
pub async fn evaluate_bulk(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: SdkCaller,
    body: web::Bytes,
) -> HttpResponse {
    let request = match parse_body(&body) {
        Ok(request) => request,
        Err(details) => {
            return HttpResponse::BadRequest()
                .json(json!({ "errorCode": "PARSE_ERROR", "errorDetails": details }))
        }
    };
    let (targeting_key, attributes) =
        match split_context(request.context, state.settings.max_key_bytes) {
            Ok(parts) => parts,
            Err(code) => {
                return HttpResponse::BadRequest()
                    .json(json!({ "errorCode": code, "errorDetails": CONTEXT_RULE }))
            }
        };
    let catalog = state.flags.catalog(caller.environment.id);
    let key = EvaluationKey::new(&targeting_key);
    let evaluations = evaluate_all(&catalog, &key, &attributes, None);
    let flags: Vec<Value> = evaluations
        .iter()
        .map(|(flag, e)| success(flag, e))
        .collect();
    let answer = json!({ "flags": flags }).to_string();
    let etag = format!("\"{:x}\"", Sha256::digest(answer.as_bytes()));
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == etag);
    if unchanged {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    record(
        &state,
        &caller.environment,
        &catalog,
        &key,
        &evaluations,
        OFREP_SDK,
    )
    .await;
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .content_type("application/json")
        .body(answer)
}
