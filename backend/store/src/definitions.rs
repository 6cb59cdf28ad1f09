//! Flag definitions (stored as JSON on the flag row), segments and traffic types.

use std::collections::HashSet;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::{self, AuditEntry};
use crate::entities::{flag, segment, segment_key, traffic_type};
use crate::environments::Actor;
use crate::flags::FlagRow;
use crate::{now_ms, Database};
pub use segment::Model as SegmentRow;
pub use segment_key::Model as SegmentKeyRow;
pub use traffic_type::Model as TrafficTypeRow;

/// The next change number of an environment: now in ms, but always above every change
/// number already given out there, so SDKs polling `since=` never miss a change.
pub async fn next_change_number<C: ConnectionTrait>(
    conn: &C,
    environment_id: i64,
) -> Result<i64, sea_orm::DbErr> {
    let flags: Option<i64> = flag::Entity::find()
        .select_only()
        .column_as(flag::Column::ChangeNumber.max(), "m")
        .filter(flag::Column::EnvironmentId.eq(environment_id))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    let segments: Option<i64> = segment::Entity::find()
        .select_only()
        .column_as(segment::Column::ChangeNumber.max(), "m")
        .filter(segment::Column::EnvironmentId.eq(environment_id))
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    let highest = flags.unwrap_or(0).max(segments.unwrap_or(0));
    Ok(now_ms().max(highest + 1))
}

/// What changed, for the audit log.
pub struct DefinitionChange<'a> {
    pub actor: &'a Actor,
    pub environment_name: &'a str,
    pub environment_id: i64,
    pub flag_name: &'a str,
    pub action: &'a str,
    /// Builds the definition JSON once the change number is known.
    pub definition: &'a (dyn Fn(i64) -> String + Sync),
    /// The flag's change number the change was made against; when the flag has moved on
    /// since (or does not exist), nothing is written and the current number is returned.
    pub expected_change_number: Option<i64>,
}

/// The result of a definition change that was checked against a change number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved(FlagRow),
    /// The flag changed since the caller read it: its change number now (`None`: no flag).
    Conflict {
        current_change_number: Option<i64>,
    },
}

impl Database {
    pub async fn find_flag(
        &self,
        environment_id: i64,
        name: &str,
    ) -> Result<Option<FlagRow>, sea_orm::DbErr> {
        flag::Entity::find()
            .filter(flag::Column::EnvironmentId.eq(environment_id))
            .filter(flag::Column::Name.eq(name))
            .one(&self.conn)
            .await
    }

