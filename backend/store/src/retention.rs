//! Purging data past an environment's retention, in bounded chunks so that the single SQLite
//! writer (and PostgreSQL's locks) are held briefly and ingestion keeps flowing between them.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    Statement, Value,
};

use crate::entities::flag;
use crate::impressions::number_placeholders;
use crate::{now_ms, Database};

/// What one purge run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromQueryResult)]
pub struct RetentionRun {
    pub environment_id: i64,
    /// `schedule` or `manual`.
    pub reason: String,
    pub triggered_by: Option<String>,
    pub cutoff: i64,
    pub started_at: i64,
    pub finished_at: i64,
    pub impressions_deleted: i64,
    pub events_deleted: i64,
    pub counts_deleted: i64,
    /// Unused dictionary strings the pass deleted. Strings are shared by every environment,
    /// so each run of one pass reports the same number.
    pub strings_deleted: i64,
}

/// Rows of the raw tables past retention. A row goes when it was received before the cutoff
/// *or* its own timestamp is before it, so "kept for N days" holds by the impression's time
/// too (rows sent late, or stored before retention was shortened). Each variant walks an
/// index, so a chunk costs its size however many rows the table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiredRows {
    /// Impressions received before the cutoff: `(environment_id, received_at)`.
    ImpressionsReceived,
    /// One flag's impressions timestamped before the cutoff: `(environment_id, flag_id, ts)`.
    /// Per flag, so the hot table needs no further index.
    ImpressionsOfFlag(i64),
    /// Events received before the cutoff: `(environment_id, received_at)`.
    EventsReceived,
    /// Events timestamped before the cutoff: `(environment_id, ts)`.
    EventsTimestamped,
}

impl ExpiredRows {
    /// The table, the extra filter with its values, and the indexed column to walk.
    fn query(self) -> (&'static str, &'static str, Option<i64>, &'static str) {
        match self {
            ExpiredRows::ImpressionsReceived => ("impressions", "", None, "received_at"),
            ExpiredRows::ImpressionsOfFlag(flag_id) => {
                ("impressions", " AND flag_id = {}", Some(flag_id), "ts")
            }
            ExpiredRows::EventsReceived => ("events", "", None, "received_at"),
            ExpiredRows::EventsTimestamped => ("events", "", None, "ts"),
        }
    }
}

