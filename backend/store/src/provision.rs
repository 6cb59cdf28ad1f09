//! Creating and dropping whole PostgreSQL databases, for test runs and benchmarks that each
//! want a database of their own.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// Creates database `name` on the server of `server_url` (whose own database is only used to
/// connect) and returns the URL of the new database.
pub async fn create_postgres_database(server_url: &str, name: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "database names here are plain identifiers"
    );
    let admin = sea_orm::Database::connect(server_url).await?;
    admin
        .execute(Statement::from_string(
            DbBackend::Postgres,
            format!("CREATE DATABASE \"{name}\""),
        ))
        .await?;
    admin.close().await?;
    let base = server_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(server_url);
    Ok(format!("{base}/{name}"))
}
