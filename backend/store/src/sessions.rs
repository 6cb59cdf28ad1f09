//! Browser sessions. Only a hash of the cookie value is stored.
//!
//! A session ends at the earlier of its lifetime (`expires_at`) and its idle deadline
//! (`idle_expires_at`), which each use pushes forward.

use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set};

use crate::entities::{api_token, session, user};
use crate::{now_ms, Database};
pub use session::Model as SessionRow;

/// The idle deadline is written at most this often per session, so every request of a busy
/// console does not become a write.
const TOUCH_EVERY_MS: i64 = 60_000;

impl Database {
    pub async fn insert_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: i64,
        idle_ms: i64,
    ) -> Result<SessionRow, sea_orm::DbErr> {
        let now = now_ms();
        session::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            user_id: Set(user_id),
            csrf_token: Set(csrf_token.to_owned()),
            created_at: Set(now),
            expires_at: Set(expires_at),
            idle_expires_at: Set(now.saturating_add(idle_ms).min(expires_at)),
            ..Default::default()
        }
        .insert(&self.conn)
        .await
    }

    /// The live session with this hash and its active user, if both exist; pushes the
    /// session's idle deadline `idle_ms` past now.
    pub async fn find_live_session(
        &self,
        token_hash: &str,
        idle_ms: i64,
    ) -> Result<Option<(SessionRow, user::Model)>, sea_orm::DbErr> {
        let now = now_ms();
        let found = session::Entity::find()
            .filter(session::Column::TokenHash.eq(token_hash))
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(session::Column::IdleExpiresAt.gt(now))
            .one(&self.conn)
            .await?;
        let Some(session) = found else {
            return Ok(None);
        };
        let owner = user::Entity::find_by_id(session.user_id)
            .filter(user::Column::Active.eq(true))
            .one(&self.conn)
            .await?;
        let Some(owner) = owner else {
            return Ok(None);
        };
        let idle_deadline = now.saturating_add(idle_ms).min(session.expires_at);
        if idle_deadline - session.idle_expires_at > TOUCH_EVERY_MS {
            session::Entity::update_many()
                .col_expr(session::Column::IdleExpiresAt, idle_deadline.into())
                .filter(session::Column::Id.eq(session.id))
                .exec(&self.conn)
                .await?;
        }
        Ok(Some((session, owner)))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), sea_orm::DbErr> {
        session::Entity::delete_many()
            .filter(session::Column::TokenHash.eq(token_hash))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    pub async fn delete_sessions_of_user(&self, user_id: i64) -> Result<(), sea_orm::DbErr> {
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user_id))
            .exec(&self.conn)
            .await?;
        Ok(())
    }

    /// Deletes sessions past their lifetime or idle deadline, and tokens past their expiry or
    /// revoked: none of them can be used again. Returns (sessions, tokens) deleted.
    pub async fn delete_expired_sessions_and_tokens(
        &self,
        now: i64,
    ) -> Result<(u64, u64), sea_orm::DbErr> {
        let sessions = session::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(session::Column::ExpiresAt.lte(now))
                    .add(session::Column::IdleExpiresAt.lte(now)),
            )
            .exec(&self.conn)
            .await?;
        let tokens = api_token::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(api_token::Column::ExpiresAt.lte(now))
                    .add(api_token::Column::RevokedAt.is_not_null()),
            )
            .exec(&self.conn)
            .await?;
        Ok((sessions.rows_affected, tokens.rows_affected))
    }
}
