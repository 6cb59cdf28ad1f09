use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub environment_id: i64,
    pub name: String,
    pub tracking_enabled: bool,
    /// False for flags only seen in impressions (observed), true once a definition exists.
    pub defined: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// The definition as JSON, when the flag is defined.
    pub definition: Option<String>,
    /// Increases on every change of the definition or the tracking toggle.
    pub change_number: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
