//! Opening the database: an embedded SQLite file by default, PostgreSQL for larger deployments.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use imprint_migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pooled connection to Imprint's database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Database {
    pub conn: DatabaseConnection,
    pub backend: Backend,
    /// The SQLite file, which the ingestion writer opens with a connection of its own
    /// (`None` for PostgreSQL and in-memory SQLite).
    pub sqlite_path: Option<PathBuf>,
}

/// Connects, creating the SQLite file (and its folder) when missing, then runs the migrations.
pub async fn connect(url: &str) -> anyhow::Result<Database> {
    let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Backend::Postgres
    } else if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        anyhow::bail!("unsupported database URL: expected sqlite:… or postgres://…");
    };
    let (url, sqlite_path) = match backend {
        Backend::Sqlite => prepare_sqlite_url(url)?,
        Backend::Postgres => (url.to_owned(), None),
    };

    let mut options = ConnectOptions::new(url);
    options
        .max_connections(match backend {
            // One writer at a time is all SQLite allows; extra connections serve readers.
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if backend == Backend::Sqlite {
        // Per-connection settings, so every pooled connection gets them. WAL lets readers run
        // beside the one writer; synchronous=NORMAL in WAL mode keeps every commit across a
        // crash of the process (only an OS crash or power loss can lose the last commits).
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    }
    let conn = sea_orm::Database::connect(options)
        .await
        .context("connecting to the database")?;

    Migrator::up(&conn, None)
        .await
        .context("running database migrations")?;
    Ok(Database {
        conn,
        backend,
        sqlite_path,
    })
}

/// Creates the folder of a file-backed SQLite URL; the pool creates the file itself. Returns
/// the URL for the pool and the file's path.
fn prepare_sqlite_url(url: &str) -> anyhow::Result<(String, Option<PathBuf>)> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let file = (path != ":memory:").then(|| PathBuf::from(path));
    if let Some(file) = &file {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the database folder {}", dir.display()))?;
        }
    }
    let mode = if query.contains("mode=") {
        ""
    } else {
        "mode=rwc"
    };
    let sep = if query.is_empty() || mode.is_empty() {
        ""
    } else {
        "&"
    };
    Ok((format!("sqlite://{path}?{query}{sep}{mode}"), file))
}

impl Database {
    /// A trivial round trip, for health checks.
    pub async fn ping(&self) -> Result<(), sea_orm::DbErr> {
        self.conn.ping().await
    }
}
