//! Metrics per environment: how a `track()` event type becomes one number per user. Every
//! change is written in one transaction with its audit entry.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr,
    TransactionTrait,
};

use crate::audit::{self, AuditEntry};
use crate::entities::metric::{self, Column};
use crate::environments::Actor;
use crate::{now_ms, Database};
pub use metric::Model as MetricRow;

/// Everything a user decides about a metric (what a create sets and an update replaces).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFields {
    pub name: String,
    pub description: Option<String>,
    pub event_type: String,
    pub aggregation: String,
    pub property: Option<String>,
    /// A JSON object of scalars; `{}` for none.
    pub filter: String,
    pub direction: String,
}

impl MetricFields {
    pub fn of(row: &MetricRow) -> MetricFields {
        MetricFields {
            name: row.name.clone(),
            description: row.description.clone(),
            event_type: row.event_type.clone(),
            aggregation: row.aggregation.clone(),
            property: row.property.clone(),
            filter: row.filter.clone(),
            direction: row.direction.clone(),
        }
    }

    /// The fields as the audit log shows them (the filter as JSON, not as text).
    fn audited(&self) -> serde_json::Value {
        let filter: serde_json::Value =
            serde_json::from_str(&self.filter).unwrap_or(serde_json::Value::Null);
        serde_json::json!({
            "name": self.name,
            "description": self.description,
            "event_type": self.event_type,
            "aggregation": self.aggregation,
            "property": self.property,
            "filter": filter,
            "direction": self.direction,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MetricError {
    #[error("the environment already has a metric with this name")]
    NameTaken,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A unique violation can only be the name (the id is generated).
fn name_taken(err: DbErr) -> MetricError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => MetricError::NameTaken,
        _ => MetricError::Db(err),
    }
}

impl Database {
    pub async fn metric_by_id(
        &self,
        environment_id: i64,
        id: i64,
    ) -> Result<Option<MetricRow>, DbErr> {
        metric::Entity::find_by_id(id)
            .filter(Column::EnvironmentId.eq(environment_id))
            .one(&self.conn)
            .await
    }

    /// The environment's metrics by name.
    pub async fn metrics_of(&self, environment_id: i64) -> Result<Vec<MetricRow>, DbErr> {
        metric::Entity::find()
            .filter(Column::EnvironmentId.eq(environment_id))
            .order_by_asc(Column::Name)
            .order_by_asc(Column::Id)
            .all(&self.conn)
            .await
    }

    pub async fn create_metric(
        &self,
        actor: &Actor,
        environment_id: i64,
        fields: MetricFields,
    ) -> Result<MetricRow, MetricError> {
        let txn = self.conn.begin().await?;
        let now = now_ms();
        let audited = fields.audited();
        let row = metric::ActiveModel {
            environment_id: Set(environment_id),
            name: Set(fields.name),
            description: Set(fields.description),
            event_type: Set(fields.event_type),
            aggregation: Set(fields.aggregation),
            property: Set(fields.property),
            filter: Set(fields.filter),
            direction: Set(fields.direction),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(name_taken)?;
        record(&txn, actor, "metric.create", &row, None, Some(audited)).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Replaces every user-set field of `current`.
    pub async fn update_metric(
        &self,
        actor: &Actor,
        current: &MetricRow,
        fields: MetricFields,
    ) -> Result<MetricRow, MetricError> {
        let txn = self.conn.begin().await?;
        let (old, new) = (MetricFields::of(current).audited(), fields.audited());
        let mut row: metric::ActiveModel = current.clone().into();
        row.name = Set(fields.name);
        row.description = Set(fields.description);
        row.event_type = Set(fields.event_type);
        row.aggregation = Set(fields.aggregation);
        row.property = Set(fields.property);
        row.filter = Set(fields.filter);
        row.direction = Set(fields.direction);
        // Strictly later, so caches keyed on it see every change, even two in one millisecond.
        row.updated_at = Set(now_ms().max(current.updated_at + 1));
        let row = row.update(&txn).await.map_err(name_taken)?;
        record(&txn, actor, "metric.update", &row, Some(old), Some(new)).await?;
        txn.commit().await?;
        Ok(row)
    }

    pub async fn delete_metric(&self, actor: &Actor, current: &MetricRow) -> Result<(), DbErr> {
        let txn = self.conn.begin().await?;
        metric::Entity::delete_by_id(current.id).exec(&txn).await?;
        let old = MetricFields::of(current).audited();
        record(&txn, actor, "metric.delete", current, Some(old), None).await?;
        txn.commit().await
    }
}

async fn record(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    action: &str,
    row: &MetricRow,
    old_value: Option<serde_json::Value>,
    new_value: Option<serde_json::Value>,
) -> Result<(), DbErr> {
    audit::record(
        txn,
        AuditEntry {
            actor_id: actor.id,
            actor: &actor.label,
            action,
            environment_id: Some(row.environment_id),
            target: &format!("metric {}", row.name),
            old_value,
            new_value,
        },
    )
    .await
}
