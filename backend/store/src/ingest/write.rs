//! Writing one group-committed batch in a single transaction.

use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement, TransactionTrait, Value};

use super::dictionary::{Dictionary, Ids as DictIds, Pending};
use super::sql::{chunk_sizes, placeholders};
use super::WriteBatch;
use crate::Database;

/// Rows per INSERT statement: 256 impressions bind 3,584 parameters, well inside both
/// backends' limits, and large enough that per-statement overhead is small.
const MAX_ROWS_PER_STATEMENT: usize = 256;

const IMPRESSION_COLUMNS: &str = "environment_id, flag_id, key, bucketing_key, treatment_id, \
    label_id, change_number, ts, received_at, sdk_id, machine_ip_id, machine_name_id, \
    traffic_type_id, properties";
const IMPRESSION_WIDTH: usize = 14;
const EVENT_COLUMNS: &str = "environment_id, event_type_id, key, traffic_type_id, value, ts, \
    received_at, sdk_id, machine_ip_id, machine_name_id, properties";
const EVENT_WIDTH: usize = 11;

/// Writes the whole batch in one transaction; nothing of it is visible or kept unless all of
/// it commits. The dictionary learns new strings only after the commit.
pub async fn write_batch(
    db: &Database,
    dictionary: &mut Dictionary,
    batch: &WriteBatch,
) -> Result<(), sea_orm::DbErr> {
    if batch.is_empty() {
        return Ok(());
    }
    let txn = db.conn.begin().await?;
    let pending = resolve(&txn, dictionary, batch).await?;
    let ids = Ids(DictIds::new(dictionary, &pending));

    insert_impressions(&txn, &ids, batch).await?;
    insert_events(&txn, &ids, batch).await?;
    upsert_counts(&txn, &ids, batch).await?;
    upsert_usage(&txn, batch).await?;
    insert_unique_keys(&txn, batch).await?;
    insert_telemetry(&txn, batch).await?;
    txn.commit().await?;
    dictionary.commit(pending);
    Ok(())
}

struct Ids<'a>(DictIds<'a>);

impl Ids<'_> {
    fn of(&self, value: Option<&str>) -> Value {
        Value::BigInt(self.0.of(value))
    }
}

#[derive(sea_orm::FromQueryResult)]
struct Entry {
    id: i64,
    value: String,
}

async fn resolve(
    txn: &DatabaseTransaction,
    dictionary: &Dictionary,
    batch: &WriteBatch,
) -> Result<Pending, sea_orm::DbErr> {
    use sea_orm::FromQueryResult;
    let mut pending = Pending::default();
    let backend = txn.get_database_backend();
    for chunk in dictionary.missing(batch).chunks(500) {
        let params: Vec<Value> = chunk.iter().map(|v| Value::from(*v)).collect();
        let insert = format!(
            "INSERT INTO strings (value) VALUES {} ON CONFLICT (value) DO NOTHING",
            placeholders(backend, chunk.len(), 1, 0)
        );
        txn.execute(Statement::from_sql_and_values(
            backend,
            insert,
            params.clone(),
        ))
        .await?;
        let select = format!(
            "SELECT id, value FROM strings WHERE value IN {}",
            placeholders(backend, 1, chunk.len(), 0)
        );
        let entries =
            Entry::find_by_statement(Statement::from_sql_and_values(backend, select, params))
                .all(txn)
                .await?;
        for e in entries {
            pending.insert(e.value, e.id);
        }
    }
    Ok(pending)
}

