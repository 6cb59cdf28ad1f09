//! The machinery of export scans, shared by impressions and events: SQL conditions, keyset
//! pages within an id range, the range itself from an index, and the dictionary cache.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};

use super::{number_placeholders, ScanRange};
use crate::Database;

/// Whether stored properties (a JSON object) hold every `(name, value)` pair. A string
/// property matches its text; numbers, booleans and null match their JSON spelling.
pub fn properties_match(properties: Option<&str>, wanted: &[(String, String)]) -> bool {
    if wanted.is_empty() {
        return true;
    }
    let Some(text) = properties else {
        return false;
    };
    let Ok(object) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
    else {
        return false;
    };
    wanted.iter().all(|(name, value)| match object.get(name) {
        Some(serde_json::Value::String(s)) => s == value,
        Some(other) => {
            let spelled = other.to_string();
            spelled == *value
        }
        None => false,
    })
}

/// SQL conditions joined by AND, with `{}` placeholders and their values.
#[derive(Debug, Clone)]
pub(crate) struct Conditions {
    terms: Vec<String>,
    params: Vec<Value>,
}

impl Conditions {
    pub(crate) fn new(term: &str, param: impl Into<Value>) -> Self {
        Conditions {
            terms: vec![term.to_owned()],
            params: vec![param.into()],
        }
    }

    pub(crate) fn push_in<V: Clone + Into<Value>>(&mut self, column: &str, values: &[V]) {
        let list = vec!["{}"; values.len()].join(", ");
        self.terms.push(format!("{column} IN ({list})"));
        self.params.extend(values.iter().cloned().map(Into::into));
    }

    pub(crate) fn push_time_bounds(&mut self, column: &str, from: Option<i64>, to: Option<i64>) {
        if let Some(from) = from {
            self.terms.push(format!("{column} >= {{}}"));
            self.params.push(from.into());
        }
        if let Some(to) = to {
            self.terms.push(format!("{column} < {{}}"));
            self.params.push(to.into());
        }
    }
}

/// Pages of one table in id order within a range.
pub(crate) struct Keyset {
    table: &'static str,
    columns: &'static str,
    filter: Option<Conditions>,
    pub(crate) range: ScanRange,
    done: bool,
}

impl Keyset {
    pub(crate) fn new(
        table: &'static str,
        columns: &'static str,
        filter: Conditions,
        range: Option<ScanRange>,
    ) -> Self {
        Keyset {
            table,
            columns,
            filter: Some(filter),
            done: range.is_none(),
            range: range.unwrap_or_default(),
        }
    }

    /// A scan that matches nothing.
    pub(crate) fn empty() -> Self {
        Keyset {
            table: "",
            columns: "",
            filter: None,
            range: ScanRange::default(),
            done: true,
        }
    }

    /// `limit` rows of the range that meet `filter`, from its start (`ASC`) or end (`DESC`).
    fn page_query(&self, filter: &Conditions, order: &str, limit: u64) -> (String, Vec<Value>) {
        let sql = format!(
            "SELECT {} FROM {} WHERE id > {{}} AND id <= {{}} AND {} ORDER BY id {order} LIMIT {{}}",
            self.columns,
            self.table,
            filter.terms.join(" AND ")
        );
        let mut params = vec![self.range.after.into(), self.range.until.into()];
        params.extend(filter.params.iter().cloned());
        params.push((limit as i64).into());
        (sql, params)
    }

    pub(crate) async fn next<T: FromQueryResult>(
        &mut self,
        db: &Database,
        limit: u64,
        id_of: impl Fn(&T) -> i64,
    ) -> Result<Option<Vec<T>>, DbErr> {
        let Some(filter) = self.filter.as_ref().filter(|_| !self.done) else {
            return Ok(None);
        };
        let (sql, params) = self.page_query(filter, "ASC", limit);
        let rows: Vec<T> = query_all(db, &sql, params).await?;
        if (rows.len() as u64) < limit {
            self.done = true;
            self.range.after = self.range.until;
        } else if let Some(last) = rows.last() {
            self.range.after = id_of(last);
        }
        Ok(Some(rows))
    }
}

impl Keyset {
    /// The last `limit` rows of the range, in id order: the newest, for a live tail's replay.
    pub(crate) async fn latest<T: FromQueryResult>(
        &self,
        db: &Database,
        limit: u64,
    ) -> Result<Vec<T>, DbErr> {
        let Some(filter) = self.filter.as_ref().filter(|_| !self.done) else {
            return Ok(Vec::new());
        };
        let (sql, params) = self.page_query(filter, "DESC", limit);
        let mut rows: Vec<T> = query_all(db, &sql, params).await?;
        rows.reverse();
        Ok(rows)
    }
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(FromQueryResult)]
struct IdProperties {
    id: i64,
    properties: Option<String>,
}

/// Rows read per query when counting through a property filter.
const COUNT_PAGE_ROWS: i64 = 20_000;

