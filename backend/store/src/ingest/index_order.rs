//! The order rows are inserted in. SDKs flush evaluations up to a minute (or more) after they
//! happened, so in arrival order consecutive rows land all over the (flag, time) index; sorted
//! by that index's key, consecutive inserts hit the same few pages, which stay in cache and are
//! written once per transaction instead of once per row. On SQLite this is the largest single
//! cost of a row. The rows' ids still follow commit order between transactions.

use super::{EventRecord, ImpressionRecord, WriteBatch};

/// In the order of `ix_impressions_flag_ts (environment_id, flag_id, ts)`.
pub fn impressions(batch: &WriteBatch) -> Vec<&ImpressionRecord> {
    let mut rows: Vec<&ImpressionRecord> = batch.impressions.iter().collect();
    rows.sort_by_key(|r| (r.environment_id, r.flag_id, r.impression.timestamp));
    rows
}

/// In the order of `ix_events_ts (environment_id, ts)`.
pub fn events(batch: &WriteBatch) -> Vec<&EventRecord> {
    let mut rows: Vec<&EventRecord> = batch.events.iter().collect();
    rows.sort_by_key(|r| (r.environment_id, r.event.timestamp));
    rows
}