impl Database {
    /// Deletes at most `limit` expired rows of one kind; returns how many it deleted.
    pub async fn purge_chunk(
        &self,
        rows: ExpiredRows,
        environment_id: i64,
        cutoff: i64,
        limit: u64,
    ) -> Result<u64, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let (table, flag_filter, flag_id, column) = rows.query();
        let sql = number_placeholders(
            backend,
            &format!(
                // The ORDER BY walks the index and stops at the limit; without it PostgreSQL
                // may plan a bitmap scan of every expired row for each chunk.
                "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} \
                 WHERE environment_id = {{}}{flag_filter} AND {column} < {{}} \
                 ORDER BY {column} LIMIT {{}})"
            ),
        );
        let mut values = vec![Value::from(environment_id)];
        values.extend(flag_id.map(Value::from));
        values.extend([Value::from(cutoff), Value::from(limit as i64)]);
        let result = self
            .conn
            .execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        Ok(result.rows_affected())
    }

    /// Ids of the environment's flags (observed or defined), whose impressions are purged
    /// one flag at a time.
    pub async fn flag_ids(&self, environment_id: i64) -> Result<Vec<i64>, sea_orm::DbErr> {
        // Only the ids: the rows also carry every definition's JSON.
        flag::Entity::find()
            .select_only()
            .column(flag::Column::Id)
            .filter(flag::Column::EnvironmentId.eq(environment_id))
            .into_tuple::<i64>()
            .all(&self.conn)
            .await
    }

    /// Deletes hourly counts for hours after `after_hour`: SDKs may report counts for any
    /// hour, and ones far in the future would otherwise never age out.
    pub async fn purge_future_counts(
        &self,
        environment_id: i64,
        after_hour: i64,
    ) -> Result<u64, sea_orm::DbErr> {
        self.execute_count(
            "DELETE FROM impression_counts WHERE environment_id = {} AND hour > {}",
            [Value::from(environment_id), Value::from(after_hour)],
        )
        .await
    }

    /// Deletes at most `limit` monthly unique keys of months before `before_month` (yyyymm);
    /// walks the primary key `(environment_id, month, key)`.
    pub async fn purge_unique_keys_chunk(
        &self,
        environment_id: i64,
        before_month: i32,
        limit: u64,
    ) -> Result<u64, sea_orm::DbErr> {
        self.execute_count(
            "DELETE FROM unique_keys WHERE (environment_id, month, key) IN \
             (SELECT environment_id, month, key FROM unique_keys \
              WHERE environment_id = {} AND month < {} ORDER BY month LIMIT {})",
            [
                Value::from(environment_id),
                Value::from(before_month),
                Value::from(limit as i64),
            ],
        )
        .await
    }

    /// Deletes at most `limit` SDK telemetry posts received before `cutoff`.
    pub async fn purge_telemetry_chunk(
        &self,
        environment_id: i64,
        cutoff: i64,
        limit: u64,
    ) -> Result<u64, sea_orm::DbErr> {
        self.execute_count(
            "DELETE FROM sdk_telemetry WHERE id IN (SELECT id FROM sdk_telemetry \
             WHERE environment_id = {} AND received_at < {} ORDER BY received_at LIMIT {})",
            [
                Value::from(environment_id),
                Value::from(cutoff),
                Value::from(limit as i64),
            ],
        )
        .await
    }

    /// Deletes console sessions that expired before `now`.
    pub async fn purge_expired_sessions(&self, now: i64) -> Result<u64, sea_orm::DbErr> {
        self.execute_count(
            "DELETE FROM sessions WHERE expires_at < {}",
            [Value::from(now)],
        )
        .await
    }

    async fn execute_count<const N: usize>(
        &self,
        sql: &str,
        values: [Value; N],
    ) -> Result<u64, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let sql = number_placeholders(backend, sql);
        let result = self
            .conn
            .execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        Ok(result.rows_affected())
    }

    /// Deletes hourly counts older than `before_hour` (they outlive raw impressions).
    pub async fn purge_counts(
        &self,
        environment_id: i64,
        before_hour: i64,
    ) -> Result<u64, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let sql = number_placeholders(
            backend,
            "DELETE FROM impression_counts WHERE environment_id = {} AND hour < {}",
        );
        let result = self
            .conn
            .execute(Statement::from_sql_and_values(
                backend,
                sql,
                [Value::from(environment_id), Value::from(before_hour)],
            ))
            .await?;
        Ok(result.rows_affected())
    }

    pub async fn record_retention_run(&self, run: &RetentionRun) -> Result<(), sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let sql = number_placeholders(
            backend,
            "INSERT INTO retention_runs (environment_id, reason, triggered_by, cutoff, started_at, \
             finished_at, impressions_deleted, events_deleted, counts_deleted, strings_deleted) \
             VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        );
        self.conn
            .execute(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    Value::from(run.environment_id),
                    Value::from(run.reason.as_str()),
                    Value::from(run.triggered_by.as_deref()),
                    Value::from(run.cutoff),
                    Value::from(run.started_at),
                    Value::from(run.finished_at),
                    Value::from(run.impressions_deleted),
                    Value::from(run.events_deleted),
                    Value::from(run.counts_deleted),
                    Value::from(run.strings_deleted),
                ],
            ))
            .await?;
        Ok(())
    }

    pub async fn last_retention_run(
        &self,
        environment_id: i64,
    ) -> Result<Option<RetentionRun>, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let sql = number_placeholders(
            backend,
            "SELECT environment_id, reason, triggered_by, cutoff, started_at, finished_at, \
             impressions_deleted, events_deleted, counts_deleted, strings_deleted \
             FROM retention_runs \
             WHERE environment_id = {} ORDER BY id DESC LIMIT 1",
        );
        RetentionRun::find_by_statement(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(environment_id)],
        ))
        .one(&self.conn)
        .await
    }
}

/// Milliseconds in `days` days.
pub fn days_ms(days: i64) -> i64 {
    days * 24 * 60 * 60 * 1000
}

/// The cutoff for an environment keeping data `retention_days`, now.
pub fn cutoff_for(retention_days: i32) -> i64 {
    now_ms() - days_ms(retention_days.into())
}
