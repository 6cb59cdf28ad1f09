//! Export jobs: their queue, progress checkpoints and expiry. The export actor is their only
//! writer; HTTP handlers read them.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entities::export_job::{self, Column};
use crate::impressions::ScanRange;
use crate::{now_ms, Database};
pub use export_job::Model as ExportJobRow;

/// A job's states, as stored.
pub mod status {
    pub const QUEUED: &str = "queued";
    pub const RUNNING: &str = "running";
    pub const DONE: &str = "done";
    pub const FAILED: &str = "failed";
    pub const EXPIRED: &str = "expired";
}

pub struct NewExportJob<'a> {
    pub environment_id: i64,
    pub kind: &'a str,
    pub criteria: String,
    pub format: &'a str,
    pub gzip: bool,
    pub created_by: Option<i64>,
}

/// Progress a job has durably made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checkpoint {
    pub rows_written: i64,
    pub last_id: i64,
    pub bytes: i64,
}

impl Database {
    /// Jobs of this user still queued or running: what the per-user quota counts.
    pub async fn count_unfinished_export_jobs_of_user(&self, user_id: i64) -> Result<u64, DbErr> {
        use sea_orm::PaginatorTrait;
        export_job::Entity::find()
            .filter(Column::CreatedBy.eq(user_id))
            .filter(Column::Status.is_in([status::QUEUED, status::RUNNING]))
            .count(&self.conn)
            .await
    }

    pub async fn create_export_job(&self, job: NewExportJob<'_>) -> Result<ExportJobRow, DbErr> {
        export_job::ActiveModel {
            environment_id: Set(job.environment_id),
            kind: Set(job.kind.to_owned()),
            criteria: Set(job.criteria),
            format: Set(job.format.to_owned()),
            gzip: Set(job.gzip),
            status: Set(status::QUEUED.to_owned()),
            rows_written: Set(0),
            last_id: Set(0),
            bytes: Set(0),
            created_by: Set(job.created_by),
            created_at: Set(now_ms()),
            ..Default::default()
        }
        .insert(&self.conn)
        .await
    }

    pub async fn export_job(
        &self,
        environment_id: i64,
        id: i64,
    ) -> Result<Option<ExportJobRow>, DbErr> {
        export_job::Entity::find_by_id(id)
            .filter(Column::EnvironmentId.eq(environment_id))
            .one(&self.conn)
            .await
    }

    /// An environment's jobs, newest first.
    pub async fn list_export_jobs(
        &self,
        environment_id: i64,
        limit: u64,
    ) -> Result<Vec<ExportJobRow>, DbErr> {
        export_job::Entity::find()
            .filter(Column::EnvironmentId.eq(environment_id))
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await
    }

    /// The oldest job still to run: interrupted ones (`running` after a restart) come back in
    /// the order they were created, like queued ones.
    pub async fn next_export_job(&self) -> Result<Option<ExportJobRow>, DbErr> {
        export_job::Entity::find()
            .filter(Column::Status.is_in([status::QUEUED, status::RUNNING]))
            .order_by_asc(Column::Id)
            .one(&self.conn)
            .await
    }

    /// Marks a job running from the start of `range`, with no progress yet.
    pub async fn start_export_job(
        &self,
        id: i64,
        file_path: &str,
        range: ScanRange,
    ) -> Result<(), DbErr> {
        export_job::Entity::update_many()
            .col_expr(Column::Status, Expr::value(status::RUNNING))
            .col_expr(Column::FilePath, Expr::value(file_path))
            .col_expr(Column::FirstId, Expr::value(range.after))
            .col_expr(Column::UntilId, Expr::value(range.until))
            .col_expr(Column::LastId, Expr::value(range.after))
            .col_expr(Column::RowsWritten, Expr::value(0i64))
            .col_expr(Column::Bytes, Expr::value(0i64))
            .col_expr(Column::StartedAt, Expr::value(now_ms()))
            .filter(Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    pub async fn checkpoint_export_job(&self, id: i64, at: Checkpoint) -> Result<(), DbErr> {
        export_job::Entity::update_many()
            .col_expr(Column::RowsWritten, Expr::value(at.rows_written))
            .col_expr(Column::LastId, Expr::value(at.last_id))
            .col_expr(Column::Bytes, Expr::value(at.bytes))
            .filter(Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    pub async fn finish_export_job(
        &self,
        id: i64,
        at: Checkpoint,
        expires_at: i64,
    ) -> Result<(), DbErr> {
        export_job::Entity::update_many()
            .col_expr(Column::Status, Expr::value(status::DONE))
            .col_expr(Column::RowsWritten, Expr::value(at.rows_written))
            .col_expr(Column::LastId, Expr::value(at.last_id))
            .col_expr(Column::Bytes, Expr::value(at.bytes))
            .col_expr(Column::FinishedAt, Expr::value(now_ms()))
            .col_expr(Column::ExpiresAt, Expr::value(expires_at))
            .filter(Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    pub async fn fail_export_job(&self, id: i64, error: &str) -> Result<(), DbErr> {
        export_job::Entity::update_many()
            .col_expr(Column::Status, Expr::value(status::FAILED))
            .col_expr(Column::Error, Expr::value(error))
            .col_expr(Column::FinishedAt, Expr::value(now_ms()))
            .filter(Column::Id.eq(id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// Finished jobs whose download period has ended by `now`.
    pub async fn expired_export_jobs(&self, now: i64) -> Result<Vec<ExportJobRow>, DbErr> {
        export_job::Entity::find()
            .filter(Column::Status.eq(status::DONE))
            .filter(Column::ExpiresAt.lte(now))
            .all(&self.conn)
            .await
    }

    pub async fn expire_export_job(&self, id: i64) -> Result<(), DbErr> {
        export_job::Entity::update_many()
            .col_expr(Column::Status, Expr::value(status::EXPIRED))
            .filter(Column::Id.eq(id))
            .filter(Column::Status.eq(status::DONE))
            .exec(&self.conn)
            .await?;
        Ok(())
    }
}
