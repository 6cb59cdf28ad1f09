//! Streaming stored impressions back out. NDJSON for now; pages are read one after another,
//! so memory stays constant whatever the size of the export.

use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use imprint_store::impressions::{ImpressionQuery, StoredImpression};
use serde::Serialize;

use super::environments::find_environment;
use super::{iso_time, ApiError, ApiResult};
use crate::auth::Identity;
use crate::state::AppState;

const PAGE_ROWS: u64 = 2_000;

/// One exported impression, with the documented field names.
#[derive(Serialize)]
struct ExportedImpression {
    flag: String,
    key: String,
    bucketing_key: Option<String>,
    treatment: String,
    label: Option<String>,
    change_number: Option<i64>,
    timestamp: i64,
    received_at: i64,
    received_at_iso: String,
    sdk: Option<String>,
    machine_ip: Option<String>,
    machine_name: Option<String>,
    traffic_type: Option<String>,
    properties: Option<serde_json::Value>,
}

impl From<StoredImpression> for ExportedImpression {
    fn from(row: StoredImpression) -> Self {
        ExportedImpression {
            flag: row.flag,
            key: row.key,
            bucketing_key: row.bucketing_key,
            treatment: row.treatment,
            label: row.label,
            change_number: row.change_number,
            timestamp: row.timestamp,
            received_at: row.received_at,
            received_at_iso: iso_time(row.received_at),
            sdk: row.sdk,
            machine_ip: row.machine_ip,
            machine_name: row.machine_name,
            traffic_type: row.traffic_type,
            properties: row.properties.and_then(|p| serde_json::from_str(&p).ok()),
        }
    }
}

/// Query criteria. `flag` may repeat.
fn parse_query(req: &HttpRequest, environment_id: i64) -> ApiResult<ImpressionQuery> {
    let mut query = ImpressionQuery {
        environment_id,
        ..ImpressionQuery::default()
    };
    for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
        let as_ms = |v: &str| {
            parse_time(v).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("`{name}` must be ms since the epoch or an RFC 3339 time, not `{v}`"),
                )
            })
        };
        match name.as_ref() {
            "flag" => query.flags.extend(
                value
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned),
            ),
            "from" => query.from = Some(as_ms(&value)?),
            "to" => query.to = Some(as_ms(&value)?),
            "format" if value != "ndjson" => {
                return Err(ApiError::bad_request(
                    "unsupported_format",
                    format!("format `{value}` is not supported; use ndjson"),
                ))
            }
            _ => {}
        }
    }
    Ok(query)
}

fn parse_time(value: &str) -> Option<i64> {
    value.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(value)
            .ok()
            .map(|t| t.timestamp_millis())
    })
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/impressions/export", tag = "impressions", params(("env" = String, Path)), responses((status = 200, description = "Success"), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/impressions/export")]
pub async fn export_impressions(
    req: HttpRequest,
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let env = find_environment(&state, &path).await?;
    let query = parse_query(&req, env.id)?;
    let db = state.db.clone();
    let pages = futures::stream::try_unfold(Some(0i64), move |after| {
        let (db, query) = (db.clone(), query.clone());
        async move {
            let Some(after) = after else { return Ok(None) };
            let rows = db
                .impressions_page(&query, after, PAGE_ROWS)
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "export page failed");
                    actix_web::error::ErrorInternalServerError("export failed")
                })?;
            if rows.is_empty() {
                return Ok(None);
            }
            let last = rows.last().map(|r| r.id);
            let full = rows.len() as u64 == PAGE_ROWS;
            let mut out = Vec::with_capacity(rows.len() * 256);
            for row in rows {
                serde_json::to_writer(&mut out, &ExportedImpression::from(row))
                    .map_err(actix_web::error::ErrorInternalServerError)?;
                out.push(b'\n');
            }
            Ok::<_, actix_web::Error>(Some((Bytes::from(out), if full { last } else { None })))
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .streaming(pages))
}
