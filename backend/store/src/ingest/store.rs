//! The ingestion store: where the writer actor's group-committed batches go. Each backend has
//! its own fast path, and each keeps its own string dictionary.

use super::postgres::PgIngest;
use super::sqlite::SqliteIngest;
use super::WriteBatch;
use crate::{Backend, Database};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] sea_orm::sqlx::Error),
    /// The connection failed while committing: the transaction may or may not have
    /// committed, so it must not be written again.
    #[error("PostgreSQL, while committing: {0}")]
    CommitOutcomeUnknown(sea_orm::sqlx::Error),
    #[error("starting the SQLite writer thread: {0}")]
    Thread(#[from] std::io::Error),
    #[error("the SQLite writer thread has stopped")]
    WriterStopped,
    #[error("ingestion needs a file-backed SQLite database, not an in-memory one")]
    InMemorySqlite,
}

/// Who is to blame for a failed write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The rows themselves: the database refuses these values (a data exception or a
    /// constraint). Writing them again fails again.
    Input,
    /// The database or the connection: the same rows may well succeed later.
    Transient,
    /// The write may have committed; writing it again could store it twice.
    OutcomeUnknown,
    /// The store's writer is gone and must be opened again.
    StoreLost,
}

impl StoreError {
    pub fn kind(&self) -> FailureKind {
        match self {
            StoreError::Sqlite(e) => sqlite_kind(e),
            StoreError::Postgres(e) => postgres_kind(e),
            StoreError::CommitOutcomeUnknown(_) => FailureKind::OutcomeUnknown,
            StoreError::Thread(_) | StoreError::WriterStopped => FailureKind::StoreLost,
            StoreError::InMemorySqlite => FailureKind::Transient,
        }
    }
}

fn sqlite_kind(err: &rusqlite::Error) -> FailureKind {
    use rusqlite::ErrorCode;
    match err {
        rusqlite::Error::SqliteFailure(e, _) => match e.code {
            ErrorCode::ConstraintViolation | ErrorCode::TypeMismatch | ErrorCode::TooBig => {
                FailureKind::Input
            }
            _ => FailureKind::Transient,
        },
        rusqlite::Error::NulError(_)
        | rusqlite::Error::ToSqlConversionFailure(_)
        | rusqlite::Error::IntegralValueOutOfRange(..) => FailureKind::Input,
        _ => FailureKind::Transient,
    }
}

fn postgres_kind(err: &sea_orm::sqlx::Error) -> FailureKind {
    match err {
        sea_orm::sqlx::Error::Database(e) => match e.code() {
            // Class 22 (data exception: NUL in text, a bad encoding, out of range) and 23
            // (integrity constraint) come from the values written.
            Some(code) if code.starts_with("22") || code.starts_with("23") => FailureKind::Input,
            _ => FailureKind::Transient,
        },
        sea_orm::sqlx::Error::Encode(_) => FailureKind::Input,
        _ => FailureKind::Transient,
    }
}

/// A write that did not commit, and its batch when the store could hand it back (not when
/// its writer thread died with it).
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct WriteFailure {
    pub error: StoreError,
    pub batch: Option<WriteBatch>,
}

impl From<StoreError> for WriteFailure {
    fn from(error: StoreError) -> Self {
        WriteFailure { error, batch: None }
    }
}

/// Writes whole batches, each in one transaction. Cheap to clone; clones share one writer, and
/// batches are written one after another.
#[derive(Clone)]
pub struct IngestStore {
    backend: Ingest,
}

#[derive(Clone)]
enum Ingest {
    Sqlite(SqliteIngest),
    Postgres(PgIngest),
}

impl IngestStore {
    /// Opens the SQLite writer's own connection (and starts its thread), or borrows the
    /// PostgreSQL pool. The writer remembers at most `dictionary_capacity` strings' ids.
    pub fn open(db: &Database, dictionary_capacity: usize) -> Result<IngestStore, StoreError> {
        let backend = match db.backend {
            Backend::Sqlite => {
                let path = db
                    .sqlite_path
                    .as_deref()
                    .ok_or(StoreError::InMemorySqlite)?;
                Ingest::Sqlite(SqliteIngest::open(path, dictionary_capacity)?)
            }
            Backend::Postgres => {
                let pool = db.conn.get_postgres_connection_pool().clone();
                Ingest::Postgres(PgIngest::new(pool, dictionary_capacity))
            }
        };
        Ok(IngestStore { backend })
    }

    /// Writes the batch in one transaction and hands it back once it has committed; nothing of
    /// it is kept if it fails.
    pub async fn write(&self, batch: WriteBatch) -> Result<WriteBatch, WriteFailure> {
        if batch.is_empty() {
            return Ok(batch);
        }
        self.write_any(batch).await
    }

    /// Commits an empty transaction: whether ingestion can commit at all right now.
    pub async fn probe(&self) -> Result<(), StoreError> {
        self.write_any(WriteBatch::default())
            .await
            .map(drop)
            .map_err(|failure| failure.error)
    }

    async fn write_any(&self, batch: WriteBatch) -> Result<WriteBatch, WriteFailure> {
        match &self.backend {
            Ingest::Sqlite(sqlite) => sqlite.write(batch).await,
            Ingest::Postgres(postgres) => postgres.write(batch).await,
        }
    }
}
