//! Importing definitions in Split's SDK format, for teams moving from Split:
//! `{"ff": {"d": [flag, …]}, "segments": [{"name", "keys": […]}]}`.

use actix_web::{post, web};
use imprint_domain::definitions::{from_split_json, impressions_disabled_of};
use imprint_types::Role;
use serde::{Deserialize, Serialize};

use super::definitions::{save, validate};
use super::environments::{actor, find_environment};
use super::error::FieldProblem;
use super::segments::{check_keys, check_segment_name};
use super::ApiResult;
use crate::actors::flags::{SaveSegment, SetTracking};
use crate::auth::Identity;
use crate::state::AppState;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ImportBody {
    #[serde(default)]
    pub ff: Option<FeatureFlags>,
    #[serde(default)]
    pub segments: Vec<ImportedSegment>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct FeatureFlags {
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub d: Vec<serde_json::Value>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ImportedSegment {
    pub name: String,
    #[serde(default)]
    pub keys: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub segments_imported: Vec<String>,
    pub flags_imported: Vec<String>,
    /// Flags that could not be imported, each with its problems; the others were imported.
    pub rejected: Vec<RejectedFlag>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RejectedFlag {
    pub index: usize,
    pub name: Option<String>,
    pub errors: Vec<FieldProblem>,
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/import", tag = "definitions", params(("env" = String, Path)), request_body = ImportBody, responses((status = 200, description = "Success", body = ImportReport), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/import")]
pub async fn import(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
    body: web::Json<ImportBody>,
) -> ApiResult<web::Json<ImportReport>> {
    identity.require(Role::Editor)?;
    let env = find_environment(&state, &path).await?;
    let body = body.into_inner();
    let mut report = ImportReport {
        segments_imported: Vec::new(),
        flags_imported: Vec::new(),
        rejected: Vec::new(),
    };

    // Segments first: the flags' rules refer to them.
    for segment in body.segments {
        check_segment_name(&segment.name)?;
        check_keys(&segment.keys)?;
        state
            .flags
            .call(SaveSegment {
                actor: actor(&identity),
                environment_id: env.id,
                environment_name: env.name.clone(),
                name: segment.name.clone(),
                description: String::new(),
                keys: segment.keys,
            })
            .await??;
        report.segments_imported.push(segment.name);
    }

    let flags = body.ff.map(|ff| ff.d).unwrap_or_default();
    for (index, value) in flags.iter().enumerate() {
        let name = value
            .get("name")
            .and_then(|n| n.as_str())
            .map(str::to_owned);
        let reject = |errors: Vec<FieldProblem>| RejectedFlag {
            index,
            name: name.clone(),
            errors,
        };
        let definition = match from_split_json(value) {
            Ok(definition) => definition,
            Err(errors) => {
                report.rejected.push(reject(
                    errors
                        .into_iter()
                        .map(|e| FieldProblem {
                            field: e.field,
                            message: e.message,
                        })
                        .collect(),
                ));
                continue;
            }
        };
        let catalog = state.flags.catalog(env.id);
        match validate(&state, &catalog, &definition).await {
            Ok(()) => {}
            Err(super::ApiError::Invalid { errors, .. }) => {
                report.rejected.push(reject(errors));
                continue;
            }
            Err(other) => return Err(other),
        }
        let flag_name = definition.name.clone();
        let row = save(&state, &identity, &env, definition, "flag.import").await?;
        let tracking_wanted = !impressions_disabled_of(value);
        if row.tracking_enabled != tracking_wanted {
            state
                .flags
                .call(SetTracking {
                    actor: actor(&identity),
                    environment_name: env.name.clone(),
                    flag: row,
                    enabled: tracking_wanted,
                })
                .await??;
        }
        report.flags_imported.push(flag_name);
    }
    Ok(web::Json(report))
}