    /// Creates or replaces a flag's definition with a new change number, audited with the old
    /// and new documents. An observed flag becomes defined and keeps its tracking toggle.
    pub async fn save_definition(
        &self,
        change: DefinitionChange<'_>,
    ) -> Result<SaveOutcome, sea_orm::DbErr> {
        let txn = self.conn.begin().await?;
        // Locked (PostgreSQL) so that the check below and the write see the same row.
        let existing = flag::Entity::find()
            .filter(flag::Column::EnvironmentId.eq(change.environment_id))
            .filter(flag::Column::Name.eq(change.flag_name))
            .lock_exclusive()
            .one(&txn)
            .await?;
        let current_change_number = existing.as_ref().map(|f| f.change_number);
        if let Some(expected) = change.expected_change_number {
            if current_change_number != Some(expected) {
                txn.rollback().await?;
                return Ok(SaveOutcome::Conflict {
                    current_change_number,
                });
            }
        }
        let change_number = next_change_number(&txn, change.environment_id).await?;
        let json = (change.definition)(change_number);
        let now = now_ms();
        let old = existing.as_ref().and_then(|f| f.definition.clone());
        let saved = match existing {
            Some(row) => {
                let mut active: flag::ActiveModel = row.into();
                active.defined = Set(true);
                active.definition = Set(Some(json.clone()));
                active.change_number = Set(change_number);
                active.updated_at = Set(now);
                active.update(&txn).await?
            }
            None => {
                flag::ActiveModel {
                    environment_id: Set(change.environment_id),
                    name: Set(change.flag_name.to_owned()),
                    tracking_enabled: Set(true),
                    defined: Set(true),
                    definition: Set(Some(json.clone())),
                    change_number: Set(change_number),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        audit::record(
            &txn,
            AuditEntry {
                actor_id: change.actor.id,
                actor: &change.actor.label,
                action: change.action,
                environment_id: Some(change.environment_id),
                target: &format!("{}/{}", change.environment_name, change.flag_name),
                old_value: old.and_then(|o| serde_json::from_str(&o).ok()),
                new_value: serde_json::from_str(&json).ok(),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(SaveOutcome::Saved(saved))
    }

    pub async fn list_segments(
        &self,
        environment_id: i64,
    ) -> Result<Vec<SegmentRow>, sea_orm::DbErr> {
        segment::Entity::find()
            .filter(segment::Column::EnvironmentId.eq(environment_id))
            .order_by_asc(segment::Column::Name)
            .all(&self.conn)
            .await
    }

    pub async fn find_segment(
        &self,
        environment_id: i64,
        name: &str,
    ) -> Result<Option<SegmentRow>, sea_orm::DbErr> {
        segment::Entity::find()
            .filter(segment::Column::EnvironmentId.eq(environment_id))
            .filter(segment::Column::Name.eq(name))
            .one(&self.conn)
            .await
    }

    /// Keys of a segment whose presence changed after `since` (all present keys for -1).
    pub async fn segment_keys_since(
        &self,
        segment_id: i64,
        since: i64,
    ) -> Result<Vec<SegmentKeyRow>, sea_orm::DbErr> {
        let mut query =
            segment_key::Entity::find().filter(segment_key::Column::SegmentId.eq(segment_id));
        query = if since < 0 {
            query.filter(segment_key::Column::Present.eq(true))
        } else {
            query.filter(segment_key::Column::ChangeNumber.gt(since))
        };
        query
            .order_by_asc(segment_key::Column::Key)
            .all(&self.conn)
            .await
    }

    /// Every present key of every segment of the environment: what the evaluator needs.
    pub async fn segment_members(
        &self,
        environment_id: i64,
    ) -> Result<Vec<(String, String)>, sea_orm::DbErr> {
        let segments = self.list_segments(environment_id).await?;
        let mut members = Vec::new();
        for s in segments {
            let keys = self.segment_keys_since(s.id, -1).await?;
            members.extend(keys.into_iter().map(|k| (s.name.clone(), k.key)));
        }
        Ok(members)
    }

    /// Sets a segment's keys to exactly `keys`, recording additions and removals at a new
    /// change number, audited.
    pub async fn save_segment(
        &self,
        actor: &Actor,
        environment_name: &str,
        environment_id: i64,
        name: &str,
        description: &str,
        keys: &[String],
    ) -> Result<SegmentRow, sea_orm::DbErr> {
        let txn = self.conn.begin().await?;
        let change_number = next_change_number(&txn, environment_id).await?;
        let now = now_ms();
        let existing = segment::Entity::find()
            .filter(segment::Column::EnvironmentId.eq(environment_id))
            .filter(segment::Column::Name.eq(name))
            .one(&txn)
            .await?;
        let (row, old_keys) = match existing {
            Some(row) => {
                let present = present_keys(&txn, row.id).await?;
                let mut active: segment::ActiveModel = row.into();
                active.description = Set(description.to_owned());
                active.change_number = Set(change_number);
                active.updated_at = Set(now);
                (active.update(&txn).await?, present)
            }
            None => {
                let row = segment::ActiveModel {
                    environment_id: Set(environment_id),
                    name: Set(name.to_owned()),
                    description: Set(description.to_owned()),
                    change_number: Set(change_number),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                (row, HashSet::new())
            }
        };
        let new_keys: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let added: Vec<&str> = new_keys
            .iter()
            .copied()
            .filter(|k| !old_keys.contains(*k))
            .collect();
        let removed: Vec<&String> = old_keys
            .iter()
            .filter(|k| !new_keys.contains(k.as_str()))
            .collect();
        for chunk in added.chunks(500) {
            let rows = chunk.iter().map(|k| segment_key::ActiveModel {
                segment_id: Set(row.id),
                key: Set((*k).to_owned()),
                present: Set(true),
                change_number: Set(change_number),
            });
            segment_key::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([segment_key::Column::SegmentId, segment_key::Column::Key])
                        .update_columns([
                            segment_key::Column::Present,
                            segment_key::Column::ChangeNumber,
                        ])
                        .to_owned(),
                )
                .exec(&txn)
                .await?;
        }
        for chunk in removed.chunks(500) {
            segment_key::Entity::update_many()
                .col_expr(segment_key::Column::Present, Expr::value(false))
                .col_expr(
                    segment_key::Column::ChangeNumber,
                    Expr::value(change_number),
                )
                .filter(segment_key::Column::SegmentId.eq(row.id))
                .filter(segment_key::Column::Key.is_in(chunk.iter().map(|k| k.as_str())))
                .exec(&txn)
                .await?;
        }
        audit::record(
            &txn,
            AuditEntry {
                actor_id: actor.id,
                actor: &actor.label,
                action: "segment.save",
                environment_id: Some(environment_id),
                target: &format!("{environment_name}/{name}"),
                old_value: Some(serde_json::json!({ "keys": old_keys.len() })),
                new_value: Some(serde_json::json!({ "keys": keys.len(), "added": added.len(), "removed": removed.len() })),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    pub async fn list_traffic_types(&self) -> Result<Vec<TrafficTypeRow>, sea_orm::DbErr> {
        traffic_type::Entity::find()
            .order_by_asc(traffic_type::Column::Name)
            .all(&self.conn)
            .await
    }

    pub async fn create_traffic_type(
        &self,
        actor: &Actor,
        name: &str,
    ) -> Result<TrafficTypeRow, sea_orm::DbErr> {
        let txn = self.conn.begin().await?;
        let row = traffic_type::ActiveModel {
            name: Set(name.to_owned()),
            created_at: Set(now_ms()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            AuditEntry {
                actor_id: actor.id,
                actor: &actor.label,
                action: "traffic_type.create",
                environment_id: None,
                target: name,
                old_value: None,
                new_value: Some(serde_json::json!({ "name": name })),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }
}

async fn present_keys(
    txn: &DatabaseTransaction,
    segment_id: i64,
) -> Result<HashSet<String>, sea_orm::DbErr> {
    Ok(segment_key::Entity::find()
        .filter(segment_key::Column::SegmentId.eq(segment_id))
        .filter(segment_key::Column::Present.eq(true))
        .all(txn)
        .await?
        .into_iter()
        .map(|k| k.key)
        .collect())
}
