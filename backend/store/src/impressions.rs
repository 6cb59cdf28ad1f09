//! Reading stored impressions back, page by page, for exports.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};

use crate::Database;

/// One stored impression with its strings decoded.
#[derive(Debug, Clone, FromQueryResult)]
pub struct StoredImpression {
    pub id: i64,
    pub flag: String,
    pub key: String,
    pub bucketing_key: Option<String>,
    pub treatment: String,
    pub label: Option<String>,
    pub change_number: Option<i64>,
    pub timestamp: i64,
    pub received_at: i64,
    pub sdk: Option<String>,
    pub machine_ip: Option<String>,
    pub machine_name: Option<String>,
    pub traffic_type: Option<String>,
    pub properties: Option<String>,
}

/// Which impressions to read.
#[derive(Debug, Clone, Default)]
pub struct ImpressionQuery {
    pub environment_id: i64,
    /// Flag names; empty means every flag.
    pub flags: Vec<String>,
    /// Evaluation time bounds, ms, `from` inclusive and `to` exclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl Database {
    /// The next page of matching impressions after id `after`, in id order (arrival order).
    pub async fn impressions_page(
        &self,
        query: &ImpressionQuery,
        after: i64,
        limit: u64,
    ) -> Result<Vec<StoredImpression>, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let mut params: Vec<Value> = vec![query.environment_id.into(), after.into()];
        let mut conditions = vec!["i.environment_id = {}".to_owned(), "i.id > {}".to_owned()];
        if !query.flags.is_empty() {
            let list = vec!["{}"; query.flags.len()].join(", ");
            conditions.push(format!("f.name IN ({list})"));
            params.extend(query.flags.iter().map(|f| Value::from(f.as_str())));
        }
        if let Some(from) = query.from {
            conditions.push("i.ts >= {}".into());
            params.push(from.into());
        }
        if let Some(to) = query.to {
            conditions.push("i.ts < {}".into());
            params.push(to.into());
        }
        params.push((limit as i64).into());
        let sql = format!(
            "SELECT i.id, f.name AS flag, i.key, i.bucketing_key, t.value AS treatment, \
             l.value AS label, i.change_number, i.ts AS timestamp, i.received_at, \
             s.value AS sdk, mi.value AS machine_ip, mn.value AS machine_name, \
             tt.value AS traffic_type, i.properties \
             FROM impressions i \
             JOIN flags f ON f.id = i.flag_id \
             JOIN strings t ON t.id = i.treatment_id \
             LEFT JOIN strings l ON l.id = i.label_id \
             LEFT JOIN strings s ON s.id = i.sdk_id \
             LEFT JOIN strings mi ON mi.id = i.machine_ip_id \
             LEFT JOIN strings mn ON mn.id = i.machine_name_id \
             LEFT JOIN strings tt ON tt.id = i.traffic_type_id \
             WHERE {} ORDER BY i.id LIMIT {{}}",
            conditions.join(" AND ")
        );
        let sql = number_placeholders(backend, &sql);
        StoredImpression::find_by_statement(Statement::from_sql_and_values(backend, sql, params))
            .all(&self.conn)
            .await
    }
}

/// Replaces each `{}` with the backend's next placeholder.
pub(crate) fn number_placeholders(backend: DbBackend, sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut rest = sql;
    while let Some(pos) = rest.find("{}") {
        out.push_str(&rest[..pos]);
        n += 1;
        match backend {
            DbBackend::Postgres => out.push_str(&format!("${n}")),
            _ => out.push('?'),
        }
        rest = &rest[pos + 2..];
    }
    out.push_str(rest);
    out
}