async fn insert_rows(
    txn: &DatabaseTransaction,
    table_and_columns: &str,
    width: usize,
    rows: usize,
    mut push_row: impl FnMut(usize, &mut Vec<Value>),
) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    let mut next = 0;
    for size in chunk_sizes(rows, MAX_ROWS_PER_STATEMENT) {
        let mut values = Vec::with_capacity(size * width);
        for row in next..next + size {
            push_row(row, &mut values);
        }
        next += size;
        let sql = format!(
            "INSERT INTO {table_and_columns} VALUES {}",
            placeholders(backend, size, width, 0)
        );
        txn.execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

async fn insert_impressions(
    txn: &DatabaseTransaction,
    ids: &Ids<'_>,
    batch: &WriteBatch,
) -> Result<(), sea_orm::DbErr> {
    let target = format!("impressions ({IMPRESSION_COLUMNS})");
    insert_rows(
        txn,
        &target,
        IMPRESSION_WIDTH,
        batch.impressions.len(),
        |row, values| {
            let record = &batch.impressions[row];
            let i = &record.impression;
            values.extend([
                Value::BigInt(Some(record.environment_id)),
                Value::BigInt(Some(record.flag_id)),
                Value::from(i.key.as_str()),
                Value::from(i.bucketing_key.as_deref()),
                ids.of(Some(&i.treatment)),
                ids.of(i.label.as_deref()),
                Value::BigInt(i.change_number),
                Value::BigInt(Some(i.timestamp)),
                Value::BigInt(Some(record.received_at)),
                ids.of(i.sdk.as_deref()),
                ids.of(i.machine_ip.as_deref()),
                ids.of(i.machine_name.as_deref()),
                ids.of(i.traffic_type.as_deref()),
                Value::from(i.properties.as_deref()),
            ]);
        },
    )
    .await
}

async fn insert_events(
    txn: &DatabaseTransaction,
    ids: &Ids<'_>,
    batch: &WriteBatch,
) -> Result<(), sea_orm::DbErr> {
    let target = format!("events ({EVENT_COLUMNS})");
    insert_rows(
        txn,
        &target,
        EVENT_WIDTH,
        batch.events.len(),
        |row, values| {
            let record = &batch.events[row];
            let e = &record.event;
            values.extend([
                Value::BigInt(Some(record.environment_id)),
                ids.of(Some(&e.event_type)),
                Value::from(e.key.as_str()),
                ids.of(e.traffic_type.as_deref()),
                Value::Double(e.value),
                Value::BigInt(Some(e.timestamp)),
                Value::BigInt(Some(record.received_at)),
                ids.of(e.sdk.as_deref()),
                ids.of(e.machine_ip.as_deref()),
                ids.of(e.machine_name.as_deref()),
                Value::from(e.properties.as_deref()),
            ]);
        },
    )
    .await
}

async fn upsert_counts(
    txn: &DatabaseTransaction,
    ids: &Ids<'_>,
    batch: &WriteBatch,
) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    for chunk in batch.counts.chunks(MAX_ROWS_PER_STATEMENT) {
        let mut values = Vec::with_capacity(chunk.len() * 5);
        for c in chunk {
            let treatment_id = match &c.treatment {
                // 0 is never a dictionary id: it marks SDK-side counts.
                None => Value::BigInt(Some(0)),
                Some(t) => ids.of(Some(t)),
            };
            values.extend([
                Value::BigInt(Some(c.environment_id)),
                Value::BigInt(Some(c.flag_id)),
                Value::BigInt(Some(c.hour)),
                treatment_id,
                Value::BigInt(Some(c.count)),
            ]);
        }
        let sql = format!(
            "INSERT INTO impression_counts (environment_id, flag_id, hour, treatment_id, count) \
             VALUES {} ON CONFLICT (environment_id, flag_id, hour, treatment_id) \
             DO UPDATE SET count = impression_counts.count + excluded.count",
            placeholders(backend, chunk.len(), 5, 0)
        );
        txn.execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

async fn upsert_usage(txn: &DatabaseTransaction, batch: &WriteBatch) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    for chunk in batch.usage.chunks(MAX_ROWS_PER_STATEMENT) {
        let mut values = Vec::with_capacity(chunk.len() * 6);
        for u in chunk {
            values.extend(
                [
                    u.environment_id,
                    u.hour,
                    u.impressions_stored,
                    u.impressions_dropped_tracking_off,
                    u.impressions_counted_by_sdk,
                    u.events_stored,
                ]
                .map(|n| Value::BigInt(Some(n))),
            );
        }
        let sql = format!(
            "INSERT INTO usage_hourly (environment_id, hour, impressions_stored, \
             impressions_dropped_tracking_off, impressions_counted_by_sdk, events_stored) \
             VALUES {} ON CONFLICT (environment_id, hour) DO UPDATE SET \
             impressions_stored = usage_hourly.impressions_stored + excluded.impressions_stored, \
             impressions_dropped_tracking_off = usage_hourly.impressions_dropped_tracking_off + excluded.impressions_dropped_tracking_off, \
             impressions_counted_by_sdk = usage_hourly.impressions_counted_by_sdk + excluded.impressions_counted_by_sdk, \
             events_stored = usage_hourly.events_stored + excluded.events_stored",
            placeholders(backend, chunk.len(), 6, 0)
        );
        txn.execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

async fn insert_unique_keys(
    txn: &DatabaseTransaction,
    batch: &WriteBatch,
) -> Result<(), sea_orm::DbErr> {
    let backend = txn.get_database_backend();
    for chunk in batch.unique_keys.chunks(MAX_ROWS_PER_STATEMENT) {
        let mut values = Vec::with_capacity(chunk.len() * 3);
        for k in chunk {
            values.extend([
                Value::BigInt(Some(k.environment_id)),
                Value::Int(Some(k.month)),
                Value::from(k.key.as_str()),
            ]);
        }
        let sql = format!(
            "INSERT INTO unique_keys (environment_id, month, key) VALUES {} \
             ON CONFLICT (environment_id, month, key) DO NOTHING",
            placeholders(backend, chunk.len(), 3, 0)
        );
        txn.execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

async fn insert_telemetry(
    txn: &DatabaseTransaction,
    batch: &WriteBatch,
) -> Result<(), sea_orm::DbErr> {
    insert_rows(
        txn,
        "sdk_telemetry (environment_id, kind, sdk, received_at, body)",
        5,
        batch.telemetry.len(),
        |row, values| {
            let t = &batch.telemetry[row];
            values.extend([
                Value::BigInt(Some(t.environment_id)),
                Value::from(t.kind.as_str()),
                Value::from(t.sdk.as_deref()),
                Value::BigInt(Some(t.received_at)),
                Value::from(t.body.as_str()),
            ]);
        },
    )
    .await
}
