//! A flag's monitoring data: hourly traffic per treatment, unique keys, labels, and the
//! periods during which impression tracking was off.

use std::collections::BTreeMap;

use actix_web::{get, web};
use imprint_store::ingest::hour_of;
use imprint_types::{HourlyTraffic, Monitoring, TrackingOffPeriod};
use serde::Deserialize;

use super::environments::find_environment;
use super::{ApiError, ApiResult};
use crate::auth::Identity;
use crate::state::AppState;

const HOUR: i64 = 3_600_000;
/// Longest range one request may ask for: 400 days of hourly points.
const MAX_RANGE: i64 = 400 * 24 * HOUR;
pub const NOT_AVAILABLE: &str = "not available";

#[derive(Deserialize)]
pub struct Range {
    from: Option<i64>,
    to: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/environments/{env}/flags/{flag}/monitoring", tag = "flags",
    params(("env" = String, Path), ("flag" = String, Path), ("from" = Option<i64>, Query), ("to" = Option<i64>, Query)),
    responses((status = 200, description = "Hourly traffic, unique keys, labels and tracking-off periods", body = Monitoring),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/environments/{env}/flags/{flag}/monitoring")]
pub async fn monitoring(
    state: web::Data<AppState>,
    _identity: Identity,
    path: web::Path<(String, String)>,
    range: web::Query<Range>,
) -> ApiResult<web::Json<Monitoring>> {
    let (env_name, flag_name) = path.into_inner();
    let env = find_environment(&state, &env_name).await?;
    let flag = state
        .db
        .find_flag(env.id, &flag_name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no flag `{flag_name}`")))?;
    if let (Some(from), Some(to)) = (range.from, range.to) {
        if from >= to {
            return Err(ApiError::bad_request(
                "invalid_range",
                "`from` must be before `to`",
            ));
        }
    }
    let now = imprint_store::now_ms();
    let to = hour_of(range.to.unwrap_or(now)) + HOUR;
    let from = hour_of(range.from.unwrap_or(to - 24 * HOUR));
    if from >= to || to - from > MAX_RANGE {
        return Err(ApiError::bad_request(
            "invalid_range",
            "`from` must be before `to`, at most 400 days apart",
        ));
    }

    let counts = state.db.hourly_counts(env.id, flag.id, from, to).await?;
    let mut hours: Vec<HourlyTraffic> = (0..(to - from) / HOUR)
        .map(|i| HourlyTraffic {
            hour: from + i * HOUR,
            treatments: BTreeMap::new(),
            counted_by_sdk: 0,
        })
        .collect();
    let mut seen = Vec::<String>::new();
    for c in counts {
        let Some(slot) = hours.get_mut(((c.hour - from) / HOUR) as usize) else {
            continue;
        };
        match c.treatment {
            Some(t) => {
                if !seen.contains(&t) {
                    seen.push(t.clone());
                }
                *slot.treatments.entry(t).or_default() += c.count;
            }
            None => slot.counted_by_sdk += c.count,
        }
    }
    let catalog = state.flags.catalog(env.id);
    let mut treatments: Vec<String> = catalog
        .definitions
        .get(&flag_name)
        .map(|d| d.treatments.iter().map(|t| t.name.clone()).collect())
        .unwrap_or_default();
    for t in seen {
        if !treatments.contains(&t) {
            treatments.push(t);
        }
    }

    let unique_keys = state
        .db
        .unique_keys_per_treatment(env.id, flag.id, from, to)
        .await?
        .into_iter()
        .filter_map(|c| Some((c.name?, c.count)))
        .collect();
    let labels = state
        .db
        .label_counts(env.id, flag.id, from, to)
        .await?
        .into_iter()
        .map(|c| (c.name.unwrap_or_else(|| NOT_AVAILABLE.to_owned()), c.count))
        .collect();

    Ok(web::Json(Monitoring {
        from,
        to,
        hours,
        treatments,
        tracking_off: tracking_off_periods(&state, flag.id, flag.tracking_enabled).await?,
        unique_keys,
        labels,
        raw_data_since: now - i64::from(env.retention_days) * 24 * HOUR,
    }))
}

/// Turns the toggle's history into the periods it was off.
async fn tracking_off_periods(
    state: &AppState,
    flag_id: i64,
    enabled_now: bool,
) -> ApiResult<Vec<TrackingOffPeriod>> {
    let mut periods = Vec::new();
    let mut off_since: Option<i64> = None;
    for change in state.db.tracking_changes(flag_id).await? {
        match (change.enabled, off_since) {
            (false, None) => off_since = Some(change.changed_at),
            (true, Some(from)) => {
                periods.push(TrackingOffPeriod {
                    from,
                    to: Some(change.changed_at),
                });
                off_since = None;
            }
            _ => {}
        }
    }
    if let Some(from) = off_since.filter(|_| !enabled_now) {
        periods.push(TrackingOffPeriod { from, to: None });
    }
    Ok(periods)
}
