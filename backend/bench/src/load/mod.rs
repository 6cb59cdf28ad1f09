//! Driving the server over HTTP: a closed loop for full load (every connection posts again as
//! soon as it has its answer) and an open loop for a fixed lower rate.

mod closed_loop;
mod connection;
mod hostile;
mod open_loop;
mod stats;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::task::JoinHandle;

pub use closed_loop::closed_loop;
pub use connection::{Connection, IngestTarget};
pub use open_loop::{open_loop, open_loop_until};
pub use stats::{LatencySummary, PhaseResult, PhaseStats};

use crate::workload::{SplitBody, Workload};
use connection::PostOutcome;

/// What every connection of every phase shares.
pub struct Load {
    target: IngestTarget,
    workload: Arc<Workload>,
    /// The next body of the pool to post, so connections spread over all of it.
    next_body: AtomicUsize,
    /// One post in this many is hostile (0: none), for the hostile mix.
    hostile_every: AtomicU64,
    hostile_bodies: Vec<SplitBody>,
    next_post: AtomicU64,
}

impl Load {
    pub fn new(target: IngestTarget, workload: Arc<Workload>) -> Arc<Load> {
        Arc::new(Load {
            target,
            workload,
            next_body: AtomicUsize::new(0),
            hostile_every: AtomicU64::new(0),
            hostile_bodies: hostile::bodies(imprint_store::now_ms()),
            next_post: AtomicU64::new(0),
        })
    }

    /// From now on one post in `every` is hostile; 0 stops them.
    pub fn set_hostile_every(&self, every: u64) {
        self.hostile_every.store(every, Ordering::Relaxed);
    }

    pub async fn open_connections(&self, count: usize) -> anyhow::Result<Vec<Connection>> {
        let mut connections = Vec::with_capacity(count);
        for _ in 0..count {
            connections.push(Connection::open(&self.target).await?);
        }
        Ok(connections)
    }

    /// Posts the next body and records the answer, with its latency counted from
    /// `latency_from`. A broken connection is opened again. Returns whether the server
    /// answered 503.
    async fn post_next(
        &self,
        connection: &mut Connection,
        stats: &mut PhaseStats,
        latency_from: Instant,
    ) -> anyhow::Result<bool> {
        let every = self.hostile_every.load(Ordering::Relaxed);
        let post = self.next_post.fetch_add(1, Ordering::Relaxed);
        if every > 0 && post.is_multiple_of(every) {
            let body = &self.hostile_bodies[(post / every) as usize % self.hostile_bodies.len()];
            match connection.post(&self.target, body).await {
                Ok(outcome) => stats.record_hostile(&outcome),
                Err(error) => {
                    stats.record_connection_error(&error);
                    *connection = Connection::open(&self.target)
                        .await
                        .context("reconnecting after a broken connection")?;
                }
            }
            return Ok(false);
        }
        let body = self
            .workload
            .body(self.next_body.fetch_add(1, Ordering::Relaxed));
        match connection.post(&self.target, body).await {
            Ok(outcome) => {
                stats.record(&outcome, latency_from.elapsed());
                Ok(matches!(outcome, PostOutcome::Overloaded))
            }
            Err(error) => {
                stats.record_connection_error(&error);
                *connection = Connection::open(&self.target)
                    .await
                    .context("reconnecting after a broken connection")?;
                Ok(false)
            }
        }
    }
}

type ConnectionTask = JoinHandle<anyhow::Result<(Connection, PhaseStats)>>;

/// Waits for every connection's task and adds their counts up; the connections are handed
/// back for the next phase.
async fn gather(tasks: Vec<ConnectionTask>) -> anyhow::Result<(Vec<Connection>, PhaseStats)> {
    let mut connections = Vec::with_capacity(tasks.len());
    let mut total = PhaseStats::new()?;
    for task in tasks {
        let (connection, stats) = task.await.context("a connection's task panicked")??;
        connections.push(connection);
        total.add(stats)?;
    }
    Ok((connections, total))
}
