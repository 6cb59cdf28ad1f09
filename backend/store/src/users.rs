//! Console users.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::entities::user;
use crate::{now_ms, Database};
pub use user::Model as UserRow;

pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
}

impl Database {
    pub async fn count_users(&self) -> Result<u64, sea_orm::DbErr> {
        user::Entity::find().count(&self.conn).await
    }

    pub async fn insert_user(&self, new: NewUser<'_>) -> Result<UserRow, sea_orm::DbErr> {
        user::ActiveModel {
            email: Set(new.email.to_owned()),
            password_hash: Set(new.password_hash.to_owned()),
            role: Set(new.role.to_owned()),
            active: Set(true),
            created_at: Set(now_ms()),
            ..Default::default()
        }
        .insert(&self.conn)
        .await
    }

    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<UserRow>, sea_orm::DbErr> {
        user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(&self.conn)
            .await
    }

    pub async fn find_user(&self, id: i64) -> Result<Option<UserRow>, sea_orm::DbErr> {
        user::Entity::find_by_id(id).one(&self.conn).await
    }

    pub async fn list_users(&self) -> Result<Vec<UserRow>, sea_orm::DbErr> {
        user::Entity::find()
            .order_by_asc(user::Column::Email)
            .all(&self.conn)
            .await
    }
}

/// Changes to a user; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct UserChange<'a> {
    pub role: Option<&'a str>,
    pub active: Option<bool>,
    pub password_hash: Option<&'a str>,
    /// A session (by hash) that survives a password change: the one making it.
    pub keep_session: Option<&'a str>,
}

/// What became of a change to a user.
#[derive(Debug)]
pub enum UserUpdate {
    Updated(UserRow),
    /// Refused: it would leave no active admin.
    WouldRemoveLastAdmin,
    /// The user no longer exists.
    Missing,
}

impl Database {
    /// Applies the change and ends the user's sessions when they were deactivated or their
    /// password changed (a password change also revokes their API tokens); audited without
    /// the password.
    ///
    /// A change that could take away an admin first locks every active admin row (an
    /// `UPDATE` on them: row locks on PostgreSQL, the write lock on SQLite, where it is the
    /// transaction's first statement), so two concurrent demotions are serialised and the
    /// second sees the first: the last active admin can never be removed.
    pub async fn update_user(
        &self,
        actor: &crate::environments::Actor,
        user_id: i64,
        change: UserChange<'_>,
    ) -> Result<UserUpdate, sea_orm::DbErr> {
        use sea_orm::TransactionTrait;
        let txn = self.conn.begin().await?;
        let may_remove_admin =
            change.role.is_some_and(|r| r != ADMIN) || change.active == Some(false);
        if may_remove_admin {
            user::Entity::update_many()
                .col_expr(user::Column::Active, Expr::col(user::Column::Active).into())
                .filter(user::Column::Role.eq(ADMIN))
                .filter(user::Column::Active.eq(true))
                .exec(&txn)
                .await?;
        }
        let Some(current) = user::Entity::find_by_id(user_id).one(&txn).await? else {
            return Ok(UserUpdate::Missing);
        };
        let loses_admin = current.role == ADMIN
            && current.active
            && (change.role.is_some_and(|r| r != ADMIN) || change.active == Some(false));
        if loses_admin {
            let other_admins = user::Entity::find()
                .filter(user::Column::Role.eq(ADMIN))
                .filter(user::Column::Active.eq(true))
                .filter(user::Column::Id.ne(user_id))
                .count(&txn)
                .await?;
            if other_admins == 0 {
                txn.rollback().await?;
                return Ok(UserUpdate::WouldRemoveLastAdmin);
            }
        }
        let mut active: user::ActiveModel = current.clone().into();
        if let Some(role) = change.role {
            active.role = Set(role.to_owned());
        }
        if let Some(is_active) = change.active {
            active.active = Set(is_active);
        }
        if let Some(hash) = change.password_hash {
            active.password_hash = Set(hash.to_owned());
        }
        let updated = active.update(&txn).await?;
        if change.active == Some(false) || change.password_hash.is_some() {
            let mut sessions = crate::entities::session::Entity::delete_many()
                .filter(crate::entities::session::Column::UserId.eq(current.id));
            if let Some(keep) = change.keep_session {
                sessions = sessions.filter(crate::entities::session::Column::TokenHash.ne(keep));
            }
            sessions.exec(&txn).await?;
        }
        if change.password_hash.is_some() {
            crate::tokens::revoke_all_of_user(&txn, current.id).await?;
        }
        crate::audit::record(
            &txn,
            crate::audit::AuditEntry {
                actor_id: actor.id,
                actor: &actor.label,
                action: if change.password_hash.is_some() {
                    "user.password"
                } else {
                    "user.update"
                },
                environment_id: None,
                target: &current.email,
                old_value: Some(
                    serde_json::json!({ "role": current.role, "active": current.active }),
                ),
                new_value: Some(serde_json::json!({
                    "role": updated.role,
                    "active": updated.active,
                    "password_changed": change.password_hash.is_some(),
                })),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(UserUpdate::Updated(updated))
    }

    pub async fn count_active_admins(&self) -> Result<u64, sea_orm::DbErr> {
        user::Entity::find()
            .filter(user::Column::Role.eq(ADMIN))
            .filter(user::Column::Active.eq(true))
            .count(&self.conn)
            .await
    }
}

const ADMIN: &str = "admin";
