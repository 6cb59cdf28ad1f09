//! What the store's test files share.

use imprint_store::Database;

/// A fresh database, and what must live as long as it does. PostgreSQL databases are named
/// after `prefix`, so a test file's leftovers can be told apart.
pub async fn fresh_database(prefix: &str) -> (Database, Option<tempfile::TempDir>) {
    if std::env::var("IMPRINT_TEST_DB").as_deref() == Ok("postgres") {
        let server = std::env::var("IMPRINT_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let url = imprint_store::provision::create_postgres_database(&server, &name)
            .await
            .unwrap();
        (imprint_store::connect(&url).await.unwrap(), None)
    } else {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/imprint.db", dir.path().display());
        (imprint_store::connect(&url).await.unwrap(), Some(dir))
    }
}
