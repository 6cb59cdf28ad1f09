//! One live tail connection: forwards matching impressions from the writer's broadcast to the
//! client, with rate limiting that is reported, heartbeats and diagnostics.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use actix_web::web::Bytes;
use imprint_domain::ingest::{Event, Impression};
use imprint_store::events_read::StoredEvent;
use imprint_store::impressions::StoredImpression;
use imprint_store::ingest::{EventRecord, ImpressionRecord};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc};

use super::filter::{LiveFilter, LiveQuery};
use crate::activity::Activity;
use crate::actors::flags::Flags;

/// Comments that keep proxies from closing an idle stream. They are also how a closed tail
/// is noticed: actix-web sees that the client left only when it writes, so this bounds how
/// long a closed tail keeps its task and subscription.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// Silence after which the tail explains itself.
const QUIET_BEFORE_DIAGNOSTIC: Duration = Duration::from_secs(10);

/// What a tail can stream: impressions or events, as committed.
pub trait LiveRecord: Send + Sync + 'static {
    fn environment_id(&self) -> i64;
    fn matches(&self, filter: &LiveFilter) -> bool;
    /// The server-sent event for this record, naming its environment.
    fn to_event(&self, environment: &str, replayed: bool) -> Bytes;
    /// Identifies a row that may arrive both in the replay and live.
    fn identity(&self) -> (String, String, i64, String);
}

impl LiveRecord for ImpressionRecord {
    fn environment_id(&self) -> i64 {
        self.environment_id
    }

    fn matches(&self, filter: &LiveFilter) -> bool {
        filter.event_type.is_none() && filter.matches(&self.impression)
    }

    fn to_event(&self, environment: &str, replayed: bool) -> Bytes {
        let i = &self.impression;
        let data = json!({
            "environment": environment,
            "flag": i.flag,
            "key": i.key,
            "bucketing_key": i.bucketing_key,
            "treatment": i.treatment,
            "label": i.label,
            "change_number": i.change_number,
            "timestamp": i.timestamp,
            "received_at": self.received_at,
            "sdk": i.sdk,
            "machine_ip": i.machine_ip,
            "machine_name": i.machine_name,
            "traffic_type": i.traffic_type,
            "properties": parse_properties(i.properties.as_deref()),
            "impressions_mode": self.impressions_mode.as_deref(),
            "replayed": replayed,
        });
        sse("impression", &data)
    }

    fn identity(&self) -> (String, String, i64, String) {
        let i = &self.impression;
        (
            i.flag.clone(),
            i.key.clone(),
            i.timestamp,
            i.treatment.clone(),
        )
    }
}

impl LiveRecord for EventRecord {
    fn environment_id(&self) -> i64 {
        self.environment_id
    }

    fn matches(&self, filter: &LiveFilter) -> bool {
        filter.matches_event(&self.event)
    }

    fn to_event(&self, environment: &str, replayed: bool) -> Bytes {
        let e = &self.event;
        let data = json!({
            "environment": environment,
            "event_type": e.event_type,
            "key": e.key,
            "traffic_type": e.traffic_type,
            "value": e.value,
            "timestamp": e.timestamp,
            "received_at": self.received_at,
            "sdk": e.sdk,
            "machine_ip": e.machine_ip,
            "machine_name": e.machine_name,
            "properties": parse_properties(e.properties.as_deref()),
            "replayed": replayed,
        });
        sse("event", &data)
    }

    fn identity(&self) -> (String, String, i64, String) {
        let e = &self.event;
        (
            e.event_type.clone(),
            e.key.clone(),
            e.timestamp,
            String::new(),
        )
    }
}

/// A stored impression back in the shape the writer publishes, for replays.
pub fn replayed_impression(environment_id: i64, row: StoredImpression) -> ImpressionRecord {
    ImpressionRecord {
        environment_id,
        // Not needed downstream: the tail works on names.
        flag_id: 0,
        received_at: row.received_at,
        impression: Impression {
            flag: row.flag,
            key: row.key,
            bucketing_key: row.bucketing_key,
            treatment: row.treatment,
            label: row.label,
            change_number: row.change_number,
            timestamp: row.timestamp,
            traffic_type: row.traffic_type,
            properties: row.properties,
            sdk: row.sdk,
            machine_ip: row.machine_ip,
            machine_name: row.machine_name,
        },
        impressions_mode: row.impressions_mode.map(Into::into),
    }
}

