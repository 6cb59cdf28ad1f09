//! One read of the outbox for every sink that delivers the same rows.
//!
//! Sinks of one environment with the same filter usually move in step: the same commit wakes
//! them, their cursors stand at the same id, and each would read the same rows from the database
//! one after the other. The last batch read for each (environment, stream, filter) is kept, and a
//! sink whose read it answers takes it from here. On PostgreSQL those reads were what made
//! ingestion slower with sinks: they compete with the writer for the server's cores.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use imprint_store::sinks::Stream;

use crate::actors::exports::encode::Page;

/// A cached read older than this is dropped: by then the sinks that shared it have moved on.
const KEEP_FOR: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReadKey {
    pub environment_id: i64,
    pub stream: Stream,
    /// The sink's stored filter, as text: equal text, equal rows.
    pub filter: String,
}

/// The rows after `after` up to `until`, at most as many as the reader asked for, and the id
/// through which the range was read.
pub struct Read {
    pub after: i64,
    pub until: i64,
    pub rows: Page,
    pub through: i64,
}

struct Kept {
    read: Read,
    /// Whether the reader got every matching row up to `until` (not cut at its batch size).
    complete: bool,
    at: Instant,
}

#[derive(Clone, Default)]
pub struct SharedReads(Arc<Mutex<HashMap<ReadKey, Kept>>>);

impl SharedReads {
    /// The first `max_rows` rows after `after`, if a kept read has them: it started at the
    /// same cursor and either reached at least `until` or holds more than `max_rows` rows.
    pub fn take(&self, key: &ReadKey, after: i64, until: i64, max_rows: usize) -> Option<Read> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let kept = map.get(key)?;
        let read = &kept.read;
        if read.after != after || kept.at.elapsed() > KEEP_FOR {
            return None;
        }
        if read.rows.len() > max_rows {
            let rows = read.rows.prefix(max_rows);
            let through = rows.last_id().unwrap_or(read.through);
            return Some(Read {
                after,
                until: through,
                rows,
                through,
            });
        }
        // A complete read holds every row up to its `until`; a cut one, exactly the first
        // `max_rows` rows after the cursor, which is all a reader of that size wants.
        let answers = if kept.complete {
            read.until >= until
        } else {
            read.rows.len() == max_rows
        };
        answers.then(|| Read {
            after,
            until: read.until,
            rows: read.rows.prefix(read.rows.len()),
            through: read.through,
        })
    }

    /// Keeps a read for the sinks that follow. `max_rows` is what the reader asked for.
    pub fn keep(&self, key: ReadKey, read: &Read, max_rows: usize) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, kept| kept.at.elapsed() <= KEEP_FOR);
        map.insert(
            key,
            Kept {
                read: Read {
                    after: read.after,
                    until: read.until,
                    rows: read.rows.prefix(read.rows.len()),
                    through: read.through,
                },
                complete: read.rows.len() < max_rows,
                at: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use imprint_store::events_read::StoredEvent;

    use super::*;

    fn key() -> ReadKey {
        ReadKey {
            environment_id: 1,
            stream: Stream::Events,
            filter: "{}".into(),
        }
    }

    fn rows(ids: &[i64]) -> Page {
        Page::Events(
            ids.iter()
                .map(|&id| StoredEvent {
                    id,
                    environment: "production".into(),
                    event_type: "checkout".into(),
                    key: format!("user-{id}"),
                    traffic_type: None,
                    value: None,
                    timestamp: id,
                    received_at: id,
                    sdk: None,
                    machine_ip: None,
                    machine_name: None,
                    properties: None,
                })
                .collect(),
        )
    }

    fn kept(after: i64, until: i64, ids: &[i64], max_rows: usize) -> SharedReads {
        let shared = SharedReads::default();
        let through = ids.last().copied().unwrap_or(until);
        let read = Read {
            after,
            until,
            rows: rows(ids),
            through,
        };
        shared.keep(key(), &read, max_rows);
        shared
    }

    #[test]
    fn a_complete_read_answers_readers_up_to_its_horizon() {
        let shared = kept(10, 20, &[12, 15], 100);
        let read = shared.take(&key(), 10, 20, 100).expect("same range");
        assert_eq!((read.rows.len(), read.through), (2, 15));
        assert!(shared.take(&key(), 10, 18, 50).is_some());
        // Rows committed after the kept read are not in it.
        assert!(shared.take(&key(), 10, 21, 100).is_none());
        // Another cursor, another range.
        assert!(shared.take(&key(), 12, 20, 100).is_none());
    }

    #[test]
    fn a_cut_read_answers_readers_of_its_size_or_smaller() {
        let shared = kept(0, 100, &[1, 2, 3], 3);
        let same = shared.take(&key(), 0, 150, 3).expect("first three rows");
        assert_eq!((same.rows.len(), same.through), (3, 3));
        let smaller = shared.take(&key(), 0, 150, 2).expect("first two rows");
        assert_eq!((smaller.rows.len(), smaller.through), (2, 2));
        // A larger reader wants rows the cut read never saw.
        assert!(shared.take(&key(), 0, 100, 4).is_none());
    }

    #[test]
    fn reads_are_kept_per_environment_stream_and_filter() {
        let shared = kept(0, 10, &[5], 10);
        let other = ReadKey {
            filter: r#"{"flag":["checkout"]}"#.into(),
            ..key()
        };
        assert!(shared.take(&other, 0, 10, 10).is_none());
    }
}
