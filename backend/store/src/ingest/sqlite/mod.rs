//! SQLite ingestion: one connection of its own, owned by one OS thread that writes the batches
//! it receives one after another and answers each through a oneshot channel, so the async side
//! never blocks on SQLite. Values are bound straight from the batch (integers and borrowed
//! strings) into cached multi-row statements: no per-value boxing and no trip through a
//! driver's worker thread, which cost far more than SQLite itself.

mod connection;
mod statements;
mod write;

use std::path::Path;
use std::sync::mpsc;

use tokio::sync::oneshot;

use super::store::{StoreError, WriteFailure};
use super::WriteBatch;
use write::BatchWriter;

struct Request {
    batch: WriteBatch,
    reply: oneshot::Sender<Result<WriteBatch, WriteFailure>>,
}

/// The handle to the writer thread. The thread stops once every clone is dropped.
#[derive(Clone)]
pub struct SqliteIngest {
    requests: mpsc::Sender<Request>,
}

impl SqliteIngest {
    pub fn open(path: &Path, dictionary_capacity: usize) -> Result<SqliteIngest, StoreError> {
        let writer = BatchWriter::new(connection::open(path)?, dictionary_capacity);
        let (requests, received) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-ingest".into())
            .spawn(move || serve(writer, received))?;
        Ok(SqliteIngest { requests })
    }

    /// A thread that has died (a panic in SQLite's bindings) answers `WriterStopped`; the
    /// writer actor then opens a new store, with a new thread.
    pub async fn write(&self, batch: WriteBatch) -> Result<WriteBatch, WriteFailure> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request { batch, reply })
            .map_err(|e| WriteFailure {
                error: StoreError::WriterStopped,
                batch: Some(e.0.batch),
            })?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }
}

fn serve(mut writer: BatchWriter, requests: mpsc::Receiver<Request>) {
    for Request { batch, reply } in requests {
        let result = match writer.write(&batch) {
            Ok(()) => Ok(batch),
            Err(e) => Err(WriteFailure {
                error: e.into(),
                batch: Some(batch),
            }),
        };
        // The caller may have given up waiting; the batch committed (or not) all the same.
        let _ = reply.send(result);
    }
}
