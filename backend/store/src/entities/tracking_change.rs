use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tracking_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub environment_id: i64,
    pub flag_id: i64,
    pub enabled: bool,
    pub changed_at: i64,
    pub changed_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
