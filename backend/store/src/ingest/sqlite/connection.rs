//! The writer's connection and its settings.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// Enough for every multi-row statement the writer uses (a handful of sizes per table).
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// 64 MiB of page cache for this connection.
const CACHE_KIB: i64 = 64 * 1024;

/// Checkpoint once the WAL holds this many pages (32 MiB with 4 KiB pages) instead of SQLite's
/// 1,000: a transaction of 20,000 impressions alone dirties more than that, so the default
/// checkpoints after nearly every commit, with two fsyncs each. Less often, an index page that
/// several transactions changed is copied into the database once, not once per transaction.
/// The commit that crosses the threshold runs the checkpoint, so it bounds that commit's
/// latency too.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 8_192;

/// Opens the file the pool already created and migrated.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The same durability as the pool's connections: in WAL mode, synchronous=NORMAL keeps
    // every commit across a crash of the process; only an OS crash or power loss can lose
    // the last ones (OFF could then also corrupt the file).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // A larger page cache keeps the indexes' hot pages in memory between transactions.
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    Ok(conn)
}
