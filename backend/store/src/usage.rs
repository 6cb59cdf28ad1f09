//! Usage figures per environment: unique keys this month (MTK) and impression counters.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement, Value};

use crate::impressions::number_placeholders;
use crate::Database;

#[derive(Debug, Clone, Default, FromQueryResult)]
pub struct UsageTotals {
    pub impressions_stored: i64,
    pub impressions_dropped_tracking_off: i64,
    pub impressions_counted_by_sdk: i64,
    pub events_stored: i64,
}

/// What the volume estimate is computed from, besides the month's unique keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeMeasures {
    /// Flags with stored impressions since the month began.
    pub active_flags: i64,
    /// Distinct (flag, key) pairs among the impressions evaluated since the month began.
    pub key_flag_pairs: i64,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

impl Database {
    pub async fn unique_keys_in_month(
        &self,
        environment_id: i64,
        month: i32,
    ) -> Result<i64, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let sql = number_placeholders(
            backend,
            "SELECT COUNT(*) AS n FROM unique_keys WHERE environment_id = {} AND month = {}",
        );
        let row = Count::find_by_statement(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(environment_id), Value::from(month)],
        ))
        .one(&self.conn)
        .await?;
        Ok(row.map(|r| r.n).unwrap_or(0))
    }

    /// Counter totals over hours in `[from_hour, to_hour)`.
    pub async fn usage_totals(
        &self,
        environment_id: i64,
        from_hour: i64,
        to_hour: i64,
    ) -> Result<UsageTotals, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let sql = number_placeholders(
            backend,
            "SELECT CAST(COALESCE(SUM(impressions_stored), 0) AS BIGINT) AS impressions_stored, \
             CAST(COALESCE(SUM(impressions_dropped_tracking_off), 0) AS BIGINT) AS impressions_dropped_tracking_off, \
             CAST(COALESCE(SUM(impressions_counted_by_sdk), 0) AS BIGINT) AS impressions_counted_by_sdk, \
             CAST(COALESCE(SUM(events_stored), 0) AS BIGINT) AS events_stored \
             FROM usage_hourly WHERE environment_id = {} AND hour >= {} AND hour < {}",
        );
        let row = UsageTotals::find_by_statement(Statement::from_sql_and_values(
            backend,
            sql,
            [
                Value::from(environment_id),
                Value::from(from_hour),
                Value::from(to_hour),
            ],
        ))
        .one(&self.conn)
        .await?;
        Ok(row.unwrap_or_default())
    }

    /// The month's active flags (from the hourly counts) and its distinct (flag, key) pairs.
    /// The pairs are counted from the impressions themselves, walking the month's rows of the
    /// environment: a read that grows with the month's volume.
    pub async fn volume_measures(
        &self,
        environment_id: i64,
        month_start: i64,
    ) -> Result<VolumeMeasures, sea_orm::DbErr> {
        let active_flags = self
            .count_of(
                "SELECT CAST(COUNT(DISTINCT flag_id) AS BIGINT) AS n FROM impression_counts \
                 WHERE environment_id = {} AND hour >= {} AND treatment_id <> 0 AND count > 0",
                environment_id,
                month_start,
            )
            .await?;
        let key_flag_pairs = self
            .count_of(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM (SELECT DISTINCT flag_id, key \
                 FROM impressions WHERE environment_id = {} AND ts >= {}) pairs",
                environment_id,
                month_start,
            )
            .await?;
        Ok(VolumeMeasures {
            active_flags,
            key_flag_pairs,
        })
    }

    async fn count_of(
        &self,
        sql: &str,
        environment_id: i64,
        since: i64,
    ) -> Result<i64, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let row = Count::find_by_statement(Statement::from_sql_and_values(
            backend,
            number_placeholders(backend, sql),
            [Value::from(environment_id), Value::from(since)],
        ))
        .one(&self.conn)
        .await?;
        Ok(row.map(|r| r.n).unwrap_or(0))
    }
}
