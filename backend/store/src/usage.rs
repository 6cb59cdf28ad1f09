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
}
