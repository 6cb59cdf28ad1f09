//! Writing one batch in one transaction.

use sea_orm::sqlx::{self, PgConnection, PgPool};

use super::copy_text::CopyText;
use crate::ingest::dictionary::{Dictionary, Ids, Pending};
use crate::ingest::store::StoreError;
use crate::ingest::{CountDelta, UsageDelta, WriteBatch};

/// COPY data is sent in pieces of about this size, so PostgreSQL parses one piece while the
/// next is encoded, and the buffer stays small whatever the batch.
const COPY_CHUNK_BYTES: usize = 256 * 1024;

const COPY_IMPRESSIONS: &str = "COPY impressions (environment_id, flag_id, key, bucketing_key, \
    treatment_id, label_id, change_number, ts, received_at, sdk_id, machine_ip_id, \
    machine_name_id, traffic_type_id, properties, impressions_mode_id) FROM STDIN";

const COPY_EVENTS: &str = "COPY events (environment_id, event_type_id, key, traffic_type_id, \
    value, ts, received_at, sdk_id, machine_ip_id, machine_name_id, properties) FROM STDIN";

/// Writes the whole batch or nothing of it. The dictionary learns new strings only after the
/// commit. A failure before `COMMIT` was sent leaves nothing behind; one during it is
/// `CommitOutcomeUnknown`.
pub async fn write_batch(
    pool: &PgPool,
    dictionary: &mut Dictionary,
    batch: &WriteBatch,
) -> Result<(), StoreError> {
    let mut txn = pool.begin().await?;
    // FOR SHARE: a purge bumps the generation with an UPDATE, which waits for every writer's
    // transaction holding this lock and holds back the ones that come after it until it
    // commits; those then read its new generation.
    let (generation,): (i64,) =
        sqlx::query_as("SELECT generation FROM strings_generation WHERE id = 1 FOR SHARE")
            .fetch_one(&mut *txn)
            .await?;
    dictionary.follow(generation);
    let pending = resolve(&mut txn, dictionary, batch).await?;
    let ids = Ids::new(dictionary, &pending);
    copy_impressions(&mut txn, &ids, batch).await?;
    copy_events(&mut txn, &ids, batch).await?;
    upsert_counts(&mut txn, &ids, batch).await?;
    upsert_usage(&mut txn, batch).await?;
    insert_unique_keys(&mut txn, batch).await?;
    insert_telemetry(&mut txn, batch).await?;
    txn.commit()
        .await
        .map_err(StoreError::CommitOutcomeUnknown)?;
    dictionary.commit(pending);
    Ok(())
}

/// Gives every string of the batch an id, inserting the unknown ones and marking the others as
/// used in this purge generation. A string a purge is deleting right now waits for it, then
/// is inserted again with a new id.
async fn resolve(
    conn: &mut PgConnection,
    dictionary: &Dictionary,
    batch: &WriteBatch,
) -> Result<Pending, sqlx::Error> {
    let mut pending = Pending::default();
    let missing = dictionary.missing(batch);
    if missing.is_empty() {
        return Ok(pending);
    }
    let entries: Vec<(i64, String)> = sqlx::query_as(
        "INSERT INTO strings (value, seen_generation) \
         SELECT value, $2::bigint FROM UNNEST($1::text[]) AS value \
         ON CONFLICT (value) DO UPDATE SET seen_generation = EXCLUDED.seen_generation \
         RETURNING id, value",
    )
    .bind(&missing)
    .bind(dictionary.generation())
    .fetch_all(&mut *conn)
    .await?;
    for (id, value) in entries {
        pending.insert(value, id);
    }
    Ok(pending)
}

/// Streams `rows` into a `COPY … FROM STDIN`; `encode` writes one row.
async fn copy_rows<T>(
    conn: &mut PgConnection,
    statement: &str,
    rows: &[T],
    mut encode: impl FnMut(&mut CopyText, &T),
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut text = CopyText::with_capacity(COPY_CHUNK_BYTES + 64 * 1024);
    for row in rows {
        encode(&mut text, row);
        text.end_row();
        if text.len() >= COPY_CHUNK_BYTES {
            copy.send(text.as_bytes()).await?;
            text.clear();
        }
    }
    if !text.is_empty() {
        copy.send(text.as_bytes()).await?;
    }
    copy.finish().await?;
    Ok(())
}

async fn copy_impressions(
    conn: &mut PgConnection,
    ids: &Ids<'_>,
    batch: &WriteBatch,
) -> Result<(), sqlx::Error> {
    copy_rows(conn, COPY_IMPRESSIONS, &batch.impressions, |t, r| {
        let i = &r.impression;
        t.int(r.environment_id);
        t.int(r.flag_id);
        t.text(&i.key);
        t.opt_text(i.bucketing_key.as_deref());
        t.opt_int(ids.of(Some(&i.treatment)));
        t.opt_int(ids.of(i.label.as_deref()));
        t.opt_int(i.change_number);
        t.int(i.timestamp);
        t.int(r.received_at);
        t.opt_int(ids.of(i.sdk.as_deref()));
        t.opt_int(ids.of(i.machine_ip.as_deref()));
        t.opt_int(ids.of(i.machine_name.as_deref()));
        t.opt_int(ids.of(i.traffic_type.as_deref()));
        t.opt_text(i.properties.as_deref());
        t.opt_int(ids.of(r.impressions_mode.as_deref()));
    })
    .await
}

