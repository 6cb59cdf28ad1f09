//! Console users.

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
