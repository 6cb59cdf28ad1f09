//! Purging dictionary strings that no row references any more (retention deletes the rows,
//! which leaves their treatments, labels, SDK and machine strings behind).
//!
//! The danger is a string deleted while an ingestion writer still means to use its id: the
//! writer's memory of ids, or a batch being written right now. Rows would then point to
//! nothing. The purge never waits on the writers and never makes them wait for long:
//!
//! 1. **Begin**: bump `strings_generation`. The writers read it under a lock at the start of
//!    each transaction (SQLite: inside their write transaction; PostgreSQL: `FOR SHARE`), so
//!    the bump waits for the transactions running and every later one sees the new
//!    generation, forgets its ids and, looking strings up again, marks each with it.
//! 2. **Scan** the referencing columns, in ranges of ids, without any lock: every row written
//!    before the bump is there to be seen, and every string a row written after it uses is
//!    marked with the new generation.
//! 3. **Delete**, in small chunks, the strings neither seen in the scan nor marked since the
//!    bump, checking the mark again in the `DELETE` itself. On PostgreSQL it skips the rows a
//!    writer is marking right now (`SKIP LOCKED`) rather than wait for it, so the two never
//!    deadlock; a writer that wants a string being deleted waits for that one statement and
//!    inserts it again with a new id.
//!
//! The newest string (the largest id when the purge began) is never deleted: SQLite numbers a
//! new row after the largest id there is, so no id is ever handed out twice and nothing that
//! remembers an old id (an export's decoding cache) can mistake it for another string.
//!
//! Indexes on the referencing columns would let a `NOT EXISTS` per string answer at once,
//! but a dozen more indexes on the two hottest tables would cost ingestion far more than
//! this scan costs a purge.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, TransactionTrait, Value};

use crate::impressions::number_placeholders;
use crate::Database;

/// Every column that holds a `strings` id, by table. `impression_counts.treatment_id` is 0
/// for the counts SDKs sent without impressions, never a string.
const IMPRESSION_COLUMNS: &[&str] = &[
    "treatment_id",
    "label_id",
    "sdk_id",
    "machine_ip_id",
    "machine_name_id",
    "traffic_type_id",
    "impressions_mode_id",
];
const EVENT_COLUMNS: &[&str] = &[
    "event_type_id",
    "traffic_type_id",
    "sdk_id",
    "machine_ip_id",
    "machine_name_id",
];

/// Ids of a table scanned per statement: a few tens of milliseconds of reading each.
const SCAN_IDS: i64 = 20_000;

/// Strings deleted per statement, each a short write.
const DELETE_IDS: usize = 500;

/// What a purge of unused strings did and found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StringsPurged {
    pub deleted: u64,
    /// The longest of the purge's writes (its generation bump, each chunk of deletes): the
    /// longest it kept ingestion from committing on SQLite.
    pub longest_write: Duration,
    /// The strings each environment's rows used when the purge scanned them (ingestion's
    /// per-environment budget of distinct strings starts again from these).
    pub in_use: HashMap<i64, Vec<String>>,
}

/// String ids by the environment whose rows hold them.
type Referenced = HashMap<i64, HashSet<i64>>;

impl Database {
    /// Deletes every string no row references, pausing `pause` between statements. Safe
    /// beside ingestion on both databases, and beside another purge.
    pub async fn purge_unused_strings(&self, pause: Duration) -> Result<StringsPurged, DbErr> {
        let began = Instant::now();
        let (generation, newest) = self.begin_strings_purge().await?;
        let mut purged = StringsPurged {
            longest_write: began.elapsed(),
            ..StringsPurged::default()
        };
        let referenced = self.referenced_strings(pause).await?;
        let any: HashSet<i64> = referenced.values().flatten().copied().collect();
        self.delete_strings_unused_since(generation, newest, &any, pause, &mut purged)
            .await?;
        purged.in_use = self.values_by_environment(referenced).await?;
        Ok(purged)
    }

