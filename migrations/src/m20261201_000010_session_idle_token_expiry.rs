//! Idle timeouts for sessions and expiry dates for personal API tokens.
//!
//! `sessions.idle_expires_at` moves forward while the session is used; a session ends at the
//! earlier of it and `expires_at`. `api_tokens.expires_at` is optional: NULL never expires.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE sessions ADD COLUMN idle_expires_at BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        // Sessions open at the upgrade keep their remaining lifetime as their idle deadline.
        db.execute_unprepared("UPDATE sessions SET idle_expires_at = expires_at")
            .await?;
        db.execute_unprepared("ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT")
            .await?;
        db.execute_unprepared("CREATE INDEX ix_sessions_user ON sessions (user_id)")
            .await?;
        db.execute_unprepared("CREATE INDEX ix_api_tokens_user ON api_tokens (user_id)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_api_tokens_user")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS ix_sessions_user")
            .await?;
        db.execute_unprepared("ALTER TABLE api_tokens DROP COLUMN expires_at")
            .await?;
        db.execute_unprepared("ALTER TABLE sessions DROP COLUMN idle_expires_at")
            .await?;
        Ok(())
    }
}
