//! Full load: every connection posts again as soon as it has its answer, so the server runs
//! as fast as it can with that many requests in flight.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{gather, Connection, Load, PhaseResult, PhaseStats};

/// Posts for `duration`, then lets the posts in flight finish. The phase's time runs to the
/// last answer, so those late answers do not inflate the rate.
pub async fn closed_loop(
    load: &Arc<Load>,
    connections: Vec<Connection>,
    duration: Duration,
    backoff: Duration,
) -> anyhow::Result<(Vec<Connection>, PhaseResult)> {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks = connections
        .into_iter()
        .map(|mut connection| {
            let load = Arc::clone(load);
            tokio::spawn(async move {
                let mut stats = PhaseStats::new()?;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let overloaded = load.post_next(&mut connection, &mut stats, sent).await?;
                    if overloaded {
                        tokio::time::sleep(backoff).await;
                    }
                }
                Ok((connection, stats))
            })
        })
        .collect();
    let (connections, stats) = gather(tasks).await?;
    Ok((
        connections,
        PhaseResult {
            stats,
            elapsed: start.elapsed(),
        },
    ))
}
