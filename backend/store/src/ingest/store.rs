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
    #[error("starting the SQLite writer thread: {0}")]
    Thread(#[from] std::io::Error),
    #[error("the SQLite writer thread has stopped")]
    WriterStopped,
    #[error("ingestion needs a file-backed SQLite database, not an in-memory one")]
    InMemorySqlite,
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
    /// PostgreSQL pool.
    pub fn open(db: &Database) -> Result<IngestStore, StoreError> {
        let backend = match db.backend {
            Backend::Sqlite => {
                let path = db
                    .sqlite_path
                    .as_deref()
                    .ok_or(StoreError::InMemorySqlite)?;
                Ingest::Sqlite(SqliteIngest::open(path)?)
            }
            Backend::Postgres => {
                let pool = db.conn.get_postgres_connection_pool().clone();
                Ingest::Postgres(PgIngest::new(pool))
            }
        };
        Ok(IngestStore { backend })
    }

    /// Writes the batch in one transaction and hands it back once it has committed; nothing of
    /// it is kept if it fails.
    pub async fn write(&self, batch: WriteBatch) -> Result<WriteBatch, StoreError> {
        if batch.is_empty() {
            return Ok(batch);
        }
        match &self.backend {
            Ingest::Sqlite(sqlite) => sqlite.write(batch).await,
            Ingest::Postgres(postgres) => postgres.write(batch).await,
        }
    }
}
