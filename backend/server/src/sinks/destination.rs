//! The one thing each kind of sink implements: sending a batch to its receiver.

use std::path::PathBuf;
use std::time::Duration;

use super::delivery::{Batch, Delivery};

/// How a destination wants its rows grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// At most this many rows per delivery.
    pub max_rows: usize,
    /// A partial batch waits until its oldest row is this old, then goes anyway.
    pub flush: Duration,
}

/// A receiver of batches. `deliver` is called again with the same rows after a transient
/// failure, so everything it derives from them (idempotency keys, object names) must come out
/// the same.
#[async_trait::async_trait]
pub trait Destination: Send + Sync + 'static {
    async fn deliver(&self, batch: &Batch) -> Delivery;

    fn batching(&self) -> Batching;
}

/// What destinations share: one HTTP client (connection pools, timeouts) and the folder file
/// sinks may write under.
#[derive(Clone)]
pub struct SinkContext {
    pub http: reqwest::Client,
    /// File sinks write only below this folder.
    pub file_root: PathBuf,
}

impl SinkContext {
    pub fn new(request_timeout: Duration, file_root: PathBuf) -> anyhow::Result<SinkContext> {
        let http = reqwest::Client::builder()
            .timeout(request_timeout)
            .connect_timeout(request_timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("imprint/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(SinkContext { http, file_root })
    }
}
