//! A metric's per-user figures per treatment of a flag, computed in the database.
//!
//! The flag's impressions in the window are grouped per user into a temporary table (their
//! exposure: the treatment and the first impression's time); one statement then joins each
//! user's events of the metric's type from that first impression to the end of the window
//! (through the events' `(environment, type, key, time, value)` index), reduces them to one
//! value per user, and returns per treatment only the count, sum and sum of squares of those
//! values. No row comes back to the server but one per treatment, whatever the number of
//! users.
//!
//! Users seen with more than one treatment are left out of every figure and counted apart.
//! Count, sum and conversion give exposed users without events the value 0; mean and
//! property mean have no value for them, so they are left out of `users`.

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, TransactionTrait, Value,
};
use serde_json::Value as Json;

use crate::impressions::{number_placeholders, query_all};
use crate::metrics::MetricRow;
use crate::{Backend, Database};

/// The impressions window, ms since the epoch, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImpactRange {
    pub from: i64,
    pub to: i64,
}

/// One treatment's users and the sums of their per-user values.
#[derive(Debug, Clone, PartialEq)]
pub struct TreatmentSums {
    pub treatment: String,
    /// Users exposed to this treatment only.
    pub exposed: u64,
    /// Users with a value: `exposed` for count, sum and conversion; fewer for means.
    pub users: u64,
    pub sum: f64,
    pub sum_of_squares: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricSums {
    /// Treatments with at least one exposed user, by name.
    pub treatments: Vec<TreatmentSums>,
    /// Users seen with more than one treatment in the window.
    pub excluded_users: u64,
}

#[derive(FromQueryResult)]
struct SumsRow {
    /// `None` on the row that counts the excluded users.
    treatment: Option<String>,
    exposed: i64,
    users: i64,
    total: Option<f64>,
    squares: Option<f64>,
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

/// SQL text with `{}` placeholders and their values, in order.
#[derive(Default)]
struct Sql {
    text: String,
    params: Vec<Value>,
}

impl Sql {
    fn statement(&self, backend: DbBackend) -> Statement {
        let text = number_placeholders(backend, &self.text);
        Statement::from_sql_and_values(backend, text, self.params.clone())
    }

    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends `text`, whose `{}` placeholders take `params` in order.
    fn bind(&mut self, text: &str, params: impl IntoIterator<Item = Value>) -> &mut Self {
        self.text.push_str(text);
        self.params.extend(params);
        self
    }
}

/// How each backend reads a JSON property of an event (`e.properties`, JSON text).
#[derive(Clone, Copy)]
struct Dialect(Backend);

impl Dialect {
    fn real(self) -> &'static str {
        match self.0 {
            Backend::Postgres => "DOUBLE PRECISION",
            Backend::Sqlite => "REAL",
        }
    }

    /// The property as a number, NULL when absent or not a number.
    fn numeric_property(self, sql: &mut Sql, name: &str) {
        match self.0 {
            Backend::Postgres => sql.bind(
                "CASE WHEN jsonb_typeof(e.properties::jsonb -> {}) = 'number' \
                 THEN (e.properties::jsonb ->> {})::DOUBLE PRECISION END",
                [name.into(), name.into()],
            ),
            Backend::Sqlite => sql.bind(
                "CASE WHEN json_type(e.properties, {}) IN ('integer', 'real') \
                 THEN json_extract(e.properties, {}) END",
                [json_path(name).into(), json_path(name).into()],
            ),
        };
    }