pub fn replayed_event(environment_id: i64, row: StoredEvent) -> EventRecord {
    EventRecord {
        environment_id,
        received_at: row.received_at,
        event: Event {
            event_type: row.event_type,
            key: row.key,
            traffic_type: row.traffic_type,
            value: row.value,
            timestamp: row.timestamp,
            properties: row.properties,
            sdk: row.sdk,
            machine_ip: row.machine_ip,
            machine_name: row.machine_name,
        },
    }
}

fn parse_properties(properties: Option<&str>) -> Option<serde_json::Value> {
    properties.and_then(|p| serde_json::from_str(p).ok())
}

fn sse(event: &str, data: &serde_json::Value) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// Counters of the current one-second window and of the last minute.
#[derive(Default)]
struct Counters {
    matched: u64,
    sent: u64,
    skipped_rate: u64,
    skipped_slow: u64,
    skipped_lag: u64,
}

/// Spreads a rate-limited tail over each second: past the rate it sends every n-th match
/// (n from the last second's matches) instead of the first rows of each second.
struct Sampler {
    share: f64,
    credit: f64,
}

impl Sampler {
    fn new() -> Self {
        Sampler {
            share: 1.0,
            credit: 0.0,
        }
    }

    fn plan(&mut self, matched_last_second: u64, max_rate: u32) {
        self.share = if matched_last_second > u64::from(max_rate) {
            f64::from(max_rate) / matched_last_second as f64
        } else {
            1.0
        };
    }

