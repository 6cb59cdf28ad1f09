//! What the console's flag pages read: traffic per hour and treatment, unique keys and labels
//! of stored impressions, tracking-off periods, and per-flag totals for the flags list.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, FromQueryResult, Statement, Value};

use crate::impressions::number_placeholders;
use crate::Database;

#[derive(Debug, Clone, FromQueryResult)]
pub struct HourCount {
    pub hour: i64,
    /// `None` for evaluations counted by SDKs without a treatment.
    pub treatment: Option<String>,
    pub count: i64,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct NamedCount {
    pub name: Option<String>,
    pub count: i64,
}

#[derive(Debug, Clone, FromQueryResult)]
struct FlagTreatment {
    flag_id: i64,
    treatment: String,
}

#[derive(Debug, Clone, Default, FromQueryResult)]
pub struct FlagTotals {
    pub flag_id: i64,
    pub stored: i64,
    pub counted_by_sdk: i64,
}

impl Database {
    pub(crate) async fn query<T: FromQueryResult>(
        &self,
        sql: &str,
        params: Vec<Value>,
    ) -> Result<Vec<T>, sea_orm::DbErr> {
        let backend = self.conn.get_database_backend();
        let sql = number_placeholders(backend, sql);
        T::find_by_statement(Statement::from_sql_and_values(backend, sql, params))
            .all(&self.conn)
            .await
    }

    /// Hourly counts of a flag in `[from_hour, to_hour)`.
    pub async fn hourly_counts(
        &self,
        environment_id: i64,
        flag_id: i64,
        from_hour: i64,
        to_hour: i64,
    ) -> Result<Vec<HourCount>, sea_orm::DbErr> {
        self.query(
            "SELECT c.hour, t.value AS treatment, c.count FROM impression_counts c \
             LEFT JOIN strings t ON t.id = c.treatment_id \
             WHERE c.environment_id = {} AND c.flag_id = {} AND c.hour >= {} AND c.hour < {} \
             ORDER BY c.hour",
            vec![
                environment_id.into(),
                flag_id.into(),
                from_hour.into(),
                to_hour.into(),
            ],
        )
        .await
    }

    /// Distinct keys per treatment among a flag's stored impressions evaluated in `[from, to)`.
    pub async fn unique_keys_per_treatment(
        &self,
        environment_id: i64,
        flag_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<NamedCount>, sea_orm::DbErr> {
        self.query(
            "SELECT t.value AS name, CAST(COUNT(DISTINCT i.key) AS BIGINT) AS count FROM impressions i \
             JOIN strings t ON t.id = i.treatment_id \
             WHERE i.environment_id = {} AND i.flag_id = {} AND i.ts >= {} AND i.ts < {} \
             GROUP BY t.value",
            vec![environment_id.into(), flag_id.into(), from.into(), to.into()],
        )
        .await
    }

    /// Stored impressions per label (`None`: the SDK sent no label).
    pub async fn label_counts(
        &self,
        environment_id: i64,
        flag_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<NamedCount>, sea_orm::DbErr> {
        self.query(
            "SELECT l.value AS name, CAST(COUNT(*) AS BIGINT) AS count FROM impressions i \
             LEFT JOIN strings l ON l.id = i.label_id \
             WHERE i.environment_id = {} AND i.flag_id = {} AND i.ts >= {} AND i.ts < {} \
             GROUP BY l.value",
            vec![
                environment_id.into(),
                flag_id.into(),
                from.into(),
                to.into(),
            ],
        )
        .await
    }

    /// Per flag: impressions stored and evaluations counted by SDKs since `from_hour`.
    pub async fn flag_totals_since(
        &self,
        environment_id: i64,
        from_hour: i64,
    ) -> Result<HashMap<i64, FlagTotals>, sea_orm::DbErr> {
        let rows: Vec<FlagTotals> = self
            .query(
                "SELECT flag_id, \
                 CAST(COALESCE(SUM(CASE WHEN treatment_id = 0 THEN 0 ELSE count END), 0) AS BIGINT) AS stored, \
                 CAST(COALESCE(SUM(CASE WHEN treatment_id = 0 THEN count ELSE 0 END), 0) AS BIGINT) AS counted_by_sdk \
                 FROM impression_counts WHERE environment_id = {} AND hour >= {} GROUP BY flag_id",
                vec![environment_id.into(), from_hour.into()],
            )
            .await?;
        Ok(rows.into_iter().map(|r| (r.flag_id, r)).collect())
    }

    /// The treatments each flag of the environment has served, by the hourly counts still
    /// kept, sorted by name. Flags seen only in impressions have no definition to list them.
    pub async fn observed_treatments(
        &self,
        environment_id: i64,
    ) -> Result<HashMap<i64, Vec<String>>, sea_orm::DbErr> {
        let rows: Vec<FlagTreatment> = self
            .query(
                "SELECT DISTINCT c.flag_id, t.value AS treatment FROM impression_counts c \
                 JOIN strings t ON t.id = c.treatment_id \
                 WHERE c.environment_id = {} AND c.treatment_id <> 0 \
                 ORDER BY c.flag_id, t.value",
                vec![environment_id.into()],
            )
            .await?;
        let mut by_flag: HashMap<i64, Vec<String>> = HashMap::new();
        for row in rows {
            by_flag.entry(row.flag_id).or_default().push(row.treatment);
        }
        Ok(by_flag)
    }
}