    /// ` AND` the property equals `value` (a JSON scalar): same type, same value.
    fn property_equals(self, sql: &mut Sql, name: &str, value: &Json) {
        match self.0 {
            // jsonb compares by type and value (numbers numerically: 2 = 2.0).
            Backend::Postgres => {
                sql.bind(
                    " AND e.properties::jsonb -> {} = CAST({} AS jsonb)",
                    [name.into(), value.to_string().into()],
                );
            }
            Backend::Sqlite => {
                let path = json_path(name);
                let (types, compared): (&str, Option<Value>) = match value {
                    Json::String(s) => ("('text')", Some(s.clone().into())),
                    Json::Number(n) => ("('integer', 'real')", n.as_f64().map(Into::into)),
                    Json::Bool(true) => ("('true')", None),
                    Json::Bool(false) => ("('false')", None),
                    // Arrays and objects are refused when the metric is saved.
                    _ => ("('null')", None),
                };
                sql.bind(
                    &format!(" AND json_type(e.properties, {{}}) IN {types}"),
                    [path.clone().into()],
                );
                if let Some(compared) = compared {
                    sql.bind(
                        " AND json_extract(e.properties, {}) = {}",
                        [path.into(), compared],
                    );
                }
            }
        }
    }
}

/// SQLite's path to a top-level member. Metric names of properties hold no `"`.
fn json_path(name: &str) -> String {
    format!("$.\"{name}\"")
}

/// One user's value from their joined events `e` (no event: one row of NULLs).
fn per_user_value(dialect: Dialect, sql: &mut Sql, metric: &MetricRow) {
    let real = dialect.real();
    match metric.aggregation.as_str() {
        "sum" => sql.push(&format!("CAST(COALESCE(SUM(e.value), 0) AS {real})")),
        "mean" => sql.push(&format!("CAST(AVG(e.value) AS {real})")),
        "conversion" => sql.push(&format!(
            "CAST(CASE WHEN COUNT(e.ts) > 0 THEN 1 ELSE 0 END AS {real})"
        )),
        "property_mean" => {
            sql.push("CAST(AVG(");
            dialect.numeric_property(sql, metric.property.as_deref().unwrap_or_default());
            sql.push(&format!(") AS {real})"))
        }
        // `count`, and anything unknown counts events rather than failing.
        _ => sql.push(&format!("CAST(COUNT(e.ts) AS {real})")),
    };
}

impl Database {
    /// Per treatment of the flag: exposed users, users with a value, and the sum and sum of
    /// squares of their values over `range` (see the module docs).
    #[tracing::instrument(skip(self, metric), fields(metric = metric.id))]
    pub async fn metric_sums(
        &self,
        environment_id: i64,
        flag_id: i64,
        metric: &MetricRow,
        range: ImpactRange,
    ) -> Result<MetricSums, DbErr> {
        // An event type never seen has no id: the events join then matches nothing.
        let event_type_id = query_all::<Id>(
            self,
            "SELECT id FROM strings WHERE value = {}",
            vec![metric.event_type.clone().into()],
        )
        .await?
        .first()
        .map_or(-1, |r| r.id);

        // The exposure goes into a temporary table of this connection, inside a transaction
        // that is rolled back at the end (which drops it): on SQLite its primary key orders
        // users by treatment and key, so the events index is read in key order and the
        // aggregates stream without sorting; on PostgreSQL it is analysed, so the planner
        // knows it is a million rows, not the few it guesses for a CTE.
        let backend = self.conn.get_database_backend();
        let txn = self.conn.begin().await?;
        for setup in exposure_table(self.backend) {
            txn.execute_unprepared(setup).await?;
        }
        let mut exposure = Sql::default();
        exposure.bind(
            "INSERT INTO impact_exposure (key, treatment_id, other_treatment_id, first_ts) \
             SELECT key, MIN(treatment_id), MAX(treatment_id), MIN(ts) FROM impressions \
             WHERE environment_id = {} AND flag_id = {} AND ts >= {} AND ts <= {} \
             GROUP BY key",
            [
                environment_id.into(),
                flag_id.into(),
                range.from.into(),
                range.to.into(),
            ],
        );
        txn.execute(exposure.statement(backend)).await?;
        if self.backend == Backend::Postgres {
            txn.execute_unprepared("ANALYZE impact_exposure").await?;
        }
        let sums = sums_query(self.backend, metric, environment_id, event_type_id, range);
        let rows = SumsRow::find_by_statement(sums.statement(backend))
            .all(&txn)
            .await?;
        txn.rollback().await?;

        let mut sums = MetricSums::default();
        for row in rows {
            match row.treatment {
                Some(treatment) => sums.treatments.push(TreatmentSums {
                    treatment,
                    exposed: row.exposed.max(0) as u64,
                    users: row.users.max(0) as u64,
                    sum: row.total.unwrap_or(0.0),
                    sum_of_squares: row.squares.unwrap_or(0.0),
                }),
                None => sums.excluded_users += row.exposed.max(0) as u64,
            }
        }
        sums.treatments
            .sort_by(|a, b| a.treatment.cmp(&b.treatment));
        Ok(sums)
    }
}

/// Statements that create an empty `impact_exposure` for this transaction.
fn exposure_table(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Sqlite => &[
            "DROP TABLE IF EXISTS temp.impact_exposure",
            "CREATE TEMP TABLE impact_exposure (key TEXT NOT NULL, treatment_id BIGINT NOT NULL, \
             other_treatment_id BIGINT NOT NULL, first_ts BIGINT NOT NULL, \
             PRIMARY KEY (treatment_id, key)) WITHOUT ROWID",
        ],
        Backend::Postgres => &[
            "DROP TABLE IF EXISTS pg_temp.impact_exposure",
            "CREATE TEMP TABLE impact_exposure (key TEXT NOT NULL, treatment_id BIGINT NOT NULL, \
             other_treatment_id BIGINT NOT NULL, first_ts BIGINT NOT NULL) ON COMMIT DROP",
            // Room to hash a million users' rows in memory rather than sort them on disk.
            "SET LOCAL work_mem = '256MB'",
        ],
    }
}

/// Per treatment: exposed users, users with a value, and the sums of their values; plus one
/// row (treatment NULL) counting the users seen with more than one treatment.
fn sums_query(
    backend: Backend,
    metric: &MetricRow,
    environment_id: i64,
    event_type_id: i64,
    range: ImpactRange,
) -> Sql {
    let dialect = Dialect(backend);
    let filter: serde_json::Map<String, Json> =
        serde_json::from_str(&metric.filter).unwrap_or_default();
    let mut sql = Sql::default();
    sql.push(
        "SELECT s.value AS treatment, t.exposed, t.users, t.total, t.squares FROM (\
         SELECT p.treatment_id, COUNT(*) AS exposed, COUNT(p.v) AS users, \
                SUM(p.v) AS total, SUM(p.v * p.v) AS squares \
         FROM (SELECT x.treatment_id, x.key, ",
    );
    per_user_value(dialect, &mut sql, metric);
    sql.bind(
        " AS v FROM impact_exposure x LEFT JOIN events e \
            ON e.environment_id = {} AND e.event_type_id = {} AND e.key = x.key \
            AND e.ts >= x.first_ts AND e.ts <= {}",
        [environment_id.into(), event_type_id.into(), range.to.into()],
    );
    for (name, value) in &filter {
        dialect.property_equals(&mut sql, name, value);
    }
    sql.push(
        " WHERE x.treatment_id = x.other_treatment_id \
          GROUP BY x.treatment_id, x.key) p \
         GROUP BY p.treatment_id) t JOIN strings s ON s.id = t.treatment_id \
         UNION ALL \
         SELECT NULL, COUNT(*), 0, NULL, NULL FROM impact_exposure \
         WHERE treatment_id <> other_treatment_id",
    );
    sql
}
