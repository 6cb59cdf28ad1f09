//! PostgreSQL ingestion: impressions and events are streamed in with `COPY … FROM STDIN`
//! inside the batch's transaction, which PostgreSQL parses far faster than bound parameters;
//! counters, usage and keys go in as arrays, one `UNNEST` upsert per table whatever the
//! batch's size.

mod copy_text;
mod write;

use std::sync::Arc;

use sea_orm::sqlx::PgPool;
use tokio::sync::Mutex;

use super::dictionary::Dictionary;
use super::store::StoreError;
use super::WriteBatch;

#[derive(Clone)]
pub struct PgIngest {
    pool: PgPool,
    /// Locked for a whole transaction: a batch must resolve its strings against the ids that
    /// the previous batch committed.
    dictionary: Arc<Mutex<Dictionary>>,
}

impl PgIngest {
    pub fn new(pool: PgPool) -> PgIngest {
        PgIngest {
            pool,
            dictionary: Arc::default(),
        }
    }

    pub async fn write(&self, batch: WriteBatch) -> Result<WriteBatch, StoreError> {
        let mut dictionary = self.dictionary.lock().await;
        write::write_batch(&self.pool, &mut dictionary, &batch).await?;
        Ok(batch)
    }
}
