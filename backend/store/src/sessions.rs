//! Browser sessions. Only a hash of the cookie value is stored.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entities::{session, user};
use crate::{now_ms, Database};
pub use session::Model as SessionRow;

impl Database {
    pub async fn insert_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<SessionRow, sea_orm::DbErr> {
        session::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            user_id: Set(user_id),
            csrf_token: Set(csrf_token.to_owned()),
            created_at: Set(now_ms()),
            expires_at: Set(expires_at),
            ..Default::default()
        }
        .insert(&self.conn)
        .await
    }

    /// The live session with this hash and its active user, if both exist.
    pub async fn find_live_session(
        &self,
        token_hash: &str,
    ) -> Result<Option<(SessionRow, user::Model)>, sea_orm::DbErr> {
        let found = session::Entity::find()
            .filter(session::Column::TokenHash.eq(token_hash))
            .filter(session::Column::ExpiresAt.gt(now_ms()))
            .one(&self.conn)
            .await?;
        let Some(session) = found else {
            return Ok(None);
        };
        let owner = user::Entity::find_by_id(session.user_id)
            .filter(user::Column::Active.eq(true))
            .one(&self.conn)
            .await?;
        Ok(owner.map(|user| (session, user)))
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
}
