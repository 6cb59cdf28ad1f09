//! A million exposed users and ten million events, written with bulk SQL before the server
//! starts (through HTTP they would take an hour). Rows are generated in the database itself
//! (a recursive CTE on SQLite, `generate_series` on PostgreSQL) from their row number, so the
//! data is the same on both and on every run:
//! - user `i` sees `on` when `i` is even, `off` otherwise, at a time that grows with `i` over
//!   the first half of the window; one user in five has a second impression of the same
//!   treatment, one in a hundred a second one of the other treatment (excluded);
//! - event `j` (in time order over the whole window, as events arrive) is a `purchase` eight
//!   times in ten, else a `view`, by user `j × 2654435761 mod 1.1 × users` (a tenth of them
//!   never exposed), with a value and, one time in two, properties `plan` and `price`.
//!
//! The last events go through the store's ingestion path (`IngestStore`, what the server's
//! writer calls) in batches of 5,000, once without the events' `(type, key)` index and once
//! with it: what that index costs ingestion, at ten million rows.

use std::time::Instant;

use anyhow::Context;
use imprint_domain::ingest::Event;
use imprint_store::environments::Actor;
use imprint_store::ingest::{EventRecord, IngestStore, WriteBatch, DEFAULT_DICTIONARY_CAPACITY};
use imprint_store::metrics::MetricFields;
use imprint_store::{Backend, Database};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde::Serialize;

pub const ENVIRONMENT: &str = "impact";
pub const FLAG: &str = "experiment";
/// Events written through the ingestion path per measurement (twice).
const INGEST_SAMPLE: u64 = 200_000;
const INGEST_BATCH: usize = 5_000;
/// Rows per bulk statement, so no transaction grows without bound.
const BULK_CHUNK: u64 = 1_000_000;

/// The metrics measured: (name, aggregation, property, filter).
pub const METRICS: [(&str, &str, Option<&str>, &str); 3] = [
    ("purchases per user", "count", None, "{}"),
    ("mean purchase value", "mean", None, "{}"),
    (
        "mean price of pro purchases",
        "property_mean",
        Some("price"),
        r#"{"plan":"pro"}"#,
    ),
];

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Window {
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Seeded {
    pub users: u64,
    pub impressions: u64,
    pub events: u64,
    pub seconds: f64,
    pub window: Window,
    /// Metric ids, in the order of `METRICS`.
    pub metric_ids: Vec<i64>,
    pub ingest: IngestCost,
}

/// Event ingestion through the store, at the end of the seeded table.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct IngestCost {
    pub rows: u64,
    pub without_index_rows_per_sec: f64,
    pub with_index_rows_per_sec: f64,
    /// Building the index over the seeded events.
    pub index_build_seconds: f64,
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

async fn exec(db: &Database, sql: &str) -> anyhow::Result<()> {
    db.conn
        .execute_unprepared(sql)
        .await
        .with_context(|| format!("running {}", sql.chars().take(80).collect::<String>()))?;
    Ok(())
}

async fn string_id(db: &Database, value: &str) -> anyhow::Result<i64> {
    let sql = "SELECT id FROM strings WHERE value = $1";
    let sql = match db.backend {
        Backend::Postgres => sql.to_owned(),
        Backend::Sqlite => sql.replace("$1", "?"),
    };
    let statement =
        Statement::from_sql_and_values(db.conn.get_database_backend(), sql, [value.into()]);
    Id::find_by_statement(statement)
        .one(&db.conn)
        .await?
        .map(|r| r.id)
        .with_context(|| format!("the string `{value}` is missing"))
}

/// Runs a schema change through a pool of its own. On SQLite a pooled connection that has not
/// begun a transaction since another connection changed the schema parses DDL against the
/// schema it cached: after a DROP elsewhere, the CREATE was refused as "already exists". A new
/// connection reads the schema afresh.
async fn change_schema(database_url: &str, sql: &str) -> anyhow::Result<()> {
    let db = imprint_store::connect(database_url).await?;
    exec(&db, sql).await?;
    db.conn.close().await?;
    Ok(())
}

/// `first..last` (inclusive) as rows numbered `n`, per backend.
fn numbers(backend: Backend, first: u64, last: u64) -> (String, String) {
    match backend {
        Backend::Sqlite => (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM n WHERE i < {last}) "
            ),
            "n".to_owned(),
        ),
        Backend::Postgres => (
            String::new(),
            format!("generate_series({first}::BIGINT, {last}::BIGINT) AS n(i)"),
        ),
    }
}

