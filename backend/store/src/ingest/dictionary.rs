//! Repeated strings (treatments, labels, SDK versions, machines, traffic and event types) are
//! stored once in `strings` and referenced by id. The writer keeps the mapping in memory; new
//! strings are added inside the batch's transaction and remembered only once it commits.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, FromQueryResult, Statement, Value};

use super::sql::placeholders;

#[derive(Debug, Default)]
pub struct Dictionary {
    ids: HashMap<String, i64>,
}

/// Strings added by a transaction that has not committed yet.
#[derive(Debug, Default)]
pub struct Pending {
    ids: HashMap<String, i64>,
}

#[derive(FromQueryResult)]
struct Entry {
    id: i64,
    value: String,
}

impl Dictionary {
    pub fn get(&self, pending: &Pending, value: &str) -> Option<i64> {
        self.ids
            .get(value)
            .or_else(|| pending.ids.get(value))
            .copied()
    }

    pub fn commit(&mut self, pending: Pending) {
        self.ids.extend(pending.ids);
    }

    /// Makes sure every one of `values` has an id, inserting the unknown ones.
    pub async fn resolve<'a>(
        &self,
        txn: &DatabaseTransaction,
        values: impl Iterator<Item = &'a str>,
    ) -> Result<Pending, sea_orm::DbErr> {
        let mut missing: Vec<&str> = values.filter(|v| !self.ids.contains_key(*v)).collect();
        missing.sort_unstable();
        missing.dedup();
        let mut pending = Pending::default();
        let backend = txn.get_database_backend();
        for chunk in missing.chunks(500) {
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
                "SELECT id, value FROM strings WHERE value IN ({})",
                in_list(backend, chunk.len())
            );
            let entries =
                Entry::find_by_statement(Statement::from_sql_and_values(backend, select, params))
                    .all(txn)
                    .await?;
            pending
                .ids
                .extend(entries.into_iter().map(|e| (e.value, e.id)));
        }
        Ok(pending)
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

fn in_list(backend: DbBackend, n: usize) -> String {
    (1..=n)
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}
