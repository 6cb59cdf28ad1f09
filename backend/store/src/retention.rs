//! Purging data past an environment's retention, in bounded chunks so that the single SQLite
//! writer (and PostgreSQL's locks) are held briefly and ingestion keeps flowing between them.

use sea_orm::{ConnectionTrait, FromQueryResult, Statement, Value};

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
}

/// Tables purged by reception time: impressions and events. Reception time, because the
/// `(environment_id, received_at)` index makes the chunk query cheap, and items are
/// rejected on arrival when their own timestamp is already past retention.
#[derive(Debug, Clone, Copy)]
pub enum PurgedTable {
    Impressions,
    Events,
}

impl PurgedTable {
    fn name(self) -> &'static str {
        match self {
            PurgedTable::Impressions => "impressions",
            PurgedTable::Events => "events",
        }
    }
}

impl Database {
    /// Deletes at most `limit` rows received before `cutoff`; returns how many it deleted.
    pub async fn purge_chunk(
        &self,
        table: PurgedTable,
        environment_id: i64,
        cutoff: i64,
        limit: u64,
    ) -> Result<u64, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let table = table.name();
        let sql = number_placeholders(
            backend,
            &format!(
                // The ORDER BY walks the (environment_id, received_at) index and stops at the
                // limit; without it PostgreSQL may plan a bitmap scan of every expired row
                // for each chunk.
                "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} \
                 WHERE environment_id = {{}} AND received_at < {{}} ORDER BY received_at LIMIT {{}})"
            ),
        );
        let result = self
            .conn
            .execute(Statement::from_sql_and_values(
                backend,
                sql,
                [
                    Value::from(environment_id),
                    Value::from(cutoff),
                    Value::from(limit as i64),
                ],
            ))
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
             finished_at, impressions_deleted, events_deleted, counts_deleted) \
             VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
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
             impressions_deleted, events_deleted, counts_deleted FROM retention_runs \
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