    fn take(&mut self) -> bool {
        self.credit += self.share;
        if self.credit >= 1.0 {
            self.credit -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Sends a chunk to the client's bounded buffer. False when the client is gone, or when the
/// buffer stayed full for `stall`: a client that stopped reading ends its tail rather than
/// keep its task and subscription forever.
async fn deliver(out: &mpsc::Sender<Bytes>, chunk: Bytes, stall: Duration) -> bool {
    out.send_timeout(chunk, stall).await.is_ok()
}

pub struct Tail {
    /// How long the client's buffer may stay full (`IMPRINT_STREAM_STALL_TIMEOUT_SECONDS`).
    pub stall: Duration,
    pub environment_id: i64,
    /// The environment's name, which every event carries.
    pub environment: String,
    pub query: LiveQuery,
    pub flags: Flags,
    pub activity: Activity,
}

impl Tail {
    pub async fn run<R: LiveRecord>(
        self,
        mut feed: broadcast::Receiver<Arc<Vec<R>>>,
        replay: Vec<R>,
        out: mpsc::Sender<Bytes>,
    ) {
        // Rows committed between subscribing and reading the replay would come twice.
        let replayed: HashSet<(String, String, i64, String)> =
            replay.iter().map(LiveRecord::identity).collect();
        for row in &replay {
            if !deliver(&out, row.to_event(&self.environment, true), self.stall).await {
                return;
            }
        }
        let ready = json!({ "replayed": replay.len(), "max_rate": self.query.max_rate });
        if !deliver(&out, sse("ready", &ready), self.stall).await {
            return;
        }

        let mut window = Counters::default();
        let mut minute_seen: Vec<(u64, u64)> = Vec::new(); // (seen in env, matched) per second
        let mut quiet_since = tokio::time::Instant::now();
        let mut second = tokio::time::interval(Duration::from_secs(1));
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        let mut seen_this_second = 0u64;
        let mut matched_this_second = 0u64;
        let mut sampler = Sampler::new();
        if replay.is_empty() {
            self.diagnose(&out, 0, 0).await;
        }
        loop {
            tokio::select! {
                _ = out.closed() => return,
                received = feed.recv() => match received {
                    Ok(batch) => {
                        for record in batch.iter().filter(|r| r.environment_id() == self.environment_id) {
                            seen_this_second += 1;
                            if !record.matches(&self.query.filter) {
                                continue;
                            }
                            if !replayed.is_empty() && replayed.contains(&record.identity()) {
                                continue;
                            }
                            matched_this_second += 1;
                            window.matched += 1;
                            if window.sent >= u64::from(self.query.max_rate) || !sampler.take() {
                                window.skipped_rate += 1;
                            } else if out.try_send(record.to_event(&self.environment, false)).is_ok() {
                                window.sent += 1;
                                quiet_since = tokio::time::Instant::now();
                            } else {
                                window.skipped_slow += 1;
                            }
                        }
                    }
                    Err(RecvError::Lagged(missed)) => window.skipped_lag += missed,
                    Err(RecvError::Closed) => return,
                },
                _ = second.tick() => {
                    minute_seen.push((seen_this_second, matched_this_second));
                    sampler.plan(matched_this_second, self.query.max_rate);
                    if minute_seen.len() > 60 {
                        minute_seen.remove(0);
                    }
                    seen_this_second = 0;
                    matched_this_second = 0;
                    if !self.report(&out, &mut window).await {
                        return;
                    }
                    if quiet_since.elapsed() >= QUIET_BEFORE_DIAGNOSTIC {
                        let seen: u64 = minute_seen.iter().map(|(s, _)| s).sum();
                        let matched: u64 = minute_seen.iter().map(|(_, m)| m).sum();
                        self.diagnose(&out, seen, matched).await;
                        quiet_since = tokio::time::Instant::now();
                    }
                }
                _ = heartbeat.tick() => {
                    if !deliver(&out, Bytes::from_static(b": keep-alive\n\n"), self.stall).await {
                        return;
                    }
                }
            }
        }
    }

    /// Sends the second's counts when anything happened, and a notice when rows were lost
    /// to a slow connection. Returns false once the client is gone.
    async fn report(&self, out: &mpsc::Sender<Bytes>, window: &mut Counters) -> bool {
        let skipped = window.skipped_rate + window.skipped_slow + window.skipped_lag;
        if window.matched + skipped > 0 {
            let stats = json!({
                "matched": window.matched,
                "sent": window.sent,
                "skipped": skipped,
                "skipped_over_rate": window.skipped_rate,
                "skipped_slow_client": window.skipped_slow + window.skipped_lag,
                "sampling": skipped > 0,
                "max_rate": self.query.max_rate,
            });
            if !deliver(out, sse("stats", &stats), self.stall).await {
                return false;
            }
        }
        let behind = window.skipped_slow + window.skipped_lag;
        if behind > 0 {
            let notice = json!({ "message": format!("the connection fell behind: {behind} impressions were skipped") });
            if !deliver(out, sse("notice", &notice), self.stall).await {
                return false;
            }
        }
        *window = Counters::default();
        true
    }

    /// Explains why the tail may be empty.
    async fn diagnose(
        &self,
        out: &mpsc::Sender<Bytes>,
        seen_last_minute: u64,
        matched_last_minute: u64,
    ) {
        let mut reasons = Vec::new();
        let flags = self.flags.of_environment(self.environment_id);
        for name in &self.query.filter.flags {
            match flags.get(name) {
                Some(state) if !state.tracking_enabled => {
                    reasons.push(format!("tracking is off for {name}"))
                }
                None => reasons.push(format!(
                    "no flag named {name} has been seen in this environment"
                )),
                _ => {}
            }
        }
        let now = imprint_store::now_ms();
        match self.activity.last_post(self.environment_id) {
            None => {
                reasons.push("no SDK has posted impressions since the server started".to_owned())
            }
            Some(at) if now - at > 60_000 => reasons.push(format!(
                "no SDK has posted in the last {} minutes",
                (now - at) / 60_000
            )),
            _ => {}
        }
        if seen_last_minute > 0 && matched_last_minute == 0 {
            reasons.push(format!(
                "this filter matched 0 of {seen_last_minute} impressions in the last minute"
            ));
        }
        if !reasons.is_empty() {
            let _ = deliver(
                out,
                sse("diagnostic", &json!({ "reasons": reasons })),
                self.stall,
            )
            .await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Sampler;

    #[test]
    fn past_the_rate_the_sample_is_spread_over_the_matches() {
        let mut sampler = Sampler::new();
        assert!(
            (0..10).all(|_| sampler.take()),
            "no estimate yet: everything"
        );
        sampler.plan(10_000, 2_000);
        let taken: Vec<bool> = (0..1_000).map(|_| sampler.take()).collect();
        let sent = taken.iter().filter(|t| **t).count();
        assert!((199..=200).contains(&sent), "{sent}");
        assert_eq!(
            &taken[..5],
            [false, false, false, false, true],
            "one in five"
        );
        sampler.plan(100, 2_000);
        assert!(
            (0..10).all(|_| sampler.take()),
            "under the rate: everything"
        );
    }
}