    /// Bumps the generation; returns it and the largest string id.
    async fn begin_strings_purge(&self) -> Result<(i64, i64), DbErr> {
        let backend = self.conn.get_database_backend();
        let txn = self.conn.begin().await?;
        let generation = single_i64(
            &txn,
            backend,
            "UPDATE strings_generation SET generation = generation + 1 WHERE id = 1 \
             RETURNING generation AS n",
        )
        .await?;
        let newest = single_i64(
            &txn,
            backend,
            "SELECT COALESCE(MAX(id), 0) AS n FROM strings",
        )
        .await?;
        txn.commit().await?;
        Ok((generation, newest))
    }

    /// The string ids the rows of every referencing table hold now.
    async fn referenced_strings(&self, pause: Duration) -> Result<Referenced, DbErr> {
        let mut ids = Referenced::new();
        for (table, columns) in [
            ("impressions", IMPRESSION_COLUMNS),
            ("events", EVENT_COLUMNS),
        ] {
            let backend = self.conn.get_database_backend();
            let bounds = format!(
                "SELECT (SELECT MIN(id) FROM {table}) AS lo, (SELECT MAX(id) FROM {table}) AS hi"
            );
            let Some(row) = self
                .conn
                .query_one(Statement::from_string(backend, bounds))
                .await?
            else {
                continue;
            };
            let (Some(lo), Some(hi)) = (
                row.try_get::<Option<i64>>("", "lo")?,
                row.try_get::<Option<i64>>("", "hi")?,
            ) else {
                continue;
            };
            let sql = number_placeholders(backend, &distinct_ids_sql(table, columns));
            let mut after = lo - 1;
            while after < hi {
                let until = after.saturating_add(SCAN_IDS);
                let rows = self
                    .conn
                    .query_all(Statement::from_sql_and_values(
                        backend,
                        &sql,
                        [Value::from(after), Value::from(until)],
                    ))
                    .await?;
                add_references(&mut ids, &rows)?;
                after = until;
                tokio::time::sleep(pause).await;
            }
        }
        // Hourly counts are few next to impressions (one row per flag, hour and treatment).
        let backend = self.conn.get_database_backend();
        let rows = self
            .conn
            .query_all(Statement::from_string(
                backend,
                "SELECT DISTINCT environment_id AS env, treatment_id AS v FROM impression_counts \
                 WHERE treatment_id <> 0",
            ))
            .await?;
        add_references(&mut ids, &rows)?;
        Ok(ids)
    }

    /// The values of the referenced strings, by environment.
    async fn values_by_environment(
        &self,
        referenced: Referenced,
    ) -> Result<HashMap<i64, Vec<String>>, DbErr> {
        let backend = self.conn.get_database_backend();
        let ids: Vec<i64> = referenced
            .values()
            .flatten()
            .copied()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut values = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(DELETE_IDS) {
            let list = vec!["{}"; chunk.len()].join(", ");
            let sql = number_placeholders(
                backend,
                &format!("SELECT id, value FROM strings WHERE id IN ({list})"),
            );
            let rows = self
                .conn
                .query_all(Statement::from_sql_and_values(
                    backend,
                    sql,
                    chunk.iter().map(|id| Value::from(*id)),
                ))
                .await?;
            for row in rows {
                values.insert(
                    row.try_get::<i64>("", "id")?,
                    row.try_get::<String>("", "value")?,
                );
            }
        }
        Ok(referenced
            .into_iter()
            .map(|(env, ids)| {
                let strings = ids
                    .iter()
                    .filter_map(|id| values.get(id).cloned())
                    .collect();
                (env, strings)
            })
            .collect())
    }

