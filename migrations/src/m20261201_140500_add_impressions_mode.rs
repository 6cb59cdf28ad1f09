//! The `SplitSDKImpressionsMode` header (`OPTIMIZED`, `DEBUG`, `NONE`) kept with each
//! impression, dictionary-encoded like the SDK and machine headers.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE impressions ADD COLUMN impressions_mode_id BIGINT")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE impressions DROP COLUMN impressions_mode_id")
            .await?;
        Ok(())
    }
}
