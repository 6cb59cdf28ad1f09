//! Usage of an environment: unique keys this month (MTK) and impression counters.

use actix_web::{get, web};
use chrono::Datelike;
use imprint_types::UsageView;

use super::environments::find_environment;
use super::ApiResult;
use crate::auth::Identity;
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/environments/{env}/usage", tag = "environments", params(("env" = String, Path)), responses((status = 200, description = "Success", body = UsageView), (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/usage")]
pub async fn usage(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<String>,
) -> ApiResult<web::Json<UsageView>> {
    let env = find_environment(&state, &path).await?;
    let now = chrono::Utc::now();
    let month = now.year() * 100 + now.month() as i32;
    let month_start = now
        .date_naive()
        .with_day(1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or(0);
    let totals = state.db.usage_totals(env.id, month_start, i64::MAX).await?;
    Ok(web::Json(UsageView {
        month: format!("{}-{:02}", now.year(), now.month()),
        unique_keys_this_month: state.db.unique_keys_in_month(env.id, month).await?,
        impressions_stored: totals.impressions_stored,
        impressions_dropped_tracking_off: totals.impressions_dropped_tracking_off,
        impressions_counted_by_sdk: totals.impressions_counted_by_sdk,
        events_stored: totals.events_stored,
    }))
}
