//! Unused dictionary strings are purged (see `imprint_store::unused_strings`). A purge bumps
//! `strings_generation`, every ingestion writer forgets its cached ids when it sees a new
//! generation, and a writer that looks a string up again marks it with the generation it
//! saw (`strings.seen_generation`): a purge deletes only strings no row references and no
//! writer has used since it began. Each run reports how many it deleted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "ALTER TABLE strings ADD COLUMN seen_generation BIGINT NOT NULL DEFAULT 0",
            "CREATE TABLE strings_generation (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL)",
            "INSERT INTO strings_generation (id, generation) VALUES (1, 0)",
            "ALTER TABLE retention_runs ADD COLUMN strings_deleted BIGINT NOT NULL DEFAULT 0",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "ALTER TABLE retention_runs DROP COLUMN strings_deleted",
            "DROP TABLE IF EXISTS strings_generation",
            "ALTER TABLE strings DROP COLUMN seen_generation",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
