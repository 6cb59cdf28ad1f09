//! Usage of an environment: unique keys this month (MTK), impression counters, and the
//! month's impression volume (measured, estimated as M × E × P, and projected).

use actix_web::{get, web};
use chrono::{DateTime, Datelike, Months, Utc};
use imprint_store::usage::VolumeMeasures;
use imprint_types::{UsageView, VolumeEstimate};

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
    let now = Utc::now();
    let month = now.year() * 100 + now.month() as i32;
    let (month_start, month_end) = month_bounds(now);
    let totals = state.db.usage_totals(env.id, month_start, i64::MAX).await?;
    let unique_keys = state.db.unique_keys_in_month(env.id, month).await?;
    let measures = state.db.volume_measures(env.id, month_start).await?;
    let elapsed = (now.timestamp_millis() - month_start) as f64 / (month_end - month_start) as f64;
    Ok(web::Json(UsageView {
        month: format!("{}-{:02}", now.year(), now.month()),
        unique_keys_this_month: unique_keys,
        impressions_stored: totals.impressions_stored,
        impressions_dropped_tracking_off: totals.impressions_dropped_tracking_off,
        impressions_counted_by_sdk: totals.impressions_counted_by_sdk,
        events_stored: totals.events_stored,
        volume: volume(unique_keys, &measures, totals.impressions_stored, elapsed),
    }))
}

/// The first millisecond of `now`'s month and of the next one, UTC.
fn month_bounds(now: DateTime<Utc>) -> (i64, i64) {
    let start = now
        .date_naive()
        .with_day(1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    let Some(start) = start else {
        return (0, i64::MAX);
    };
    let end = start
        .checked_add_months(Months::new(1))
        .unwrap_or(start + chrono::Duration::days(31));
    (start.timestamp_millis(), end.timestamp_millis())
}

/// Amplitude's M × E × P with P measured per (key, flag) pair that occurred: the estimate is
/// what the month would hold if every key met every active flag, so it bounds `actual` from
/// above, reaching it when they all do.
pub fn volume(
    monthly_keys: i64,
    measures: &VolumeMeasures,
    actual: i64,
    month_elapsed: f64,
) -> VolumeEstimate {
    let per_pair = if measures.key_flag_pairs > 0 {
        actual as f64 / measures.key_flag_pairs as f64
    } else {
        0.0
    };
    let month_elapsed = month_elapsed.clamp(0.0, 1.0);
    let projected = if month_elapsed > 0.0 {
        (actual as f64 / month_elapsed).round() as i64
    } else {
        actual
    };
    VolumeEstimate {
        monthly_keys,
        active_flags: measures.active_flags,
        impressions_per_key_per_flag: per_pair,
        estimate: monthly_keys as f64 * measures.active_flags as f64 * per_pair,
        actual,
        projected,
        month_elapsed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_m_times_e_times_p_and_bounds_the_actual_volume() {
        // 10 keys, 2 flags; 15 of the 20 (key, flag) pairs occurred with 60 impressions.
        let measures = VolumeMeasures {
            active_flags: 2,
            key_flag_pairs: 15,
        };
        let v = volume(10, &measures, 60, 0.25);
        assert_eq!(v.impressions_per_key_per_flag, 4.0);
        assert_eq!(v.estimate, 80.0);
        assert_eq!(v.projected, 240);
        assert!(v.estimate >= v.actual as f64);
    }

    #[test]
    fn an_empty_month_estimates_nothing() {
        let v = volume(0, &VolumeMeasures::default(), 0, 0.0);
        assert_eq!((v.estimate, v.projected), (0.0, 0));
    }

    #[test]
    fn months_have_their_own_lengths() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let (start, end) = month_bounds(at("2026-02-14T12:00:00Z"));
        assert_eq!(start, at("2026-02-01T00:00:00Z").timestamp_millis());
        assert_eq!(end - start, 28 * 86_400_000);
    }
}
