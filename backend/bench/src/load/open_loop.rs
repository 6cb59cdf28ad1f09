//! A fixed rate below saturation: posts follow a schedule set in advance, whatever the
//! server's answers, as independent SDK instances would post.
//!
//! Latency is counted from each post's scheduled time, not from when it went out. A post that
//! had to wait for a free connection waited because the server was slow; counting from the
//! send would hide exactly the stalls the percentiles are for (coordinated omission).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{gather, Connection, Load, PhaseResult, PhaseStats};

pub async fn open_loop(
    load: &Arc<Load>,
    connections: Vec<Connection>,
    posts_per_sec: f64,
    duration: Duration,
) -> anyhow::Result<(Vec<Connection>, PhaseResult)> {
    let never = Arc::new(AtomicBool::new(false));
    open_loop_until(load, connections, posts_per_sec, duration, never).await
}

/// The open loop, ended early once `done` turns true: a phase that lasts as long as something
/// else does (a purge), with `duration` as its limit.
pub async fn open_loop_until(
    load: &Arc<Load>,
    connections: Vec<Connection>,
    posts_per_sec: f64,
    duration: Duration,
    done: Arc<AtomicBool>,
) -> anyhow::Result<(Vec<Connection>, PhaseResult)> {
    anyhow::ensure!(
        posts_per_sec > 0.0,
        "the open loop needs a positive rate, not {posts_per_sec}"
    );
    let scheduled_posts = (posts_per_sec * duration.as_secs_f64()).round() as u64;
    let start = Instant::now();
    // Connections take the next slot of the schedule when they are free.
    let next_slot = Arc::new(AtomicU64::new(0));
    let tasks = connections
        .into_iter()
        .map(|mut connection| {
            let load = Arc::clone(load);
            let next_slot = Arc::clone(&next_slot);
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                let mut stats = PhaseStats::new()?;
                loop {
                    let slot = next_slot.fetch_add(1, Ordering::Relaxed);
                    if slot >= scheduled_posts || done.load(Ordering::Relaxed) {
                        break;
                    }
                    let scheduled = start + Duration::from_secs_f64(slot as f64 / posts_per_sec);
                    tokio::time::sleep_until(scheduled.into()).await;
                    // No back-off after a 503: the schedule is the load, and the 503 is counted.
                    load.post_next(&mut connection, &mut stats, scheduled)
                        .await?;
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
