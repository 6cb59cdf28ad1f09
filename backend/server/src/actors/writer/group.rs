//! One group commit: the merged batch in one transaction, and when that fails, each
//! request's own batch in a transaction of its own, so only the culprit fails.

use imprint_store::ingest::{FailureKind, IngestStore, Part, WriteBatch, WriteFailure};

use super::WriteError;

/// How a group's write ended.
pub(super) enum GroupOutcome {
    /// One transaction for all: the merged batch.
    Committed(WriteBatch),
    /// The group failed and its requests were written alone: each one's own outcome.
    OneByOne(Vec<Result<WriteBatch, WriteError>>),
    /// Nothing was (or may safely be) written again: the same answer for everyone.
    Failed(WriteError),
}

/// Writes the merged batch; if that fails, each request's batch alone, in order.
pub(super) async fn commit_group(
    store: IngestStore,
    merged: WriteBatch,
    parts: Vec<Part>,
) -> GroupOutcome {
    let WriteFailure { error, batch } = match store.write(merged).await {
        Ok(merged) => return GroupOutcome::Committed(merged),
        Err(failure) => failure,
    };
    let requests = parts.len();
    tracing::error!(error = %error, requests, "writing an ingestion group failed");
    let retry_alone =
        requests > 1 && matches!(error.kind(), FailureKind::Input | FailureKind::Transient);
    let Some(batch) = batch.filter(|_| retry_alone) else {
        return GroupOutcome::Failed(WriteError::from_store(&error));
    };
    let mut results = Vec::with_capacity(requests);
    for single in batch.split(parts) {
        let result = store.write(single).await.map_err(|failure| {
            tracing::warn!(error = %failure.error, "one request's batch failed alone");
            WriteError::from_store(&failure.error)
        });
        results.push(result);
    }
    GroupOutcome::OneByOne(results)
}
