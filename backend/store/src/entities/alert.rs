use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub environment_id: i64,
    pub policy_id: i64,
    pub metric_id: i64,
    pub flag: String,
    pub treatment: String,
    pub baseline: String,
    /// `firing` or `resolved`.
    pub status: String,
    /// When it fired (or, while firing, at the latest evaluation).
    pub relative_lift: Option<f64>,
    pub p_value: Option<f64>,
    pub summary: String,
    pub fired_at: i64,
    pub resolved_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
