use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "metrics")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub environment_id: i64,
    pub name: String,
    pub description: Option<String>,
    /// The `track()` event type read, as sent (not dictionary-encoded: it may not exist yet).
    pub event_type: String,
    /// `count`, `sum`, `mean`, `conversion` or `property_mean`.
    pub aggregation: String,
    /// The numeric property a `property_mean` averages.
    pub property: Option<String>,
    /// A JSON object of scalars the event's properties must equal; `{}` for none.
    pub filter: String,
    /// `increase` or `decrease`.
    pub direction: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
