use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub environment_id: i64,
    pub metric_id: i64,
    /// The one flag watched; every flag of the environment when `None`.
    pub flag: Option<String>,
    /// Relative degradation that must be exceeded (0.05: 5% worse than the baseline).
    pub threshold: f64,
    /// Users in the treatment and in the baseline before the policy decides anything.
    pub min_users: i64,
    pub webhook_url: Option<String>,
    /// Signs deliveries; never shown after creation.
    pub webhook_secret: Option<String>,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
