//! How a sink learns that its environment got new rows without asking the database.
//!
//! The writer's commits are counted per stream as they happen. A sink waiting to fill a partial
//! batch compares the count with the rows it lacks, so a busy environment (hundreds of commits a
//! second) costs each waiting sink a few atomic reads instead of a query per commit.

use std::sync::atomic::{AtomicU64, Ordering};

use imprint_store::sinks::Stream;
use tokio::sync::Notify;

#[derive(Default)]
pub struct NewRows {
    notify: Notify,
    impressions: AtomicU64,
    events: AtomicU64,
}

impl NewRows {
    fn counter(&self, stream: Stream) -> &AtomicU64 {
        match stream {
            Stream::Impressions => &self.impressions,
            Stream::Events => &self.events,
        }
    }

    /// The writer committed these rows in the sink's environment.
    pub fn arrived(&self, impressions: u64, events: u64) {
        self.impressions.fetch_add(impressions, Ordering::Relaxed);
        self.events.fetch_add(events, Ordering::Relaxed);
        self.notify.notify_one();
    }

    /// Called just before the sink reads `stream`: rows counted until now are in that read
    /// (or were committed after it began and are counted again, which only wakes it early).
    pub fn reading(&self, stream: Stream) {
        self.counter(stream).store(0, Ordering::Relaxed);
    }

    /// Rows of `stream` committed since the sink last read it.
    pub fn since_last_read(&self, stream: Stream) -> u64 {
        self.counter(stream).load(Ordering::Relaxed)
    }

    /// Until the next commit (or one that came since the last wait).
    pub async fn notified(&self) {
        self.notify.notified().await;
    }
}
