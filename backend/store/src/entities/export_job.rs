use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "export_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub environment_id: i64,
    /// `impressions` or `events`.
    pub kind: String,
    /// The criteria as JSON, in the server's own shape.
    pub criteria: String,
    pub format: String,
    pub gzip: bool,
    /// `queued`, `running`, `done`, `failed` or `expired`.
    pub status: String,
    pub rows_written: i64,
    /// Checkpoint: every matching row with an id up to this one is in the first `bytes` bytes.
    pub last_id: i64,
    pub first_id: Option<i64>,
    pub until_id: Option<i64>,
    pub file_path: Option<String>,
    pub bytes: i64,
    pub error: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub expires_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
