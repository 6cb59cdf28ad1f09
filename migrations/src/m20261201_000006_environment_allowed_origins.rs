//! Environments may restrict their SDK keys to a list of web origins (a JSON array of strings;
//! empty means any origin, the default for public client-side keys).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE environments ADD COLUMN allowed_origins TEXT NOT NULL DEFAULT '[]'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE environments DROP COLUMN allowed_origins")
            .await?;
        Ok(())
    }
}
