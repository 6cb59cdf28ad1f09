use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sinks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub environment_id: i64,
    /// `webhook`, `s3`, `amplitude`, `segment` or `file`.
    pub kind: String,
    pub name: String,
    /// The kind's settings as JSON, without its secrets.
    pub config: String,
    /// The kind's secret settings as a JSON object; never shown after creation.
    pub secrets: String,
    /// Export criteria as JSON: which rows the sink carries.
    pub filter: String,
    /// Whether `track()` events are delivered as well as impressions.
    pub events: bool,
    /// False while paused, by a user or by the sink itself (`paused_reason` says why).
    pub enabled: bool,
    pub paused_reason: Option<String>,
    /// Every impression with an id up to this one was delivered or dead-lettered.
    pub impression_cursor: i64,
    pub event_cursor: i64,
    pub delivered: i64,
    pub failed: i64,
    pub dead_lettered: i64,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    /// Since when every attempt has failed; `None` while deliveries succeed.
    pub failing_since: Option<i64>,
    /// Bumped by every change a user makes; a delivery loop writes only while it matches the
    /// generation it started with.
    pub generation: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
