//! Which database errors are worth a retry: the caller should hear 503 with `Retry-After`
//! for them, not 500.

use sea_orm::{sqlx, DbErr, RuntimeErr};

/// True for trouble with the database rather than with the request: no connection to be had,
/// a lost connection, a busy or locked SQLite file, a PostgreSQL that shuts down, runs out of
/// resources or cancelled the statement, a serialization failure or a deadlock.
pub fn is_transient(err: &DbErr) -> bool {
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            is_transient_sqlx(e)
        }
        _ => false,
    }
}

pub fn is_transient_sqlx(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|code| transient_code(&code)),
        _ => false,
    }
}

fn transient_code(code: &str) -> bool {
    // SQLite reports its (extended) result code as a number; the primary code is the low byte.
    if let Ok(sqlite) = code.parse::<i32>() {
        const BUSY: i32 = 5;
        const LOCKED: i32 = 6;
        const NOMEM: i32 = 7;
        const IOERR: i32 = 10;
        const FULL: i32 = 13;
        const CANTOPEN: i32 = 14;
        return matches!(
            sqlite & 0xff,
            BUSY | LOCKED | NOMEM | IOERR | FULL | CANTOPEN
        );
    }
    // PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources,
    // 57 operator intervention (shutdown, cancelled statement), 58 system error; 40001
    // serialization failure and 40P01 deadlock.
    ["08", "53", "57", "58"]
        .iter()
        .any(|class| code.starts_with(class))
        || code == "40001"
        || code == "40P01"
}
