//! Writing one batch in one transaction on the writer thread's connection.

use rusqlite::{Connection, Statement, ToSql, Transaction, TransactionBehavior};

use super::statements::{self, chunk_sizes, Insert};
use crate::ingest::dictionary::{Dictionary, Ids, Pending};
use crate::ingest::WriteBatch;

/// The connection and the string ids it has committed.
pub struct BatchWriter {
    conn: Connection,
    dictionary: Dictionary,
}

impl BatchWriter {
    pub fn new(conn: Connection, dictionary_capacity: usize) -> BatchWriter {
        BatchWriter {
            conn,
            dictionary: Dictionary::with_capacity(dictionary_capacity),
        }
    }

    /// Writes the whole batch or nothing of it. The dictionary learns new strings only after
    /// the commit.
    pub fn write(&mut self, batch: &WriteBatch) -> rusqlite::Result<()> {
        // IMMEDIATE takes the write lock at BEGIN, waiting (busy_timeout) for the pool's
        // writers if need be; a deferred transaction could instead fail on its first write.
        let txn = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let generation = txn.query_row(statements::SELECT_GENERATION, [], |row| row.get(0))?;
        self.dictionary.follow(generation);
        let pending = resolve(&txn, &self.dictionary, batch)?;
        let ids = Ids::new(&self.dictionary, &pending);
        insert_impressions(&txn, &ids, batch)?;
        insert_events(&txn, &ids, batch)?;
        upsert_counts(&txn, &ids, batch)?;
        upsert_usage(&txn, batch)?;
        insert_unique_keys(&txn, batch)?;
        insert_telemetry(&txn, batch)?;
        txn.commit()?;
        self.dictionary.commit(pending);
        Ok(())
    }
}

/// Gives every string of the batch an id, inserting the unknown ones and marking the others as
/// used in this purge generation. After the first batches nearly every string is known, so
/// one statement per new string is plenty.
fn resolve(
    txn: &Transaction<'_>,
    dictionary: &Dictionary,
    batch: &WriteBatch,
) -> rusqlite::Result<Pending> {
    let mut pending = Pending::default();
    let missing = dictionary.missing(batch);
    if missing.is_empty() {
        return Ok(pending);
    }
    let generation = dictionary.generation();
    let mut upsert = txn.prepare_cached(statements::UPSERT_STRING)?;
    for value in missing {
        let id = upsert.query_row(rusqlite::params![value, generation], |row| row.get(0))?;
        pending.insert(value.to_owned(), id);
    }
    Ok(pending)
}

/// Binds one statement's parameters in order.
struct Params<'s, 'conn> {
    statement: &'s mut Statement<'conn>,
    next: usize,
}

impl Params<'_, '_> {
    fn bind(&mut self, value: impl ToSql) -> rusqlite::Result<()> {
        self.next += 1;
        self.statement.raw_bind_parameter(self.next, value)
    }
}

/// Inserts `rows` with `insert`'s multi-row statements; `bind_row` binds one row's values.
fn insert_rows<T>(
    txn: &Transaction<'_>,
    insert: &Insert,
    rows: &[T],
    mut bind_row: impl FnMut(&mut Params<'_, '_>, &T) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut rest = rows;
    for size in chunk_sizes(rows.len()) {
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let mut statement = txn.prepare_cached(&insert.sql(size))?;
        let mut params = Params {
            statement: &mut statement,
            next: 0,
        };
        for row in chunk {
            bind_row(&mut params, row)?;
        }
        statement.raw_execute()?;
    }
    Ok(())
}

fn insert_impressions(
    txn: &Transaction<'_>,
    ids: &Ids<'_>,
    batch: &WriteBatch,
) -> rusqlite::Result<()> {
    insert_rows(txn, &statements::IMPRESSIONS, &batch.impressions, |p, r| {
        let i = &r.impression;
        p.bind(r.environment_id)?;
        p.bind(r.flag_id)?;
        p.bind(i.key.as_str())?;
        p.bind(i.bucketing_key.as_deref())?;
        p.bind(ids.of(Some(&i.treatment)))?;
        p.bind(ids.of(i.label.as_deref()))?;
        p.bind(i.change_number)?;
        p.bind(i.timestamp)?;
        p.bind(r.received_at)?;
        p.bind(ids.of(i.sdk.as_deref()))?;
        p.bind(ids.of(i.machine_ip.as_deref()))?;
        p.bind(ids.of(i.machine_name.as_deref()))?;
        p.bind(ids.of(i.traffic_type.as_deref()))?;
        p.bind(i.properties.as_deref())?;
        p.bind(ids.of(r.impressions_mode.as_deref()))
    })
}

fn insert_events(txn: &Transaction<'_>, ids: &Ids<'_>, batch: &WriteBatch) -> rusqlite::Result<()> {
    insert_rows(txn, &statements::EVENTS, &batch.events, |p, r| {
        let e = &r.event;
        p.bind(r.environment_id)?;
        p.bind(ids.of(Some(&e.event_type)))?;
        p.bind(e.key.as_str())?;
        p.bind(ids.of(e.traffic_type.as_deref()))?;
        p.bind(e.value)?;
        p.bind(e.timestamp)?;
        p.bind(r.received_at)?;
        p.bind(ids.of(e.sdk.as_deref()))?;
        p.bind(ids.of(e.machine_ip.as_deref()))?;
        p.bind(ids.of(e.machine_name.as_deref()))?;
        p.bind(e.properties.as_deref())
    })
}

fn upsert_counts(txn: &Transaction<'_>, ids: &Ids<'_>, batch: &WriteBatch) -> rusqlite::Result<()> {
    insert_rows(txn, &statements::COUNTS, &batch.counts, |p, c| {
        p.bind(c.environment_id)?;
        p.bind(c.flag_id)?;
        p.bind(c.hour)?;
        // 0 is never a dictionary id: it marks the counts SDKs sent without the impressions.
        p.bind(ids.of(c.treatment.as_deref()).unwrap_or(0))?;
        p.bind(c.count)
    })
}

fn upsert_usage(txn: &Transaction<'_>, batch: &WriteBatch) -> rusqlite::Result<()> {
    insert_rows(txn, &statements::USAGE, &batch.usage, |p, u| {
        p.bind(u.environment_id)?;
        p.bind(u.hour)?;
        p.bind(u.impressions_stored)?;
        p.bind(u.impressions_dropped_tracking_off)?;
        p.bind(u.impressions_counted_by_sdk)?;
        p.bind(u.events_stored)
    })
}

fn insert_unique_keys(txn: &Transaction<'_>, batch: &WriteBatch) -> rusqlite::Result<()> {
    insert_rows(txn, &statements::UNIQUE_KEYS, &batch.unique_keys, |p, k| {
        p.bind(k.environment_id)?;
        p.bind(k.month)?;
        p.bind(k.key.as_str())
    })
}

fn insert_telemetry(txn: &Transaction<'_>, batch: &WriteBatch) -> rusqlite::Result<()> {
    insert_rows(txn, &statements::TELEMETRY, &batch.telemetry, |p, t| {
        p.bind(t.environment_id)?;
        p.bind(t.kind.as_str())?;
        p.bind(t.sdk.as_deref())?;
        p.bind(t.received_at)?;
        p.bind(t.body.as_str())
    })
}
