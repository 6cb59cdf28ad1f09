//! Deletes sessions and API tokens that can no longer be used (expired, idle or revoked), so
//! their tables do not grow forever.

use std::time::Duration;

use imprint_store::Database;

/// Runs the cleanup now and then every `interval_seconds`, for as long as the server runs.
pub fn start(db: Database, interval_seconds: u64) {
    let interval = Duration::from_secs(interval_seconds.max(1));
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(interval);
        loop {
            ticks.tick().await;
            match db
                .delete_expired_sessions_and_tokens(imprint_store::now_ms())
                .await
            {
                Ok((sessions, tokens)) if sessions + tokens > 0 => {
                    tracing::info!(sessions, tokens, "deleted expired sessions and tokens");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deleting expired sessions and tokens"),
            }
        }
    });
}
