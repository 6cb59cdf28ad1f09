//! Export jobs: large exports written to a file in the background, downloadable until they
//! expire. Every signed-in role may export (everyone may read the data).

use actix_files::NamedFile;
use actix_web::http::header::{
    ContentDisposition, ContentEncoding, DispositionParam, DispositionType,
};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use imprint_store::export_jobs::{status, ExportJobRow};
use imprint_store::now_ms;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::environments::find_environment;
use super::{iso_time, ApiError, ApiResult};
use crate::actors::exports::job::spec_of;
use crate::actors::exports::spec::{ExportCriteria, ExportFormat, ExportKind, ExportSpec};
use crate::actors::exports::CreateJob;
use crate::auth::Identity;
use crate::state::AppState;

/// The jobs a listing shows, newest first.
const LISTED_JOBS: u64 = 100;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateExportRequest {
    #[serde(default)]
    pub kind: ExportKind,
    #[serde(default)]
    pub format: ExportFormat,
    #[serde(default)]
    pub gzip: bool,
    #[serde(default)]
    pub criteria: ExportCriteria,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportJobView {
    pub id: i64,
    pub kind: String,
    pub format: String,
    pub gzip: bool,
    pub criteria: ExportCriteria,
    /// `queued`, `running`, `done`, `failed` or `expired`.
    pub status: String,
    pub rows_written: i64,
    /// Progress through the rows the job reads, 0–100, while queued, running or done.
    pub percent: Option<f64>,
    pub bytes: i64,
    pub error: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub expires_at: Option<String>,
    /// Where to fetch the file, while it can be.
    pub download: Option<String>,
}

fn expired(job: &ExportJobRow) -> bool {
    job.status == status::EXPIRED
        || (job.status == status::DONE && job.expires_at.is_some_and(|at| at <= now_ms()))
}

/// How far the job has read, from ids: it reads the ids after `first_id` up to `until_id`.
fn percent(job: &ExportJobRow) -> Option<f64> {
    match job.status.as_str() {
        status::DONE | status::EXPIRED => Some(100.0),
        status::QUEUED => Some(0.0),
        status::RUNNING => {
            let (first, until) = (job.first_id?, job.until_id?);
            if until <= first {
                return Some(100.0);
            }
            let done = (job.last_id - first) as f64 / (until - first) as f64;
            Some(((done * 1000.0).round() / 10.0).clamp(0.0, 100.0))
        }
        _ => None,
    }
}

fn view(env: &str, job: ExportJobRow) -> ExportJobView {
    let expired = expired(&job);
    let download_url = (job.status == status::DONE && !expired)
        .then(|| format!("/api/v1/environments/{env}/exports/{}/download", job.id));
    ExportJobView {
        id: job.id,
        percent: percent(&job),
        criteria: serde_json::from_str(&job.criteria).unwrap_or_default(),
        status: if expired {
            status::EXPIRED.to_owned()
        } else {
            job.status
        },
        kind: job.kind,
        format: job.format,
        gzip: job.gzip,
        rows_written: job.rows_written,
        bytes: job.bytes,
        error: job.error,
        created_by: job.created_by,
        created_at: iso_time(job.created_at),
        started_at: job.started_at.map(iso_time),
        finished_at: job.finished_at.map(iso_time),
        expires_at: job.expires_at.map(iso_time),
        download: download_url,
    }
}

async fn find_job(state: &AppState, env_id: i64, id: i64) -> ApiResult<ExportJobRow> {
    state
        .db
        .export_job(env_id, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no export job {id}")))
}

#[utoipa::path(post, path = "/api/v1/environments/{env}/exports", tag = "exports", params(("env" = String, Path)), request_body = CreateExportRequest, responses((status = 202, description = "Queued", body = ExportJobView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[post("/environments/{env}/exports")]
pub async fn create(
    state: web::Data<AppState>,
    identity: Identity,
    path: web::Path<String>,
    body: web::Json<CreateExportRequest>,
) -> ApiResult<HttpResponse> {
    let env = find_environment(&state, &path).await?;
    let body = body.into_inner();
    body.criteria
        .check(body.kind)
        .map_err(|m| ApiError::bad_request("invalid_criteria", m))?;
    let spec = ExportSpec {
        kind: body.kind,
        format: body.format,
        gzip: body.gzip,
        criteria: body.criteria,
    };
    let quota = state.settings.accounts.export_jobs_per_user;
    let _turn = state.exports.quota_turn().await;
    let unfinished = state
        .db
        .count_unfinished_export_jobs_of_user(identity.user.id)
        .await?;
    if unfinished >= quota as u64 {
        return Err(ApiError::TooManyRequests {
            message: format!(
                "you have {unfinished} export jobs queued or running, the most allowed \
                 (IMPRINT_EXPORT_JOBS_PER_USER = {quota}): wait for one to finish"
            ),
            retry_after: std::time::Duration::from_secs(30),
        });
    }
    let job = state
        .exports
        .create(CreateJob {
            environment_id: env.id,
            spec,
            created_by: Some(identity.user.id),
        })
        .await??;
    tracing::info!(job = job.id, environment = %env.name, by = identity.user.id, "export job queued");
    let location = format!("/api/v1/environments/{}/exports/{}", env.name, job.id);
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", location))
        .json(view(&env.name, job)))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/exports", tag = "exports", params(("env" = String, Path)), responses((status = 200, description = "Newest first", body = Vec<ExportJobView>), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/exports")]
