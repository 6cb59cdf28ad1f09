//! The write path: one actor owns the database writes of ingestion and commits the requests
//! that arrive while a transaction runs together in the next one (group commit). An HTTP
//! request is answered only after its rows have committed.
//!
//! One request never fails another: when a group's transaction fails, its requests are
//! written again one by one, so only the culprit fails (unless the commit itself was cut
//! off, when nothing may be written twice and all of them are told to retry).
//!
//! Memory is bounded twice: the mailbox has a fixed capacity (a full one answers "busy" at
//! once), and the rows waiting for the next transaction are capped.
//!
//! Supervision: the actor runs under a `Supervisor`, which restarts it if it stops; a store
//! whose SQLite thread died is opened anew on the next write. While ingestion cannot commit,
//! `healthy()` is false (`/readyz` answers 503) and a probe retries every second; so is it
//! while a transaction has been running for longer than requests wait for one (a lock held
//! elsewhere, a database that stopped answering).

mod group;
mod handle;
mod health;

use std::collections::HashSet;
use std::mem;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use imprint_store::ingest::{
    EventRecord, FailureKind, ImpressionRecord, IngestStore, StoreError, UniqueKey, WriteBatch,
};
use imprint_store::Database;
use tokio::sync::{broadcast, oneshot};

use group::{commit_group, GroupOutcome};
pub use handle::Writer;
use health::Health;

/// Keys already written this process's lifetime need not be inserted again; past this many,
/// the memory is cleared and duplicates are left to the database (which ignores them).
const MAX_REMEMBERED_KEYS: usize = 1_000_000;

/// How often a writer that cannot commit tries an empty transaction.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Clone, Copy)]
pub struct WriterLimits {
    pub mailbox_capacity: usize,
    pub max_pending_rows: usize,
    /// Strings whose ids the store keeps in memory.
    pub dictionary_capacity: usize,
    /// How long a request waits for its commit.
    pub timeout: Duration,
}

impl Default for WriterLimits {
    fn default() -> Self {
        WriterLimits {
            mailbox_capacity: 4096,
            max_pending_rows: 500_000,
            dictionary_capacity: 200_000,
            timeout: Duration::from_secs(30),
        }
    }
}

/// Why a batch was not stored. Only `Rejected` is the caller's fault; the others ask it to
/// retry later.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("the write queue is full")]
    Overloaded,
    #[error("the database refused these rows: {0}")]
    Rejected(String),
    #[error("the database cannot store this batch right now")]
    Unavailable,
    #[error("the write was not confirmed within {0:?}")]
    TimedOut(Duration),
    #[error("the writer has stopped")]
    Stopped,
}

impl WriteError {
    fn from_store(error: &StoreError) -> WriteError {
        match error.kind() {
            FailureKind::Input => WriteError::Rejected(error.to_string()),
            FailureKind::Transient | FailureKind::OutcomeUnknown => WriteError::Unavailable,
            FailureKind::StoreLost => WriteError::Stopped,
        }
    }
}

/// Impressions after they committed, for live subscribers.
pub type ImpressionFeed = broadcast::Sender<Arc<Vec<ImpressionRecord>>>;
/// Events after they committed, for live subscribers.
pub type EventFeed = broadcast::Sender<Arc<Vec<EventRecord>>>;

type Reply = oneshot::Sender<Result<(), WriteError>>;

#[derive(Message)]
#[rtype(result = "()")]
struct RecordBatch {
    batch: WriteBatch,
    reply: Reply,
}

struct Waiting {
    batch: WriteBatch,
    reply: Reply,
}

pub struct IngestWriter {
    db: Database,
    limits: WriterLimits,
    /// Opened on the first write, and again after a failed open or a lost SQLite thread: a
    /// database the store cannot open fails the writes like any other database error
    /// (startup cannot fail here).
    store: Option<IngestStore>,
    waiting: Vec<Waiting>,
    waiting_rows: usize,
    writing: bool,
    remembered_keys: HashSet<UniqueKey>,
    feed: ImpressionFeed,
    event_feed: EventFeed,
    health: Health,
}

impl Actor for IngestWriter {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.limits.mailbox_capacity);
        ctx.run_interval(PROBE_INTERVAL, |act, ctx| act.probe(ctx));
    }
}