    /// Deletes the strings below `newest` that are not `referenced` and that no writer has
    /// marked since `generation` began.
    async fn delete_strings_unused_since(
        &self,
        generation: i64,
        newest: i64,
        referenced: &HashSet<i64>,
        pause: Duration,
        purged: &mut StringsPurged,
    ) -> Result<(), DbErr> {
        let backend = self.conn.get_database_backend();
        let candidates_sql = number_placeholders(
            backend,
            &format!(
                "SELECT id FROM strings WHERE id > {{}} AND id < {{}} AND seen_generation < {{}} \
                 ORDER BY id LIMIT {DELETE_IDS}"
            ),
        );
        let mut after = 0i64;
        loop {
            let candidates: Vec<i64> = self
                .conn
                .query_all(Statement::from_sql_and_values(
                    backend,
                    &candidates_sql,
                    [
                        Value::from(after),
                        Value::from(newest),
                        Value::from(generation),
                    ],
                ))
                .await?
                .iter()
                .map(|row| row.try_get::<i64>("", "id"))
                .collect::<Result<_, _>>()?;
            let Some(&last) = candidates.last() else {
                return Ok(());
            };
            after = last;
            let unused: Vec<i64> = candidates
                .iter()
                .copied()
                .filter(|id| !referenced.contains(id))
                .collect();
            if !unused.is_empty() {
                let began = Instant::now();
                purged.deleted += self.delete_strings(backend, generation, &unused).await?;
                purged.longest_write = purged.longest_write.max(began.elapsed());
                tokio::time::sleep(pause).await;
            }
            if candidates.len() < DELETE_IDS {
                return Ok(());
            }
        }
    }

    /// Deletes those of `ids` still unmarked since `generation`.
    async fn delete_strings(
        &self,
        backend: DbBackend,
        generation: i64,
        ids: &[i64],
    ) -> Result<u64, DbErr> {
        let list = vec!["{}"; ids.len()].join(", ");
        // PostgreSQL: a string a writer is marking right now is locked by its transaction;
        // skip it (it is in use) instead of waiting, so the purge never waits on a writer.
        let lock = match backend {
            DbBackend::Postgres => " FOR UPDATE SKIP LOCKED",
            _ => "",
        };
        let sql = number_placeholders(
            backend,
            &format!(
                "DELETE FROM strings WHERE id IN (SELECT id FROM strings \
                 WHERE id IN ({list}) AND seen_generation < {{}}{lock})"
            ),
        );
        let values = ids
            .iter()
            .map(|id| Value::from(*id))
            .chain([Value::from(generation)]);
        let result = self
            .conn
            .execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        Ok(result.rows_affected())
    }
}

/// The distinct non-null ids `columns` of `table` hold in one range of its ids, with their
/// environment (two placeholders: after, up to).
fn distinct_ids_sql(table: &str, columns: &[&str]) -> String {
    let picks = columns
        .iter()
        .map(|c| format!("SELECT environment_id, {c} AS v FROM chunk"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!(
        "WITH chunk AS (SELECT environment_id, {} FROM {table} WHERE id > {{}} AND id <= {{}}) \
         SELECT DISTINCT environment_id AS env, v FROM ({picks}) AS used WHERE v IS NOT NULL",
        columns.join(", ")
    )
}

/// Adds rows of `(env, v)` to the references.
fn add_references(ids: &mut Referenced, rows: &[sea_orm::QueryResult]) -> Result<(), DbErr> {
    for row in rows {
        let env = row.try_get::<i64>("", "env")?;
        ids.entry(env)
            .or_default()
            .insert(row.try_get::<i64>("", "v")?);
    }
    Ok(())
}

async fn single_i64(
    conn: &impl ConnectionTrait,
    backend: DbBackend,
    sql: &str,
) -> Result<i64, DbErr> {
    let row = conn
        .query_one(Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("no answer to `{sql}`")))?;
    row.try_get::<i64>("", "n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_reads_every_column_of_one_range() {
        let sql = distinct_ids_sql("events", &["event_type_id", "sdk_id"]);
        assert_eq!(
            sql,
            "WITH chunk AS (SELECT environment_id, event_type_id, sdk_id FROM events \
             WHERE id > {} AND id <= {}) SELECT DISTINCT environment_id AS env, v FROM \
             (SELECT environment_id, event_type_id AS v FROM chunk UNION ALL \
             SELECT environment_id, sdk_id AS v FROM chunk) AS used WHERE v IS NOT NULL"
        );
    }
}
