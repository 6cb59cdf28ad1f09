//! Personal API tokens. Only a hash of each token is stored.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::entities::{api_token, user};
use crate::{now_ms, Database};
pub use api_token::Model as TokenRow;

impl Database {
    pub async fn insert_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: Option<i64>,
    ) -> Result<TokenRow, sea_orm::DbErr> {
        api_token::ActiveModel {
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            token_hash: Set(token_hash.to_owned()),
            created_at: Set(now_ms()),
            expires_at: Set(expires_at),
            ..Default::default()
        }
        .insert(&self.conn)
        .await
    }

    /// The unrevoked, unexpired token with this hash and its active owner; marks the token
    /// as used.
    pub async fn use_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<(TokenRow, user::Model)>, sea_orm::DbErr> {
        let found = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(token_hash))
            .filter(api_token::Column::RevokedAt.is_null())
            .filter(unexpired(now_ms()))
            .one(&self.conn)
            .await?;
        let Some(token) = found else {
            return Ok(None);
        };
        let owner = user::Entity::find_by_id(token.user_id)
            .filter(user::Column::Active.eq(true))
            .one(&self.conn)
            .await?;
        let Some(owner) = owner else {
            return Ok(None);
        };
        // Written at most once a minute per token, so busy API clients don't turn every read
        // into a write.
        let now = now_ms();
        if token.last_used_at.is_none_or(|at| now - at > 60_000) {
            let mut active: api_token::ActiveModel = token.clone().into();
            active.last_used_at = Set(Some(now));
            active.update(&self.conn).await?;
        }
        Ok(Some((token, owner)))
    }

    pub async fn list_tokens(&self, user_id: i64) -> Result<Vec<TokenRow>, sea_orm::DbErr> {
        api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .filter(unexpired(now_ms()))
            .order_by_desc(api_token::Column::CreatedAt)
            .all(&self.conn)
            .await
    }

    /// Revokes one of the user's tokens; false when it was not theirs or not live.
    pub async fn revoke_token(&self, user_id: i64, token_id: i64) -> Result<bool, sea_orm::DbErr> {
        let result = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, now_ms().into())
            .filter(api_token::Column::Id.eq(token_id))
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&self.conn)
            .await?;
        Ok(result.rows_affected == 1)
    }
}

fn unexpired(now: i64) -> Condition {
    Condition::any()
        .add(api_token::Column::ExpiresAt.is_null())
        .add(api_token::Column::ExpiresAt.gt(now))
}

/// Revokes every live token of a user, on `conn` (which may be a transaction).
pub async fn revoke_all_of_user<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
) -> Result<u64, sea_orm::DbErr> {
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, now_ms().into())
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}
