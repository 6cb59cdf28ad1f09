//! The typed handle the rest of the server uses: starts the supervised actor, sends it
//! batches and waits for their commit (bounded by the configured timeout).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use imprint_store::ingest::{EventRecord, ImpressionRecord, WriteBatch};
use imprint_store::Database;
use tokio::sync::{broadcast, oneshot};

use super::health::Health;
use super::{EventFeed, ImpressionFeed, IngestWriter, RecordBatch, WriteError, WriterLimits};

/// The typed handle HTTP handlers use.
#[derive(Clone)]
pub struct Writer {
    addr: Addr<IngestWriter>,
    feed: ImpressionFeed,
    event_feed: EventFeed,
    health: Health,
    timeout: Duration,
}

impl Writer {
    pub fn start(db: Database, limits: WriterLimits) -> Writer {
        let (feed, _) = broadcast::channel(1024);
        let (event_feed, _) = broadcast::channel(1024);
        let health = Health::new();
        let (actor_feed, actor_event_feed, actor_health) =
            (feed.clone(), event_feed.clone(), health.clone());
        let addr = Supervisor::start(move |_| IngestWriter {
            db,
            limits,
            store: None,
            waiting: Vec::new(),
            waiting_rows: 0,
            writing: false,
            remembered_keys: HashSet::new(),
            feed: actor_feed,
            event_feed: actor_event_feed,
            health: actor_health,
        });
        Writer {
            addr,
            feed,
            event_feed,
            health,
            timeout: limits.timeout,
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
                SendError::Closed(_) => WriteError::Stopped,
            })?;
        match tokio::time::timeout(self.timeout, answer).await {
            Ok(Ok(outcome)) => outcome,
            // The actor restarted and dropped the request.
            Ok(Err(_)) => Err(WriteError::Stopped),
            Err(_) => Err(WriteError::TimedOut(self.timeout)),
        }
    }

    /// Whether ingestion can commit: the last write (or probe) committed and none has been
    /// running for longer than requests wait. `/readyz` reports it.
    pub fn healthy(&self) -> bool {
        self.health.ready(self.timeout)
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