pub async fn list(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<Vec<ExportJobView>>> {
    let env = find_environment(&state, &path).await?;
    let jobs = state.db.list_export_jobs(env.id, LISTED_JOBS).await?;
    Ok(web::Json(
        jobs.into_iter().map(|j| view(&env.name, j)).collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/exports/{id}", tag = "exports", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "The job and its progress", body = ExportJobView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/exports/{id}")]
pub async fn get_one(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<web::Json<ExportJobView>> {
    let (name, id) = path.into_inner();
    let env = find_environment(&state, &name).await?;
    let job = find_job(&state, env.id, id).await?;
    Ok(web::Json(view(&env.name, job)))
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/exports/{id}/download", tag = "exports", params(("env" = String, Path), ("id" = i64, Path)), responses((status = 200, description = "The file"), (status = 404, description = "Unknown or expired", body = imprint_types::ApiErrorBody), (status = 409, description = "Not finished", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/exports/{id}/download")]
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<(String, i64)>,
) -> ApiResult<HttpResponse> {
    let (name, id) = path.into_inner();
    let env = find_environment(&state, &name).await?;
    let job = find_job(&state, env.id, id).await?;
    if expired(&job) {
        return Err(ApiError::NotFound(format!(
            "export job {id} has expired; its file was deleted"
        )));
    }
    if job.status != status::DONE {
        return Err(ApiError::Conflict(format!(
            "export job {id} is {}; only finished jobs can be downloaded",
            job.status
        )));
    }
    let spec = spec_of(&job)?;
    let path = job
        .file_path
        .as_deref()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("export job {id} has no file")))?;
    let file = NamedFile::open_async(path).await.map_err(|e| {
        tracing::warn!(job = id, error = %e, "an export file is missing");
        ApiError::NotFound(format!("the file of export job {id} is gone"))
    })?;
    let content_type = spec
        .content_type()
        .parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("content type: {e}")))?;
    let name = spec.file_name(&format!("{}-{}-{id}", spec.kind.as_str(), env.name));
    let mut file =
        file.set_content_type(content_type)
            .set_content_disposition(ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: vec![DispositionParam::Filename(name)],
            });
    if spec.is_compressed() {
        file = file.set_content_encoding(ContentEncoding::Identity);
    }
    Ok(file.into_response(&req))
}