async fn copy_events(
    conn: &mut PgConnection,
    ids: &Ids<'_>,
    batch: &WriteBatch,
) -> Result<(), sqlx::Error> {
    copy_rows(conn, COPY_EVENTS, &batch.events, |t, r| {
        let e = &r.event;
        t.int(r.environment_id);
        t.opt_int(ids.of(Some(&e.event_type)));
        t.text(&e.key);
        t.opt_int(ids.of(e.traffic_type.as_deref()));
        t.opt_float(e.value);
        t.int(e.timestamp);
        t.int(r.received_at);
        t.opt_int(ids.of(e.sdk.as_deref()));
        t.opt_int(ids.of(e.machine_ip.as_deref()));
        t.opt_int(ids.of(e.machine_name.as_deref()));
        t.opt_text(e.properties.as_deref());
    })
    .await
}

/// A multi-row upsert may not touch one row twice; `WriteBatch::merge` has summed the deltas
/// that share a key.
async fn upsert_counts(
    conn: &mut PgConnection,
    ids: &Ids<'_>,
    batch: &WriteBatch,
) -> Result<(), sqlx::Error> {
    if batch.counts.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&CountDelta) -> i64| -> Vec<i64> { batch.counts.iter().map(f).collect() };
    // 0 is never a dictionary id: it marks the counts SDKs sent without the impressions.
    let treatment_ids: Vec<i64> = batch
        .counts
        .iter()
        .map(|c| ids.of(c.treatment.as_deref()).unwrap_or(0))
        .collect();
    sqlx::query(
        "INSERT INTO impression_counts (environment_id, flag_id, hour, treatment_id, count) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], \
         $5::bigint[]) \
         ON CONFLICT (environment_id, flag_id, hour, treatment_id) \
         DO UPDATE SET count = CASE \
           WHEN impression_counts.count > 9223372036854775807 - excluded.count \
           THEN 9223372036854775807 ELSE impression_counts.count + excluded.count END",
    )
    .bind(column(|c| c.environment_id))
    .bind(column(|c| c.flag_id))
    .bind(column(|c| c.hour))
    .bind(treatment_ids)
    .bind(column(|c| c.count))
    .execute(conn)
    .await?;
    Ok(())
}

async fn upsert_usage(conn: &mut PgConnection, batch: &WriteBatch) -> Result<(), sqlx::Error> {
    if batch.usage.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&UsageDelta) -> i64| -> Vec<i64> { batch.usage.iter().map(f).collect() };
    sqlx::query(
        "INSERT INTO usage_hourly (environment_id, hour, impressions_stored, \
         impressions_dropped_tracking_off, impressions_counted_by_sdk, events_stored) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], \
         $5::bigint[], $6::bigint[]) \
         ON CONFLICT (environment_id, hour) DO UPDATE SET \
         impressions_stored = usage_hourly.impressions_stored + excluded.impressions_stored, \
         impressions_dropped_tracking_off = usage_hourly.impressions_dropped_tracking_off \
           + excluded.impressions_dropped_tracking_off, \
         impressions_counted_by_sdk = CASE \
           WHEN usage_hourly.impressions_counted_by_sdk \
             > 9223372036854775807 - excluded.impressions_counted_by_sdk \
           THEN 9223372036854775807 \
           ELSE usage_hourly.impressions_counted_by_sdk + excluded.impressions_counted_by_sdk END, \
         events_stored = usage_hourly.events_stored + excluded.events_stored",
    )
    .bind(column(|u| u.environment_id))
    .bind(column(|u| u.hour))
    .bind(column(|u| u.impressions_stored))
    .bind(column(|u| u.impressions_dropped_tracking_off))
    .bind(column(|u| u.impressions_counted_by_sdk))
    .bind(column(|u| u.events_stored))
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_unique_keys(
    conn: &mut PgConnection,
    batch: &WriteBatch,
) -> Result<(), sqlx::Error> {
    let keys = &batch.unique_keys;
    if keys.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO unique_keys (environment_id, month, key) \
         SELECT * FROM UNNEST($1::bigint[], $2::int[], $3::text[]) \
         ON CONFLICT (environment_id, month, key) DO NOTHING",
    )
    .bind(keys.iter().map(|k| k.environment_id).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.month).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.key.as_str()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_telemetry(conn: &mut PgConnection, batch: &WriteBatch) -> Result<(), sqlx::Error> {
    let rows = &batch.telemetry;
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO sdk_telemetry (environment_id, kind, sdk, received_at, body) \
         SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[])",
    )
    .bind(rows.iter().map(|t| t.environment_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|t| t.kind.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|t| t.sdk.as_deref()).collect::<Vec<_>>())
    .bind(rows.iter().map(|t| t.received_at).collect::<Vec<_>>())
    .bind(rows.iter().map(|t| t.body.as_str()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}
