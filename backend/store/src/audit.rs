//! The audit log: who changed what, when, from which value to which.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Set};

use crate::entities::audit_entry;
use crate::{now_ms, Database};
pub use audit_entry::Model as AuditRow;

/// One change to record. Values are JSON, so any shape of setting fits.
pub struct AuditEntry<'a> {
    pub actor_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub environment_id: Option<i64>,
    pub target: &'a str,
    pub old_value: Option<serde_json::Value>,
    pub new_value: Option<serde_json::Value>,
}

/// Records an entry on `conn`, which may be a transaction: the change and its record commit
/// together.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    entry: AuditEntry<'_>,
) -> Result<(), sea_orm::DbErr> {
    audit_entry::ActiveModel {
        at: Set(now_ms()),
        actor_id: Set(entry.actor_id),
        actor: Set(entry.actor.to_owned()),
        action: Set(entry.action.to_owned()),
        environment_id: Set(entry.environment_id),
        target: Set(entry.target.to_owned()),
        old_value: Set(entry.old_value.map(|v| v.to_string())),
        new_value: Set(entry.new_value.map(|v| v.to_string())),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

impl Database {
    /// Records a change made outside the store's own writes (the demo traffic switch).
    pub async fn record_audit(&self, entry: AuditEntry<'_>) -> Result<(), sea_orm::DbErr> {
        record(&self.conn, entry).await
    }

    pub async fn recent_audit(&self, limit: u64) -> Result<Vec<AuditRow>, sea_orm::DbErr> {
        audit_entry::Entity::find()
            .order_by_desc(audit_entry::Column::Id)
            .limit(limit)
            .all(&self.conn)
            .await
    }
}

/// Filters of the audit log; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Prefix of the action, e.g. `flag.` or `flag.tracking`.
    pub action: Option<String>,
    /// Part of the actor's email.
    pub actor: Option<String>,
    pub environment_id: Option<i64>,
}

impl Database {
    pub async fn audit_entries(
        &self,
        filter: &AuditFilter,
        limit: u64,
    ) -> Result<Vec<AuditRow>, sea_orm::DbErr> {
        use sea_orm::{ColumnTrait, QueryFilter};
        let mut query = audit_entry::Entity::find().order_by_desc(audit_entry::Column::Id);
        if let Some(action) = &filter.action {
            query = query.filter(audit_entry::Column::Action.starts_with(action.as_str()));
        }
        if let Some(actor) = &filter.actor {
            query = query.filter(audit_entry::Column::Actor.contains(actor.as_str()));
        }
        if let Some(environment_id) = filter.environment_id {
            query = query.filter(audit_entry::Column::EnvironmentId.eq(environment_id));
        }
        query.limit(limit).all(&self.conn).await
    }
}
