//! Posting stamped impressions at a steady rate. Each body is built just before it is sent and
//! every impression's key carries that moment, so the tail's reader can tell how long each one
//! took from the SDK's post to the browser's stream.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::json;

use crate::load::{Connection, IngestTarget, PhaseResult, PhaseStats};
use crate::workload::{Machine, IMPRESSIONS_PER_BODY};

/// Flags the impressions are spread over, evenly: one flag carries a tenth of the rate, so a
/// tail filtered on it stays under the server's 2,000 rows/s cap at 10,000 impressions/s.
pub const FLAGS: usize = 10;
const KEY_PREFIX: &str = "live-";
/// Posts in flight at most; a few suffice at a hundred posts per second.
const CONNECTIONS: usize = 8;

const NUDGES: u64 = 4;
const NUDGE_EVERY: Duration = Duration::from_millis(250);

pub fn flag_of(index: usize) -> String {
    format!("live_{index}")
}

/// Microseconds since `clock`, the time base the sender and the readers share.
pub fn micros_since(clock: Instant) -> u64 {
    u64::try_from(clock.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// The send time stamped into a key by `body`, if the key is one of ours.
pub fn sent_micros(key: &str) -> Option<u64> {
    let (sent, _) = key.strip_prefix(KEY_PREFIX)?.split_once('-')?;
    sent.parse().ok()
}

/// A Split bulk body of `IMPRESSIONS_PER_BODY` impressions, all stamped `sent_us`; impression
/// n of the body goes to flag n % FLAGS.
fn body(sent_us: u64, post: u64) -> anyhow::Result<crate::workload::SplitBody> {
    let now_ms = imprint_store::now_ms();
    let groups: Vec<_> = (0..FLAGS)
        .map(|flag| {
            let impressions: Vec<_> = (flag..IMPRESSIONS_PER_BODY)
                .step_by(FLAGS)
                .map(|n| {
                    let key = format!("{KEY_PREFIX}{sent_us}-{post}.{n}");
                    json!({"k": key, "t": "on", "m": now_ms, "r": "default rule"})
                })
                .collect();
            json!({"f": flag_of(flag), "i": impressions})
        })
        .collect();
    Ok(crate::workload::SplitBody {
        json: Bytes::from(serde_json::to_vec(&groups)?),
        machine: post as usize % Machine::count(),
    })
}

/// Posts `impressions_per_sec` for `duration` on a fixed schedule (an open loop, as SDKs post
/// whatever the server's pace). Post latency is counted from each post's actual send.
pub async fn post_steadily(
    target: Arc<IngestTarget>,
    impressions_per_sec: u64,
    duration: Duration,
    clock: Instant,
) -> anyhow::Result<PhaseResult> {
    let posts_per_sec = impressions_per_sec as f64 / IMPRESSIONS_PER_BODY as f64;
    let scheduled_posts = (posts_per_sec * duration.as_secs_f64()).round() as u64;
    let start = Instant::now();
    let next_slot = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let target = Arc::clone(&target);
        let next_slot = Arc::clone(&next_slot);
        let mut connection = Connection::open(&target).await?;
        tasks.push(tokio::spawn(async move {
            let mut stats = PhaseStats::new()?;
            loop {
                let slot = next_slot.fetch_add(1, Ordering::Relaxed);
                if slot >= scheduled_posts {
                    return anyhow::Ok(stats);
                }
                let scheduled = start + Duration::from_secs_f64(slot as f64 / posts_per_sec);
                tokio::time::sleep_until(scheduled.into()).await;
                let sent = Instant::now();
                let body = body(micros_since(clock), slot)?;
                match connection.post(&target, &body).await {
                    Ok(outcome) => stats.record(&outcome, sent.elapsed()),
                    Err(error) => {
                        stats.record_connection_error(&error);
                        connection = Connection::open(&target).await?;
                    }
                }
            }
        }));
    }
    let mut total = PhaseStats::new()?;
    for task in tasks {
        total.add(task.await??)?;
    }
    Ok(PhaseResult {
        stats: total,
        elapsed: start.elapsed(),
    })
}

/// A few more posts after the tails have closed. The server notices a closed tail only when it
/// next writes to it (its next heartbeat may be 15 s away) and its shutdown waits for open
/// streams; impressions to send make it write, find the tails gone and end them.
pub async fn nudge(target: &IngestTarget, clock: Instant) -> anyhow::Result<()> {
    let mut connection = Connection::open(target).await?;
    for post in 0..NUDGES {
        connection
            .post(target, &body(micros_since(clock), post)?)
            .await?;
        tokio::time::sleep(NUDGE_EVERY).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_their_send_time() {
        let body = body(123_456, 7).unwrap();
        let groups: serde_json::Value = serde_json::from_slice(&body.json).unwrap();
        let key = groups[0]["i"][0]["k"].as_str().unwrap();
        assert_eq!(sent_micros(key), Some(123_456));
        assert_eq!(sent_micros("user-12"), None);
        let impressions: usize = (0..FLAGS)
            .map(|f| groups[f]["i"].as_array().unwrap().len())
            .sum();
        assert_eq!(impressions, IMPRESSIONS_PER_BODY);
    }
}
