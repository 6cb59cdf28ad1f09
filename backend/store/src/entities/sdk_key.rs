use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sdk_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub environment_id: i64,
    /// `server` or `client`.
    pub kind: String,
    #[sea_orm(unique)]
    pub key_hash: String,
    /// The key's last characters, so people can tell keys apart without the secret.
    pub hint: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
