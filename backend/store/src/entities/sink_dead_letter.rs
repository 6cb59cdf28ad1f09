use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sink_dead_letters")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub sink_id: i64,
    /// `impressions` or `events`.
    pub stream: String,
    /// The ids the batch spanned, both inclusive; a retry reads them again through the filter.
    pub first_id: i64,
    pub last_id: i64,
    pub row_count: i64,
    pub attempts: i32,
    /// The receiver's answer (or the network error) of the last attempt.
    pub error: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
