//! Flags per environment: registered when first seen in an impression (observed) or defined,
//! each with its impression tracking toggle.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use crate::audit::{self, AuditEntry};
use crate::entities::{flag, tracking_change};
use crate::environments::Actor;
use crate::{now_ms, Database};
pub use flag::Model as FlagRow;
pub use tracking_change::Model as TrackingChangeRow;

impl Database {
    pub async fn all_flags(&self) -> Result<Vec<FlagRow>, sea_orm::DbErr> {
        flag::Entity::find().all(&self.conn).await
    }

    pub async fn list_flags(&self, environment_id: i64) -> Result<Vec<FlagRow>, sea_orm::DbErr> {
        flag::Entity::find()
            .filter(flag::Column::EnvironmentId.eq(environment_id))
            .order_by_asc(flag::Column::Name)
            .all(&self.conn)
            .await
    }

    /// Registers the flags not known yet (tracking on) and returns the rows of all of them.
    /// Safe to race: a name registered meanwhile by another writer is simply read back.
    pub async fn ensure_flags(
        &self,
        environment_id: i64,
        names: &[String],
    ) -> Result<Vec<FlagRow>, sea_orm::DbErr> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let rows = names.iter().map(|name| flag::ActiveModel {
            environment_id: Set(environment_id),
            name: Set(name.clone()),
            tracking_enabled: Set(true),
            defined: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        flag::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([flag::Column::EnvironmentId, flag::Column::Name])
                    .do_nothing()
                    .to_owned(),
            )
            .do_nothing()
            .exec(&self.conn)
            .await?;
        flag::Entity::find()
            .filter(flag::Column::EnvironmentId.eq(environment_id))
            .filter(flag::Column::Name.is_in(names.iter().cloned()))
            .all(&self.conn)
            .await
    }

    /// Sets a flag's tracking toggle, recording the change for the monitoring chart and the
    /// audit log in the same transaction. Returns the flag as it is now and the change.
    pub async fn set_tracking(
        &self,
        actor: &Actor,
        environment_name: &str,
        current: &FlagRow,
        enabled: bool,
    ) -> Result<(FlagRow, TrackingChangeRow), sea_orm::DbErr> {
        let txn = self.conn.begin().await?;
        let now = now_ms();
        // A new change number makes polling SDKs fetch the flag again and see
        // `impressionsDisabled` flip.
        let change_number =
            crate::definitions::next_change_number(&txn, current.environment_id).await?;
        let mut active: flag::ActiveModel = current.clone().into();
        active.tracking_enabled = Set(enabled);
        active.change_number = Set(change_number);
        active.updated_at = Set(now);
        let updated = active.update(&txn).await?;
        let change = tracking_change::ActiveModel {
            environment_id: Set(current.environment_id),
            flag_id: Set(current.id),
            enabled: Set(enabled),
            changed_at: Set(now),
            changed_by: Set(actor.id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            AuditEntry {
                actor_id: actor.id,
                actor: &actor.label,
                action: "flag.tracking",
                environment_id: Some(current.environment_id),
                target: &format!("{environment_name}/{}", current.name),
                old_value: Some(serde_json::json!({ "enabled": current.tracking_enabled })),
                new_value: Some(serde_json::json!({ "enabled": enabled })),
            },
        )
        .await?;
        txn.commit().await?;
        Ok((updated, change))
    }

    /// Every flag's tracking changes, oldest first (the flags actor's history at start).
    pub async fn all_tracking_changes(&self) -> Result<Vec<TrackingChangeRow>, sea_orm::DbErr> {
        tracking_change::Entity::find()
            .order_by_asc(tracking_change::Column::ChangedAt)
            .order_by_asc(tracking_change::Column::Id)
            .all(&self.conn)
            .await
    }

    pub async fn tracking_changes(
        &self,
        flag_id: i64,
    ) -> Result<Vec<TrackingChangeRow>, sea_orm::DbErr> {
        tracking_change::Entity::find()
            .filter(tracking_change::Column::FlagId.eq(flag_id))
            .order_by_asc(tracking_change::Column::ChangedAt)
            .all(&self.conn)
            .await
    }
}
