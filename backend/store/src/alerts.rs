//! Alert policies and the alerts they raise. Policy changes and every alert that fires or
//! resolves are written in one transaction with their audit entry.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::audit::{self, AuditEntry};
use crate::entities::{alert, alert_policy};
use crate::environments::Actor;
use crate::{now_ms, Database};
pub use alert::Model as AlertRow;
pub use alert_policy::Model as AlertPolicyRow;

pub const FIRING: &str = "firing";
pub const RESOLVED: &str = "resolved";

/// Everything a user decides about a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFields {
    pub metric_id: i64,
    pub flag: Option<String>,
    pub threshold: f64,
    pub min_users: i64,
    pub webhook_url: Option<String>,
    pub enabled: bool,
}

impl PolicyFields {
    pub fn of(row: &AlertPolicyRow) -> PolicyFields {
        PolicyFields {
            metric_id: row.metric_id,
            flag: row.flag.clone(),
            threshold: row.threshold,
            min_users: row.min_users,
            webhook_url: row.webhook_url.clone(),
            enabled: row.enabled,
        }
    }

    /// As the audit log shows them: never the secret.
    fn audited(&self) -> serde_json::Value {
        serde_json::json!({
            "metric_id": self.metric_id,
            "flag": self.flag,
            "threshold": self.threshold,
            "min_users": self.min_users,
            "webhook_url": self.webhook_url,
            "enabled": self.enabled,
        })
    }
}

/// What an evaluation found for one (flag, treatment): the alert to open, or to keep open.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub flag: String,
    pub treatment: String,
    pub baseline: String,
    pub relative_lift: Option<f64>,
    pub p_value: Option<f64>,
    pub summary: String,
}

/// Which alerts to list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    pub status: Option<String>,
    pub flag: Option<String>,
    pub policy_id: Option<i64>,
    pub limit: u64,
}

fn policy_target(row: &AlertPolicyRow) -> String {
    format!("alert policy {}", row.id)
}

fn alert_target(row: &AlertRow) -> String {
    format!(
        "alert on {} ({} vs {})",
        row.flag, row.treatment, row.baseline
    )
}

/// The system's label in the audit log, for what the alerts actor does on its own.
const SYSTEM: &str = "system (alerts)";

impl Database {
    pub async fn alert_policies_of(
        &self,
        environment_id: i64,
    ) -> Result<Vec<AlertPolicyRow>, DbErr> {
        alert_policy::Entity::find()
            .filter(alert_policy::Column::EnvironmentId.eq(environment_id))
            .order_by_asc(alert_policy::Column::Id)
            .all(&self.conn)
            .await
    }

    /// Every enabled policy, of every environment: what the alerts actor evaluates.
    pub async fn enabled_alert_policies(&self) -> Result<Vec<AlertPolicyRow>, DbErr> {
        alert_policy::Entity::find()
            .filter(alert_policy::Column::Enabled.eq(true))
            .order_by_asc(alert_policy::Column::Id)
            .all(&self.conn)
            .await
    }

    pub async fn alert_policy_by_id(
        &self,
        environment_id: i64,
        id: i64,
    ) -> Result<Option<AlertPolicyRow>, DbErr> {
        alert_policy::Entity::find_by_id(id)
            .filter(alert_policy::Column::EnvironmentId.eq(environment_id))
            .one(&self.conn)
            .await
    }

