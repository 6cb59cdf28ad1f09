//! Environments and their SDK keys. Keys are stored as hashes only.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use crate::audit::{self, AuditEntry};
use crate::entities::{environment, sdk_key};
use crate::{now_ms, Database};
pub use environment::Model as EnvironmentRow;
pub use sdk_key::Model as SdkKeyRow;

/// A key to store: its hash and the hint shown in lists.
pub struct NewSdkKey<'a> {
    pub kind: &'a str,
    pub key_hash: &'a str,
    pub hint: &'a str,
}

/// What an update may change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentChange {
    pub name: Option<String>,
    pub retention_days: Option<i32>,
    pub allowed_origins: Option<Vec<String>>,
}

/// The environment's settings as the audit log shows them.
fn audited(env: &EnvironmentRow) -> serde_json::Value {
    serde_json::json!({
        "name": env.name,
        "retention_days": env.retention_days,
        "allowed_origins": allowed_origins(env),
    })
}

/// The stored list of origins; an unreadable value means no restriction was recorded.
pub fn allowed_origins(env: &EnvironmentRow) -> Vec<String> {
    serde_json::from_str(&env.allowed_origins).unwrap_or_default()
}

/// Who made a change, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub label: String,
}

impl Database {
    pub async fn list_environments(&self) -> Result<Vec<EnvironmentRow>, sea_orm::DbErr> {
        environment::Entity::find()
            .order_by_asc(environment::Column::Name)
            .all(&self.conn)
            .await
    }

    /// The environment's name, which exported rows and replayed live events carry (empty for
    /// an environment deleted meanwhile).
    pub async fn environment_name(&self, id: i64) -> Result<std::sync::Arc<str>, sea_orm::DbErr> {
        Ok(environment::Entity::find_by_id(id)
            .one(&self.conn)
            .await?
            .map(|e| e.name)
            .unwrap_or_default()
            .into())
    }

    pub async fn find_environment_by_name(
        &self,
        name: &str,
    ) -> Result<Option<EnvironmentRow>, sea_orm::DbErr> {
        environment::Entity::find()
            .filter(environment::Column::Name.eq(name))
            .one(&self.conn)
            .await
    }

    /// Creates an environment with its first keys, in one transaction with its audit entry.
    pub async fn create_environment(
        &self,
        actor: &Actor,
        name: &str,
        retention_days: i32,
        keys: &[NewSdkKey<'_>],
    ) -> Result<(EnvironmentRow, Vec<SdkKeyRow>), sea_orm::DbErr> {
        let txn = self.conn.begin().await?;
        let now = now_ms();
        let env = environment::ActiveModel {
            name: Set(name.to_owned()),
            retention_days: Set(retention_days),
            allowed_origins: Set("[]".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut rows = Vec::with_capacity(keys.len());
        for key in keys {
            rows.push(insert_key(&txn, env.id, key).await?);
        }
        audit::record(
            &txn,
            AuditEntry {
                actor_id: actor.id,
                actor: &actor.label,
                action: "environment.create",
                environment_id: Some(env.id),
                target: name,
                old_value: None,
                new_value: Some(
                    serde_json::json!({ "name": name, "retention_days": retention_days }),
                ),
            },
        )
        .await?;
        txn.commit().await?;
        Ok((env, rows))
    }

    /// Renames, changes retention and/or the allowed origins; audited with old and new values.
    pub async fn update_environment(
        &self,
        actor: &Actor,
        current: &EnvironmentRow,
        change: &EnvironmentChange,
    ) -> Result<EnvironmentRow, sea_orm::DbErr> {
        let EnvironmentChange {
            name,
            retention_days,
            allowed_origins,
        } = change;
        let txn = self.conn.begin().await?;
        let mut active: environment::ActiveModel = current.clone().into();
        if let Some(name) = name {
            active.name = Set(name.to_owned());
        }
        if let Some(days) = retention_days {
            active.retention_days = Set(*days);
        }
        if let Some(origins) = allowed_origins {
            active.allowed_origins = Set(serde_json::json!(origins).to_string());
        }
        active.updated_at = Set(now_ms());
        let updated = active.update(&txn).await?;
        audit::record(
            &txn,
            AuditEntry {
                actor_id: actor.id,
                actor: &actor.label,
                action: "environment.update",
                environment_id: Some(current.id),
                target: &updated.name,
                old_value: Some(audited(current)),
                new_value: Some(audited(&updated)),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(updated)
    }

    pub async fn create_sdk_key(
        &self,
        actor: &Actor,
        env: &EnvironmentRow,
        key: NewSdkKey<'_>,
    ) -> Result<SdkKeyRow, sea_orm::DbErr> {
        let txn = self.conn.begin().await?;
        let row = insert_key(&txn, env.id, &key).await?;
        audit::record(
            &txn,
            AuditEntry {
                actor_id: actor.id,
                actor: &actor.label,
                action: "sdk_key.create",
                environment_id: Some(env.id),
                target: &env.name,
                old_value: None,
                new_value: Some(
                    serde_json::json!({ "id": row.id, "kind": row.kind, "hint": row.hint }),
                ),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Revokes a live key of the environment; None when there is no such key.
    pub async fn revoke_sdk_key(
        &self,
        actor: &Actor,
        env: &EnvironmentRow,
        key_id: i64,
    ) -> Result<Option<SdkKeyRow>, sea_orm::DbErr> {
        let txn = self.conn.begin().await?;
        let found = sdk_key::Entity::find_by_id(key_id)
            .filter(sdk_key::Column::EnvironmentId.eq(env.id))
            .filter(sdk_key::Column::RevokedAt.is_null())
            .one(&txn)
            .await?;
        let Some(found) = found else {
            return Ok(None);
        };
        let mut active: sdk_key::ActiveModel = found.into();
        active.revoked_at = Set(Some(now_ms()));
        let revoked = active.update(&txn).await?;
        audit::record(
            &txn,
            AuditEntry {
                actor_id: actor.id,
                actor: &actor.label,
                action: "sdk_key.revoke",
                environment_id: Some(env.id),
                target: &env.name,
                old_value: Some(serde_json::json!({ "id": revoked.id, "kind": revoked.kind, "hint": revoked.hint })),
                new_value: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Some(revoked))
    }

    pub async fn list_sdk_keys(
        &self,
        environment_id: i64,
    ) -> Result<Vec<SdkKeyRow>, sea_orm::DbErr> {
        sdk_key::Entity::find()
            .filter(sdk_key::Column::EnvironmentId.eq(environment_id))
            .filter(sdk_key::Column::RevokedAt.is_null())
            .order_by_asc(sdk_key::Column::Id)
            .all(&self.conn)
            .await
    }

    /// Every live key of every environment: what the key snapshot is built from.
    pub async fn all_live_sdk_keys(&self) -> Result<Vec<SdkKeyRow>, sea_orm::DbErr> {
        sdk_key::Entity::find()
            .filter(sdk_key::Column::RevokedAt.is_null())
            .all(&self.conn)
            .await
    }
}

async fn insert_key<C: sea_orm::ConnectionTrait>(
    conn: &C,
    environment_id: i64,
    key: &NewSdkKey<'_>,
) -> Result<SdkKeyRow, sea_orm::DbErr> {
    sdk_key::ActiveModel {
        environment_id: Set(environment_id),
        kind: Set(key.kind.to_owned()),
        key_hash: Set(key.key_hash.to_owned()),
        hint: Set(key.hint.to_owned()),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(conn)
    .await
}
