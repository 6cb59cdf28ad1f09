//! The write path: one actor owns the database writes of ingestion and commits the requests
//! that arrive while a transaction runs together in the next one (group commit). An HTTP
//! request is answered only after its rows have committed.
//!
//! Memory is bounded twice: the mailbox has a fixed capacity (a full one answers "busy" at
//! once), and the rows waiting for the next transaction are capped.

use std::collections::HashSet;
use std::mem;
use std::sync::Arc;

use actix::prelude::*;
use imprint_store::ingest::{
    EventRecord, ImpressionRecord, IngestStore, StoreError, UniqueKey, WriteBatch,
};
use imprint_store::Database;
use tokio::sync::{broadcast, oneshot};

/// Keys already written this process's lifetime need not be inserted again; past this many,
/// the memory is cleared and duplicates are left to the database (which ignores them).
const MAX_REMEMBERED_KEYS: usize = 1_000_000;

#[derive(Debug, Clone, Copy)]
pub struct WriterLimits {
    pub mailbox_capacity: usize,
    pub max_pending_rows: usize,
}

impl Default for WriterLimits {
    fn default() -> Self {
        WriterLimits {
            mailbox_capacity: 4096,
            max_pending_rows: 500_000,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("the write queue is full")]
    Overloaded,
    #[error("the batch could not be stored: {0}")]
    Failed(String),
}

/// Impressions after they committed, for live subscribers.
pub type ImpressionFeed = broadcast::Sender<Arc<Vec<ImpressionRecord>>>;
/// Events after they committed, for live subscribers.
pub type EventFeed = broadcast::Sender<Arc<Vec<EventRecord>>>;

#[derive(Message)]
#[rtype(result = "()")]
struct RecordBatch {
    batch: WriteBatch,
    reply: oneshot::Sender<Result<(), WriteError>>,
}

struct Waiting {
    batch: WriteBatch,
    reply: oneshot::Sender<Result<(), WriteError>>,
}

pub struct IngestWriter {
    db: Database,
    limits: WriterLimits,
    /// Opened on the first write, and again after a failed open: a database the store cannot
    /// open fails the writes like any other database error (startup cannot fail here).
    store: Option<IngestStore>,
    waiting: Vec<Waiting>,
    waiting_rows: usize,
    writing: bool,
    remembered_keys: HashSet<UniqueKey>,
    feed: ImpressionFeed,
    event_feed: EventFeed,
}

impl Actor for IngestWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.limits.mailbox_capacity);
    }
}

impl Handler<RecordBatch> for IngestWriter {
    type Result = ();

    fn handle(&mut self, msg: RecordBatch, ctx: &mut Self::Context) {
        let rows = msg.batch.rows();
        if self.waiting_rows + rows > self.limits.max_pending_rows {
            let _ = msg.reply.send(Err(WriteError::Overloaded));
            return;
        }
        self.waiting_rows += rows;
        self.waiting.push(Waiting {
            batch: msg.batch,
            reply: msg.reply,
        });
        if !self.writing {
            self.write_waiting(ctx);
        }
    }
}

impl IngestWriter {
    /// Writes everything waiting in one transaction; when it finishes, whatever arrived
    /// meanwhile is written next.
    fn write_waiting(&mut self, ctx: &mut Context<Self>) {
        let waiting = mem::take(&mut self.waiting);
        self.waiting_rows = 0;
        if waiting.is_empty() {
            return;
        }
        let (batches, replies): (Vec<_>, Vec<_>) =
            waiting.into_iter().map(|w| (w.batch, w.reply)).unzip();
        let store = match self.store() {
            Ok(store) => store,
            Err(e) => {
                tracing::error!(error = %e, "opening the ingestion store failed");
                let refused = Err(WriteError::Failed(
                    "the database could not be opened".into(),
                ));
                answer(replies, refused);
                return;
            }
        };
        let mut merged = WriteBatch::merge(batches);
        merged
            .unique_keys
            .retain(|k| !self.remembered_keys.contains(k));
        self.writing = true;
        ctx.spawn(
            async move { store.write(merged).await }
                .into_actor(self)
                .map(move |result, act, ctx| {
                    act.writing = false;
                    let outcome = match result {
                        Ok(merged) => {
                            act.remember(merged.unique_keys);
                            if act.feed.receiver_count() > 0 && !merged.impressions.is_empty() {
                                let _ = act.feed.send(Arc::new(merged.impressions));
                            }
                            if act.event_feed.receiver_count() > 0 && !merged.events.is_empty() {
                                let _ = act.event_feed.send(Arc::new(merged.events));
                            }
                            Ok(())
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "writing an ingestion batch failed");
                            Err(WriteError::Failed("the database refused the write".into()))
                        }
                    };
                    answer(replies, outcome);
                    act.write_waiting(ctx);
                }),
        );
    }

    fn store(&mut self) -> Result<IngestStore, StoreError> {
        if let Some(store) = &self.store {
            return Ok(store.clone());
        }
        let store = IngestStore::open(&self.db)?;
        self.store = Some(store.clone());
        Ok(store)
    }

    fn remember(&mut self, keys: Vec<UniqueKey>) {
        if self.remembered_keys.len() + keys.len() > MAX_REMEMBERED_KEYS {
            self.remembered_keys.clear();
        }
        self.remembered_keys.extend(keys);
    }
}

fn answer(replies: Vec<oneshot::Sender<Result<(), WriteError>>>, outcome: Result<(), WriteError>) {
    for reply in replies {
        // A request that gave up waiting needs no answer.
        let _ = reply.send(outcome.clone());
    }
}

/// The typed handle HTTP handlers use.
#[derive(Clone)]
pub struct Writer {
    addr: Addr<IngestWriter>,
    feed: ImpressionFeed,
    event_feed: EventFeed,
}

impl Writer {
    pub fn start(db: Database, limits: WriterLimits) -> Writer {
        let (feed, _) = broadcast::channel(1024);
        let (event_feed, _) = broadcast::channel(1024);
        let addr = IngestWriter {
            db,
            limits,
            store: None,
            waiting: Vec::new(),
            waiting_rows: 0,
            writing: false,
            remembered_keys: HashSet::new(),
            feed: feed.clone(),
            event_feed: event_feed.clone(),
        }
        .start();
        Writer {
            addr,
            feed,
            event_feed,
        }
    }

    /// Stores the batch durably; returns once it has committed.
    pub async fn record(&self, batch: WriteBatch) -> Result<(), WriteError> {
        if batch.is_empty() {
            return Ok(());
        }
        let (reply, answer) = oneshot::channel();
        self.addr
            .try_send(RecordBatch { batch, reply })
            .map_err(|e| match e {
                SendError::Full(_) => WriteError::Overloaded,
                SendError::Closed(_) => WriteError::Failed("the writer has stopped".into()),
            })?;
        answer
            .await
            .map_err(|_| WriteError::Failed("the writer has stopped".into()))?
    }

    /// Impressions as they commit.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Vec<ImpressionRecord>>> {
        self.feed.subscribe()
    }

    /// Events as they commit.
    pub fn subscribe_events(&self) -> broadcast::Receiver<Arc<Vec<EventRecord>>> {
        self.event_feed.subscribe()
    }
}
