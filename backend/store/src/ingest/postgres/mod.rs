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
use super::store::WriteFailure;
use super::WriteBatch;

#[derive(Clone)]
pub struct PgIngest {
    pool: PgPool,
    /// Locked for a whole transaction: a batch must resolve its strings against the ids that
    /// the previous batch committed.
    dictionary: Arc<Mutex<Dictionary>>,
}

impl PgIngest {
    pub fn new(pool: PgPool, dictionary_capacity: usize) -> PgIngest {
        PgIngest {
            pool,
            dictionary: Arc::new(Mutex::new(Dictionary::with_capacity(dictionary_capacity))),
        }
    }

    pub async fn write(&self, batch: WriteBatch) -> Result<WriteBatch, WriteFailure> {
        let mut dictionary = self.dictionary.lock().await;
        match write::write_batch(&self.pool, &mut dictionary, &batch).await {
            Ok(()) => Ok(batch),
            Err(error) => Err(WriteFailure {
                error,
                batch: Some(batch),
            }),
        }
    }
}