impl Supervised for IngestWriter {
    /// Requests waiting in the stopped actor are dropped: their callers answer 503.
    fn restarting(&mut self, _: &mut Self::Context) {
        tracing::error!("the ingestion writer restarts");
        self.waiting.clear();
        self.waiting_rows = 0;
        self.writing = false;
        self.store = None;
        self.health.end();
        self.health.set(false);
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
        let (mut batches, replies): (Vec<_>, Vec<_>) =
            waiting.into_iter().map(|w| (w.batch, w.reply)).unzip();
        let store = match self.store() {
            Ok(store) => store,
            Err(e) => {
                tracing::error!(error = %e, "opening the ingestion store failed");
                self.health.set(false);
                answer_all(replies, Err(WriteError::Unavailable));
                return;
            }
        };
        for batch in &mut batches {
            batch
                .unique_keys
                .retain(|k| !self.remembered_keys.contains(k));
        }
        let (merged, parts) = WriteBatch::merge(batches);
        self.writing = true;
        self.health.begin();
        ctx.spawn(commit_group(store, merged, parts).into_actor(self).map(
            move |outcome, act, ctx| {
                act.writing = false;
                act.health.end();
                act.conclude(outcome, replies);
                act.write_waiting(ctx);
            },
        ));
    }

    /// Answers the group's requests and publishes what committed.
    fn conclude(&mut self, outcome: GroupOutcome, replies: Vec<Reply>) {
        match outcome {
            GroupOutcome::Committed(merged) => {
                self.committed(merged);
                answer_all(replies, Ok(()));
            }
            GroupOutcome::Failed(error) => {
                self.failed(&error);
                answer_all(replies, Err(error));
            }
            GroupOutcome::OneByOne(results) => {
                for (result, reply) in results.into_iter().zip(replies) {
                    let answer = match result {
                        Ok(batch) => {
                            self.committed(batch);
                            Ok(())
                        }
                        Err(error) => {
                            self.failed(&error);
                            Err(error)
                        }
                    };
                    let _ = reply.send(answer);
                }
            }
        }
    }

    fn committed(&mut self, batch: WriteBatch) {
        self.health.set(true);
        self.remember(batch.unique_keys);
        if self.feed.receiver_count() > 0 && !batch.impressions.is_empty() {
            let _ = self.feed.send(Arc::new(batch.impressions));
        }
        if self.event_feed.receiver_count() > 0 && !batch.events.is_empty() {
            let _ = self.event_feed.send(Arc::new(batch.events));
        }
    }

    fn failed(&mut self, error: &WriteError) {
        match error {
            // The input's fault: the database itself is fine.
            WriteError::Rejected(_) => {}
            WriteError::Stopped => {
                self.store = None;
                self.health.set(false);
            }
            _ => self.health.set(false),
        }
    }

    /// While ingestion cannot commit, an empty transaction every second finds out when it
    /// can again, even if no SDK posts meanwhile.
    fn probe(&mut self, ctx: &mut Context<Self>) {
        if self.writing || self.health.committed.load(Ordering::Relaxed) {
            return;
        }
        let store = match self.store() {
            Ok(store) => store,
            Err(e) => {
                tracing::warn!(error = %e, "the ingestion store still cannot be opened");
                return;
            }
        };
        self.writing = true;
        self.health.begin();
        ctx.spawn(
            async move { store.probe().await }
                .into_actor(self)
                .map(|result, act, ctx| {
                    act.writing = false;
                    act.health.end();
                    match result {
                        Ok(()) => act.health.set(true),
                        Err(e) => {
                            tracing::warn!(error = %e, "ingestion still cannot commit");
                            act.failed(&WriteError::from_store(&e));
                        }
                    }
                    act.write_waiting(ctx);
                }),
        );
    }

    fn store(&mut self) -> Result<IngestStore, StoreError> {
        if let Some(store) = &self.store {
            return Ok(store.clone());
        }
        let store = IngestStore::open(&self.db, self.limits.dictionary_capacity)?;
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

fn answer_all(replies: Vec<Reply>, outcome: Result<(), WriteError>) {
    for reply in replies {
        // A request that gave up waiting needs no answer.
        let _ = reply.send(outcome.clone());
    }
}