    pub async fn create_alert_policy(
        &self,
        actor: &Actor,
        environment_id: i64,
        fields: PolicyFields,
        webhook_secret: Option<String>,
    ) -> Result<AlertPolicyRow, DbErr> {
        let txn = self.conn.begin().await?;
        let now = now_ms();
        let audited = fields.audited();
        let row = alert_policy::ActiveModel {
            environment_id: Set(environment_id),
            metric_id: Set(fields.metric_id),
            flag: Set(fields.flag),
            threshold: Set(fields.threshold),
            min_users: Set(fields.min_users),
            webhook_url: Set(fields.webhook_url),
            webhook_secret: Set(webhook_secret),
            enabled: Set(fields.enabled),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        record_policy(
            &txn,
            actor,
            "alert_policy.create",
            &row,
            None,
            Some(audited),
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Replaces the policy's fields; `webhook_secret` replaces the secret when given (a new
    /// webhook URL gets a new secret), and a policy without a webhook keeps none.
    pub async fn update_alert_policy(
        &self,
        actor: &Actor,
        current: &AlertPolicyRow,
        fields: PolicyFields,
        webhook_secret: Option<String>,
    ) -> Result<AlertPolicyRow, DbErr> {
        let txn = self.conn.begin().await?;
        let (old, new) = (PolicyFields::of(current).audited(), fields.audited());
        let has_webhook = fields.webhook_url.is_some();
        let mut row: alert_policy::ActiveModel = current.clone().into();
        row.threshold = Set(fields.threshold);
        row.min_users = Set(fields.min_users);
        row.webhook_url = Set(fields.webhook_url);
        row.enabled = Set(fields.enabled);
        if webhook_secret.is_some() || !has_webhook {
            row.webhook_secret = Set(webhook_secret.filter(|_| has_webhook));
        }
        row.updated_at = Set(now_ms().max(current.updated_at + 1));
        let row = row.update(&txn).await?;
        record_policy(
            &txn,
            actor,
            "alert_policy.update",
            &row,
            Some(old),
            Some(new),
        )
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Deletes the policy with its alerts (explicitly, not relying on the foreign key's cascade).
    pub async fn delete_alert_policy(
        &self,
        actor: &Actor,
        current: &AlertPolicyRow,
    ) -> Result<(), DbErr> {
        let txn = self.conn.begin().await?;
        alert::Entity::delete_many()
            .filter(alert::Column::PolicyId.eq(current.id))
            .exec(&txn)
            .await?;
        alert_policy::Entity::delete_by_id(current.id)
            .exec(&txn)
            .await?;
        let old = PolicyFields::of(current).audited();
        record_policy(&txn, actor, "alert_policy.delete", current, Some(old), None).await?;
        txn.commit().await
    }

    pub async fn alerts(
        &self,
        environment_id: i64,
        filter: &AlertFilter,
    ) -> Result<Vec<AlertRow>, DbErr> {
        let mut query =
            alert::Entity::find().filter(alert::Column::EnvironmentId.eq(environment_id));
        if let Some(status) = &filter.status {
            query = query.filter(alert::Column::Status.eq(status.as_str()));
        }
        if let Some(flag) = &filter.flag {
            query = query.filter(alert::Column::Flag.eq(flag.as_str()));
        }
        if let Some(policy_id) = filter.policy_id {
            query = query.filter(alert::Column::PolicyId.eq(policy_id));
        }
        query
            .order_by_desc(alert::Column::FiredAt)
            .order_by_desc(alert::Column::Id)
            .limit(filter.limit.max(1))
            .all(&self.conn)
            .await
    }

    /// The policy's alerts that are firing now.
    pub async fn firing_alerts_of(&self, policy_id: i64) -> Result<Vec<AlertRow>, DbErr> {
        alert::Entity::find()
            .filter(alert::Column::PolicyId.eq(policy_id))
            .filter(alert::Column::Status.eq(FIRING))
            .order_by_asc(alert::Column::Id)
            .all(&self.conn)
            .await
    }

    /// Opens an alert for `policy`, audited as the system's doing.
    pub async fn fire_alert(
        &self,
        policy: &AlertPolicyRow,
        finding: Finding,
    ) -> Result<AlertRow, DbErr> {
        let txn = self.conn.begin().await?;
        let row = alert::ActiveModel {
            environment_id: Set(policy.environment_id),
            policy_id: Set(policy.id),
            metric_id: Set(policy.metric_id),
            flag: Set(finding.flag),
            treatment: Set(finding.treatment),
            baseline: Set(finding.baseline),
            status: Set(FIRING.to_owned()),
            relative_lift: Set(finding.relative_lift),
            p_value: Set(finding.p_value),
            summary: Set(finding.summary),
            fired_at: Set(now_ms()),
            resolved_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let new = serde_json::json!({
            "policy_id": row.policy_id, "summary": row.summary,
            "relative_lift": row.relative_lift, "p_value": row.p_value,
        });
        record_alert(&txn, "alert.fire", &row, None, Some(new)).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Closes a firing alert: the condition cleared.
    pub async fn resolve_alert(&self, current: &AlertRow) -> Result<AlertRow, DbErr> {
        let txn = self.conn.begin().await?;
        let mut row: alert::ActiveModel = current.clone().into();
        row.status = Set(RESOLVED.to_owned());
        row.resolved_at = Set(Some(now_ms()));
        let row = row.update(&txn).await?;
        let old = serde_json::json!({ "status": FIRING, "summary": current.summary });
        let new = serde_json::json!({ "status": RESOLVED });
        record_alert(&txn, "alert.resolve", &row, Some(old), Some(new)).await?;
        txn.commit().await?;
        Ok(row)
    }
}

async fn record_policy(
    txn: &DatabaseTransaction,
    actor: &Actor,
    action: &str,
    row: &AlertPolicyRow,
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
            target: &policy_target(row),
            old_value,
            new_value,
        },
    )
    .await
}

async fn record_alert(
    txn: &DatabaseTransaction,
    action: &str,
    row: &AlertRow,
    old_value: Option<serde_json::Value>,
    new_value: Option<serde_json::Value>,
) -> Result<(), DbErr> {
    audit::record(
        txn,
        AuditEntry {
            actor_id: None,
            actor: SYSTEM,
            action,
            environment_id: Some(row.environment_id),
            target: &alert_target(row),
            old_value,
            new_value,
        },
    )
    .await
}
