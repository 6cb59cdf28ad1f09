//! The writer's health, as `/readyz` reads it: whether its last transaction committed, and
//! whether one has been running for too long.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What `/readyz` reads of the writer, shared with its handle.
#[derive(Clone)]
pub(super) struct Health {
    /// Whether the last transaction (or probe) committed.
    pub(super) committed: Arc<AtomicBool>,
    /// When the running transaction began, ms since the epoch; 0 when none runs.
    writing_since: Arc<AtomicI64>,
}

impl Health {
    pub(super) fn new() -> Health {
        Health {
            committed: Arc::new(AtomicBool::new(true)),
            writing_since: Arc::new(AtomicI64::new(0)),
        }
    }

    pub(super) fn set(&self, committed: bool) {
        self.committed.store(committed, Ordering::Relaxed);
    }

    pub(super) fn begin(&self) {
        self.writing_since
            .store(imprint_store::now_ms(), Ordering::Relaxed);
    }

    pub(super) fn end(&self) {
        self.writing_since.store(0, Ordering::Relaxed);
    }

    pub(super) fn ready(&self, timeout: Duration) -> bool {
        let since = self.writing_since.load(Ordering::Relaxed);
        let stuck = since != 0
            && imprint_store::now_ms().saturating_sub(since) > timeout.as_millis() as i64;
        self.committed.load(Ordering::Relaxed) && !stuck
    }
}