impl Keyset {
    /// How many rows of the range match, and also hold `properties`. Without a property filter
    /// the database counts; with one, only ids and properties are read, page by page.
    pub(crate) async fn count(
        &self,
        db: &Database,
        properties: &[(String, String)],
    ) -> Result<u64, DbErr> {
        let Some(filter) = self.filter.as_ref().filter(|_| !self.done) else {
            return Ok(0);
        };
        // Without the `+` the planner may count through an index instead of the rows.
        let terms: Vec<&str> = filter
            .terms
            .iter()
            .map(|t| t.trim_start_matches('+'))
            .collect();
        let condition = terms.join(" AND ");
        let mut params: Vec<Value> = vec![self.range.after.into(), self.range.until.into()];
        params.extend(filter.params.iter().cloned());
        if properties.is_empty() {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM {} WHERE id > {{}} AND id <= {{}} AND {condition}",
                self.table
            );
            let rows: Vec<Count> = query_all(db, &sql, params).await?;
            return Ok(rows.first().map_or(0, |c| c.n.max(0) as u64));
        }
        let sql = format!(
            "SELECT id, properties FROM {} WHERE id > {{}} AND id <= {{}} AND {condition} \
             ORDER BY id LIMIT {{}}",
            self.table
        );
        let mut matched = 0u64;
        let mut after = self.range.after;
        loop {
            let mut page_params = params.clone();
            page_params[0] = after.into();
            page_params.push(COUNT_PAGE_ROWS.into());
            let rows: Vec<IdProperties> = query_all(db, &sql, page_params).await?;
            matched += rows
                .iter()
                .filter(|r| properties_match(r.properties.as_deref(), properties))
                .count() as u64;
            match rows.last() {
                Some(last) if rows.len() as i64 == COUNT_PAGE_ROWS => after = last.id,
                _ => return Ok(matched),
            }
        }
    }
}

#[derive(FromQueryResult)]
struct Bounds {
    lo: Option<i64>,
    hi: Option<i64>,
}

/// The id range holding every row that meets `index` (whole-table bounds, which the primary
/// key answers at once, when `None`); `None` when there is no such row.
pub(crate) async fn id_bounds(
    db: &Database,
    table: &str,
    index: Option<&Conditions>,
) -> Result<Option<ScanRange>, DbErr> {
    let (sql, params) = match index {
        Some(c) => (
            format!(
                "SELECT MIN(id) AS lo, MAX(id) AS hi FROM {table} WHERE {}",
                c.terms.join(" AND ")
            ),
            c.params.clone(),
        ),
        // Two scalar subqueries: SQLite answers a lone MIN or MAX from the primary key at
        // once, but scans a whole index for both in one SELECT.
        None => (
            format!(
                "SELECT (SELECT MIN(id) FROM {table}) AS lo, (SELECT MAX(id) FROM {table}) AS hi"
            ),
            Vec::new(),
        ),
    };
    let bounds: Vec<Bounds> = query_all(db, &sql, params).await?;
    Ok(bounds.first().and_then(|b| {
        Some(ScanRange {
            after: b.lo? - 1,
            until: b.hi?,
        })
    }))
}

#[derive(FromQueryResult)]
struct Id {
    id: i64,
}

/// Ids of the rows of `table` whose `column` is one of `values` (within an environment).
pub(crate) async fn ids_of(
    db: &Database,
    table: &str,
    column: &str,
    values: &[String],
    environment_id: Option<i64>,
) -> Result<Vec<i64>, DbErr> {
    let mut conditions = Conditions {
        terms: Vec::new(),
        params: Vec::new(),
    };
    if let Some(env) = environment_id {
        conditions = Conditions::new("environment_id = {}", env);
    }
    conditions.push_in(column, values);
    let sql = format!(
        "SELECT id FROM {table} WHERE {}",
        conditions.terms.join(" AND ")
    );
    let rows: Vec<Id> = query_all(db, &sql, conditions.params).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

#[derive(FromQueryResult)]
struct IdName {
    id: i64,
    name: String,
}

/// Names by id, fetched the first time each id is seen (a few distinct values per page).
pub(crate) struct Names {
    select: &'static str,
    by_id: HashMap<i64, String>,
}

impl Names {
    pub(crate) fn new(select: &'static str) -> Self {
        Names {
            select,
            by_id: HashMap::new(),
        }
    }

    pub(crate) fn strings() -> Self {
        Names::new("SELECT id, value AS name FROM strings WHERE id IN ")
    }

    pub(crate) async fn learn(
        &mut self,
        db: &Database,
        ids: impl IntoIterator<Item = Option<i64>>,
    ) -> Result<(), DbErr> {
        let mut missing: Vec<i64> = ids
            .into_iter()
            .flatten()
            .filter(|id| !self.by_id.contains_key(id))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        for chunk in missing.chunks(500) {
            let sql = format!("{}({})", self.select, vec!["{}"; chunk.len()].join(", "));
            let params = chunk.iter().map(|&id| Value::from(id)).collect();
            let rows: Vec<IdName> = query_all(db, &sql, params).await?;
            self.by_id.extend(rows.into_iter().map(|r| (r.id, r.name)));
        }
        Ok(())
    }

    pub(crate) fn get(&self, id: Option<i64>) -> Option<String> {
        id.and_then(|id| self.by_id.get(&id).cloned())
    }
}

pub(crate) async fn query_all<T: FromQueryResult>(
    db: &Database,
    sql: &str,
    params: Vec<Value>,
) -> Result<Vec<T>, DbErr> {
    let backend = db.conn.get_database_backend();
    let sql = number_placeholders(backend, sql);
    T::find_by_statement(Statement::from_sql_and_values(backend, sql, params))
        .all(&db.conn)
        .await
}
