//! A database of its own for each measurement, so no figure is skewed by rows of an earlier
//! one, and nothing is left behind afterwards.

use anyhow::Context;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tempfile::TempDir;

use crate::cli::Backend;

pub enum FreshDatabase {
    /// The file lives in a temporary folder, removed with it (WAL and SHM files included).
    Sqlite { url: String, dir: TempDir },
    Postgres {
        url: String,
        name: String,
        server_url: String,
    },
}

impl FreshDatabase {
    /// `purpose` ends up in the PostgreSQL database's name, to tell leftovers apart.
    pub async fn create(
        backend: Backend,
        purpose: &str,
        postgres_server_url: &str,
    ) -> anyhow::Result<FreshDatabase> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::Builder::new()
                    .prefix(&format!("imprint-bench-{purpose}-"))
                    .tempdir()
                    .context("creating a temporary folder for SQLite")?;
                let url = format!("sqlite://{}/imprint.db", dir.path().display());
                Ok(FreshDatabase::Sqlite { url, dir })
            }
            Backend::Postgres => {
                // `scripts/ensure-postgres.sh` drops `imprint_bench_*` leftovers of runs that
                // died before cleaning up.
                let name = format!(
                    "imprint_bench_{purpose}_{}_{}",
                    std::process::id(),
                    chrono::Utc::now().timestamp_millis()
                );
                let url = imprint_store::provision::create_postgres_database(
                    postgres_server_url,
                    &name,
                )
                .await
                .with_context(|| {
                    format!("creating database {name} on {postgres_server_url} (is PostgreSQL up?)")
                })?;
                Ok(FreshDatabase::Postgres {
                    url,
                    name,
                    server_url: postgres_server_url.to_owned(),
                })
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            FreshDatabase::Sqlite { url, .. } | FreshDatabase::Postgres { url, .. } => url,
        }
    }

    /// Deletes the database. Connections still open to it are cut (PostgreSQL's FORCE).
    pub async fn remove(self) -> anyhow::Result<()> {
        match self {
            FreshDatabase::Sqlite { dir, .. } => {
                let path = dir.path().display().to_string();
                dir.close()
                    .with_context(|| format!("removing the temporary folder {path}"))
            }
            FreshDatabase::Postgres {
                name, server_url, ..
            } => {
                let admin = sea_orm::Database::connect(server_url.as_str())
                    .await
                    .with_context(|| format!("connecting to {server_url} to drop {name}"))?;
                admin
                    .execute(Statement::from_string(
                        DbBackend::Postgres,
                        format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                    ))
                    .await
                    .with_context(|| format!("dropping database {name}"))?;
                admin.close().await.context("closing the admin connection")
            }
        }
    }
}
