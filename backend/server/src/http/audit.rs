//! The audit log: who changed what, when. Every signed-in role may read it, but entries about
//! user accounts show their email and role only to admins: `GET /users` is admin-only, and the
//! log must not be a way around it.

use std::collections::HashMap;

use actix_web::{get, web};
use imprint_store::audit::{AuditFilter, AuditRow};
use imprint_types::{AuditView, Role};
use serde::Deserialize;

use super::{iso_time, ApiResult};
use crate::auth::Identity;
use crate::state::AppState;

/// Actions about user accounts, whose target is an email and whose values hold roles.
const ACCOUNT_ACTIONS: &str = "user.";
const REDACTED: &str = "(a user: shown to admins only)";

#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    environment: Option<String>,
    limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("action" = Option<String>, Query, description = "action prefix, e.g. flag."),
           ("actor" = Option<String>, Query, description = "part of the actor's email"),
           ("environment" = Option<String>, Query), ("limit" = Option<u64>, Query, description = "at most 1000, default 200")),
    responses((status = 200, description = "Newest first", body = Vec<AuditView>),
              (status = "4XX", description = "The JSON error", body = imprint_types::ApiErrorBody)))]
#[get("/audit")]
pub async fn list(
    state: web::Data<AppState>,
    identity: Identity,
    query: web::Query<AuditQuery>,
) -> ApiResult<web::Json<Vec<AuditView>>> {
    let environments: HashMap<i64, String> = state
        .db
        .list_environments()
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    let environment_id = match query.environment.as_deref().filter(|e| !e.is_empty()) {
        Some(name) => match environments.iter().find(|(_, n)| n.as_str() == name) {
            Some((id, _)) => Some(*id),
            None => return Ok(web::Json(Vec::new())),
        },
        None => None,
    };
    let filter = AuditFilter {
        action: query.action.clone().filter(|a| !a.is_empty()),
        actor: query.actor.clone().filter(|a| !a.is_empty()),
        environment_id,
    };
    let rows = state
        .db
        .audit_entries(&filter, query.limit.unwrap_or(200).min(1000))
        .await?;
    let sees_accounts = identity.user.role.allows(Role::Admin);
    Ok(web::Json(
        rows.into_iter()
            .map(|row| {
                if sees_accounts || !row.action.starts_with(ACCOUNT_ACTIONS) {
                    return row;
                }
                AuditRow {
                    target: REDACTED.to_owned(),
                    old_value: None,
                    new_value: None,
                    ..row
                }
            })
            .map(|row| AuditView {
                id: row.id,
                at: iso_time(row.at),
                actor: row.actor,
                action: row.action,
                environment: row
                    .environment_id
                    .and_then(|id| environments.get(&id).cloned()),
                target: row.target,
                old_value: row.old_value.and_then(|v| serde_json::from_str(&v).ok()),
                new_value: row.new_value.and_then(|v| serde_json::from_str(&v).ok()),
            })
            .collect(),
    ))
}