pub async fn seed(database_url: &str, users: u64, events: u64) -> anyhow::Result<Seeded> {
    let db = imprint_store::connect(database_url).await?;
    let actor = Actor {
        id: None,
        label: "bench".into(),
    };
    let (env, _) = db
        .create_environment(&actor, ENVIRONMENT, 3650, &[])
        .await?;
    let flag = db
        .ensure_flags(env.id, &[FLAG.to_owned()])
        .await?
        .into_iter()
        .next()
        .context("the flag was not registered")?;
    exec(
        &db,
        "INSERT INTO strings (value) VALUES ('on'), ('off'), ('purchase'), ('view') \
               ON CONFLICT (value) DO NOTHING",
    )
    .await?;
    let (on, off) = (string_id(&db, "on").await?, string_id(&db, "off").await?);
    let (purchase, view) = (
        string_id(&db, "purchase").await?,
        string_id(&db, "view").await?,
    );

    let now = imprint_store::now_ms();
    let window = Window {
        from: now - 13 * 24 * 3_600_000,
        to: now - 3_600_000,
    };
    let span = window.to - window.from;
    let started = Instant::now();
    let (e, f) = (env.id, flag.id);
    let key_space = users + users / 10;
    for first in (0..users).step_by(BULK_CHUNK as usize) {
        let last = (first + BULK_CHUNK).min(users) - 1;
        let (with, from) = numbers(db.backend, first, last);
        let step = (span / 2) / users.max(1) as i64;
        exec(&db, &format!(
            "{with}INSERT INTO impressions (environment_id, flag_id, key, treatment_id, ts, received_at) \
             SELECT {e}, {f}, 'user-' || i, CASE WHEN i % 2 = 0 THEN {on} ELSE {off} END, \
                    {t0} + i * {step}, {t0} + i * {step} FROM {from}",
            t0 = window.from
        )).await?;
    }
    exec(
        &db,
        &format!(
        "INSERT INTO impressions (environment_id, flag_id, key, treatment_id, ts, received_at) \
         SELECT environment_id, flag_id, key, \
                CASE WHEN id % 100 = 1 THEN {on} + {off} - treatment_id ELSE treatment_id END, \
                ts + 1000, received_at + 1000 \
         FROM impressions WHERE environment_id = {e} AND (id % 5 = 0 OR id % 100 = 1)"
    ),
    )
    .await?;

    let bulk_events = events.saturating_sub(2 * INGEST_SAMPLE);
    let step = span / events.max(1) as i64;
    for first in (0..bulk_events).step_by(BULK_CHUNK as usize) {
        let last = (first + BULK_CHUNK).min(bulk_events) - 1;
        let (with, from) = numbers(db.backend, first, last);
        exec(&db, &format!(
            "{with}INSERT INTO events (environment_id, event_type_id, key, value, ts, received_at, properties) \
             SELECT {e}, CASE WHEN i % 10 < 8 THEN {purchase} ELSE {view} END, \
                    'user-' || ((i * 2654435761) % {key_space}), (i % 1000) / 10.0, \
                    {t0} + i * {step}, {t0} + i * {step}, \
                    CASE i % 4 WHEN 0 THEN '{{\"plan\":\"pro\",\"price\":' || (i % 200) || '}}' \
                               WHEN 1 THEN '{{\"plan\":\"free\",\"price\":12.5}}' END \
             FROM {from}",
            t0 = window.from
        )).await?;
    }
    let seconds = started.elapsed().as_secs_f64();

    let sample = |first: u64| sample_events(e, first, key_space, window.from, step);
    change_schema(database_url, "DROP INDEX ix_events_type_key").await?;
    let without = ingest(&db, sample(bulk_events)).await?;
    let index_started = Instant::now();
    change_schema(
        database_url,
        "CREATE INDEX ix_events_type_key ON events (environment_id, event_type_id, key, ts, value)",
    )
    .await?;
    let index_build_seconds = index_started.elapsed().as_secs_f64();
    let with = ingest(&db, sample(bulk_events + INGEST_SAMPLE)).await?;

    if db.backend == Backend::Postgres {
        // As autovacuum keeps tables filled over days: statistics, and a visibility map so
        // the index can be read without the table.
        exec(&db, "VACUUM (ANALYZE) impressions").await?;
        exec(&db, "VACUUM (ANALYZE) events").await?;
    }
    let mut metric_ids = Vec::new();
    for (name, aggregation, property, filter) in METRICS {
        let fields = MetricFields {
            name: name.to_owned(),
            description: None,
            event_type: "purchase".into(),
            aggregation: aggregation.into(),
            property: property.map(str::to_owned),
            filter: filter.into(),
            direction: "increase".into(),
        };
        metric_ids.push(db.create_metric(&actor, env.id, fields).await?.id);
    }
    let impressions = users + users / 5 + users / 100;
    db.conn.close().await?;
    Ok(Seeded {
        users,
        impressions,
        events,
        seconds,
        window,
        metric_ids,
        ingest: IngestCost {
            rows: INGEST_SAMPLE,
            without_index_rows_per_sec: without,
            with_index_rows_per_sec: with,
            index_build_seconds,
        },
    })
}

/// The events numbered `first..first + INGEST_SAMPLE`, as the bulk insert would have made
/// them, for the ingestion path.
fn sample_events(env: i64, first: u64, key_space: u64, t0: i64, step: i64) -> Vec<EventRecord> {
    (first..first + INGEST_SAMPLE)
        .map(|i| {
            let ts = t0 + i as i64 * step;
            EventRecord {
                environment_id: env,
                received_at: ts,
                event: Event {
                    event_type: if i % 10 < 8 { "purchase" } else { "view" }.into(),
                    key: format!("user-{}", (i * 2_654_435_761) % key_space),
                    traffic_type: None,
                    value: Some((i % 1000) as f64 / 10.0),
                    timestamp: ts,
                    properties: (i % 2 == 0)
                        .then(|| format!(r#"{{"plan":"pro","price":{}}}"#, i % 200)),
                    sdk: None,
                    machine_ip: None,
                    machine_name: None,
                },
            }
        })
        .collect()
}

/// Writes the events in group-commit-sized batches; returns rows per second.
async fn ingest(db: &Database, events: Vec<EventRecord>) -> anyhow::Result<f64> {
    let store = IngestStore::open(db, DEFAULT_DICTIONARY_CAPACITY)?;
    let rows = events.len();
    let started = Instant::now();
    let mut events = events;
    while !events.is_empty() {
        let rest = events.split_off(events.len().min(INGEST_BATCH));
        let batch = WriteBatch {
            events,
            ..WriteBatch::default()
        };
        store.write(batch).await.context("writing events")?;
        events = rest;
    }
    let seconds = started.elapsed().as_secs_f64();
    drop(store);
    Ok(rows as f64 / seconds.max(f64::EPSILON))
}
